"""Benchmark of the supervisor indicators at scale; prints its figures (see benchmarks/README.md).

    ORG_PERIODS=province,district,commune .venv/bin/python benchmarks/indicators.py \
        [--dossiers N] [--reuse-db NAME] [--keep-db] [--rebuild-rollup] [--refresh-changed N] \
        [--concurrent-requests N] [--compare-with TREE]

Needs DATABASE_URL, REDIS_URL, S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY (scripts/services.sh);
ORG_PERIODS as above while the demo seed is the three-tier one. Seeds a fresh database with N
dossiers (benchmarks/seed_million.py; default 1,000,000), then adds what the indicators count and
the queue benchmark does not need: two input documents per accepted dossier (digitised as the
application records it: counter scans and reuse, not citizens' own uploads; the second a paper
original at the counter for a third of counter dossiers), a reused document for 1 in 20, a result
file for a third of the completed ones, a rating for a quarter of the completed ones (copied to the
dossier as the application does), and the near-due instant of every open step (60 % of its span).
The document flags on `dossiers` are then set by the same SQL definition the application uses after
every flush (app.dossiers.models.document_flags); the agreement check below recomputes them from the
documents. Then the daily rollup is built by the periodic job's own code
(app.indicators.rollups.refresh_rollups), and one refresh after N recent dossiers changed is timed.

Cases, each timed as server time in this process (one request after another, R times, alternating
with its naive counterpart, which runs only the first few times, so both meet the same noise on the
shared VM):
- province overview: the province's indicators plus its ranking table (`unit_overview`, one pass for
  both, as the dashboard runs it: every district with its communes), for the last full month;
- commune drill-down: the busiest commune's indicators plus its per-procedure table
  (`indicators_by_procedure`) and the first 50 of its late dossiers (`dossiers_behind`);
- province 12-month trend (`monthly_trend`);
- the whole dashboard page `GET /stats` of the provincial supervisor (overview, ranking, 12-month
  trend, rendered HTML) and the `GET /api/v1/stats/indicators` answer, through the Flask test client;
- the whole page again over HTTP from 4 supervisors at once on a real `gunicorn -w 4`; with
  `--compare-with TREE` (a checkout of the code before, on the same database) that tree's page is
  served and timed the same way, batch for batch with ours.
Every figure is read by the default attribution (the competent unit, else the unit holding or that
finished the dossier). The naive counterpart computes the same numbers with one plain GROUP BY per
family over the raw tables (documents and ratings joined and aggregated on the fly, no stored flags,
no covering index, no rollup), grouped by unit and added up per district in Python. Both results
must agree, figure for figure.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from harness import (
    BenchEnvironment,
    GunicornServer,
    Timing,
    bearer_headers,
    format_table,
    log,
    run_http_concurrently,
    session_headers,
)
from seed_million import seed

TARGET_P95 = 0.300  # seconds
BUSIEST = "000.21.30.H01"  # UBND xã Cần Đăng
PROVINCE_ADMIN = "giamsat.tinh"  # the provincial supervisor (demo account)

FACTS_SQL = [
    # two inputs per accepted dossier; the second is a paper original for a third of counter dossiers
    # (digitised as app.workflow.documents records it: counter scans and reuse, not citizens' uploads)
    """INSERT INTO dossier_documents (dossier_id, doc_key, original_name, storage_key, sha256, size,
           content_type, is_digitised, source, is_result, is_current, created_at)
       SELECT d.id, 'input' || n, 'giay-to-' || n || '.pdf', 'bench/' || d.id || '/' || n, repeat('0', 64),
              100000, 'application/pdf',
              CASE WHEN n = 1 AND d.id % 20 = 0 THEN true
                   WHEN d.channel = 'online' THEN false
                   ELSE NOT (n = 2 AND d.channel = 'counter' AND d.id % 3 = 0) END,
              CASE WHEN n = 1 AND d.id % 20 = 0 THEN 'reused'
                   WHEN d.channel = 'online' THEN 'citizen_upload' ELSE 'counter_scan' END,
              false, true, d.received_at
       FROM dossiers d CROSS JOIN generate_series(1, 2) AS n WHERE d.received_at IS NOT NULL""",
    # a result file for a third of the completed dossiers
    """INSERT INTO dossier_documents (dossier_id, doc_key, original_name, storage_key, sha256, size,
           content_type, is_digitised, source, is_result, is_current, created_at)
       SELECT d.id, 'result', 'ket-qua.pdf', 'bench/' || d.id || '/result', repeat('0', 64), 100000,
              'application/pdf', true, 'issued', true, true, d.completed_at
       FROM dossiers d WHERE d.completed_at IS NOT NULL AND d.id % 3 = 0""",
    # ratings for a quarter of the completed dossiers
    """INSERT INTO ratings (dossier_id, user_id, overall, time_vs_statutory, contacts, conduct,
           created_at, updated_at)
       SELECT d.id, (SELECT min(id) FROM users), 1 + (d.id / 4) % 5,
              (ARRAY['faster','on_time','late'])[1 + d.id % 3],
              (ARRAY['once','twice','three_or_more'])[1 + d.id % 3],
              (ARRAY['good','acceptable','poor'])[1 + (d.id / 3) % 3],
              d.completed_at, d.completed_at
       FROM dossiers d WHERE d.completed_at IS NOT NULL AND d.id % 4 = 0""",
    # the answers copied to the dossier, as the application does when a rating is saved
    """UPDATE dossiers d SET rating_overall = r.overall, rating_time = r.time_vs_statutory,
           rating_contacts = r.contacts, rating_conduct = r.conduct
       FROM ratings r WHERE r.dossier_id = d.id""",
    "UPDATE dossier_steps SET near_due_at = started_at + (due_at - started_at) * 0.6 "
    "WHERE finished_at IS NULL",
]


def seed_facts(app: Any) -> None:
    from sqlalchemy import text, update

    from app.dossiers.models import Dossier, document_flags
    from app.extensions import db

    with app.app_context():
        for sql in FACTS_SQL:
            began = time.perf_counter()
            count = db.session.execute(text(sql)).rowcount
            db.session.commit()
            log(f"{count:,} rows ({sql.split()[0]} {sql.split()[2]}) in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        # (each dossier keeps its own updated_at: these are facts of the past, not changes made now)
        db.session.execute(update(Dossier).values(**document_flags(), updated_at=Dossier.updated_at))
        db.session.commit()
        log(f"document flags set in {time.perf_counter() - began:.1f} s")
        db.session.remove()
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("VACUUM ANALYZE dossiers, dossier_documents, dossier_steps, ratings"))


def build_rollup(app: Any) -> str:
    """The daily rollup, made by the job's own code (app.indicators.rollups), then analysed."""
    from sqlalchemy import text

    from app.core.uow import unit_of_work
    from app.extensions import db
    from app.indicators.rollups import refresh_rollups

    with app.app_context():
        began = time.perf_counter()
        with unit_of_work():
            done = refresh_rollups(rebuild=True)
        seconds = time.perf_counter() - began
        db.session.remove()
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("ANALYZE indicator_daily_facts")
            )
    note = f"rollup rebuilt through {done.through_day} in {seconds:.1f} s: {done.rows:,} rows"
    log(note)
    return note


def refresh_after_changes(app: Any, changed: int = 2_000) -> str:
    """What the periodic job costs, and the state requests then meet: `changed` dossiers of the last
    60 days touched (their rows updated, as a transition or a rating does), then one refresh. They
    stay within the refresh's margin (a quarter of an hour), so every request below corrects them
    one by one, as it would on a busy day."""
    from sqlalchemy import text

    from app.core.uow import unit_of_work
    from app.extensions import db
    from app.indicators.rollups import refresh_rollups

    with app.app_context():
        with unit_of_work():
            db.session.execute(
                text(
                    "UPDATE dossiers SET updated_at = now() WHERE id IN (SELECT id FROM dossiers "
                    "WHERE received_at > now() - interval '60 days' ORDER BY id DESC LIMIT :n)"
                ),
                {"n": changed},
            )
        began = time.perf_counter()
        with unit_of_work():
            done = refresh_rollups()
        seconds = time.perf_counter() - began
        db.session.remove()
    note = (
        f"refresh after {changed:,} changed dossiers: {done.dossiers:,} recorded again, {done.days} day(s) "
        f"added up again in {seconds:.1f} s; requests below correct {changed:,} changed dossiers"
    )
    log(note)
    return note


def has_rollup(app: Any) -> bool:
    from app.extensions import db
    from app.indicators.models import IndicatorRollupState

    with app.app_context():
        found = db.session.get(IndicatorRollupState, 1) is not None
        db.session.remove()
    return found


# --- the naive counterpart ------------------------------------------------------------------------

# Attributed as the dashboard does by default: to the competent unit, else the unit holding (or that
# finished) the dossier.
UNIT = "coalesce(d.competent_unit_id, d.current_unit_id)"
NAIVE_RECEPTION = """
SELECT {unit} AS unit_id, count(*) AS received,
  count(*) FILTER (WHERE d.channel = 'online') AS online,
  count(*) FILTER (WHERE d.channel = 'counter') AS counter,
  count(*) FILTER (WHERE d.channel = 'postal') AS postal,
  count(*) FILTER (WHERE d.channel = 'online' OR docs.inputs > 0 AND docs.paper = 0) AS fully_online,
  count(*) FILTER (WHERE docs.inputs > 0 AND docs.paper = 0) AS digitised,
  count(*) FILTER (WHERE docs.reused > 0) AS reused
FROM dossiers d
LEFT JOIN (SELECT dossier_id,
             count(*) FILTER (WHERE is_current AND NOT is_result) AS inputs,
             count(*) FILTER (WHERE is_current AND NOT is_result AND NOT is_digitised) AS paper,
             count(*) FILTER (WHERE source = 'reused') AS reused
           FROM dossier_documents GROUP BY dossier_id) docs ON docs.dossier_id = d.id
WHERE d.received_at >= :start AND d.received_at < :end {procedure}
GROUP BY 1"""
NAIVE_COMPLETION = """
SELECT {unit} AS unit_id, count(*) AS completed,
  count(*) FILTER (WHERE d.outcome = 'early') AS early,
  count(*) FILTER (WHERE d.outcome = 'on_time') AS on_time,
  count(*) FILTER (WHERE d.outcome = 'late') AS late,
  count(*) FILTER (WHERE res.n > 0) AS electronic,
  count(r.id) AS ratings, count(*) FILTER (WHERE r.overall >= 4) AS satisfied
FROM dossiers d
LEFT JOIN (SELECT dossier_id, count(*) AS n FROM signed_results GROUP BY dossier_id) res
  ON res.dossier_id = d.id
LEFT JOIN ratings r ON r.dossier_id = d.id
WHERE d.completed_at >= :start AND d.completed_at < :end {procedure}
GROUP BY 1"""
NAIVE_OPEN = """
SELECT {unit} AS unit_id, count(DISTINCT d.id) AS open,
  count(DISTINCT d.id) FILTER (WHERE d.due_at < :now AND d.paused_at IS NULL) AS overdue,
  count(DISTINCT d.id) FILTER (WHERE s.near_due_at < :now AND s.due_at >= :now AND s.paused_at IS NULL
                                 AND d.paused_at IS NULL) AS near_due
FROM dossiers d LEFT JOIN dossier_steps s ON s.dossier_id = d.id AND s.finished_at IS NULL
WHERE d.received_at IS NOT NULL AND d.completed_at IS NULL AND d.queue_due_at IS NOT NULL {procedure}
GROUP BY 1"""
COMPARED = [
    "received",
    "received_online",
    "received_counter",
    "received_postal",
    "fully_online",
    "digitised_inputs",
    "reused_documents",
    "completed_early",
    "completed_on_time",
    "completed_late",
    "electronic_results",
    "satisfaction_rate",
    "in_progress_overdue",
    "in_progress_near_due",
]
NAIVE_NAMES = {
    "received": ("received", "received"),
    "received_online": ("online", "received"),
    "received_counter": ("counter", "received"),
    "received_postal": ("postal", "received"),
    "fully_online": ("fully_online", "received"),
    "digitised_inputs": ("digitised", "received"),
    "reused_documents": ("reused", "received"),
    "completed_early": ("early", "completed"),
    "completed_on_time": ("on_time", "completed"),
    "completed_late": ("late", "completed"),
    "electronic_results": ("electronic", "completed"),
    "satisfaction_rate": ("satisfied", "ratings"),
    "in_progress_overdue": ("overdue", "open"),
    "in_progress_near_due": ("near_due", "open"),
}


def naive(group_of: dict[int, Any], start: Any, end: Any, now: Any, procedure: str | None) -> dict:
    """{group: {counter: n}} from the raw tables; units outside `group_of` are left out."""
    from sqlalchemy import text

    from app.extensions import db

    where = " AND d.procedure_code = :procedure" if procedure else ""
    params = {"start": start, "end": end, "now": now, "procedure": procedure}
    totals: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sql in (NAIVE_RECEPTION, NAIVE_COMPLETION, NAIVE_OPEN):
        for row in db.session.execute(text(sql.format(procedure=where, unit=UNIT)), params).mappings():
            if row["unit_id"] in group_of:
                bucket = totals[group_of[row["unit_id"]]]
                for name, value in row.items():
                    if name != "unit_id":
                        bucket[name] += value
    return totals


def as_pairs(counters: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {m: (counters.get(n, 0), counters.get(d, 0)) for m, (n, d) in NAIVE_NAMES.items()}


def engine_pairs(metrics: dict) -> dict[str, tuple[int, int]]:
    return {m: (metrics[m]["numerator"], metrics[m]["denominator"]) for m in COMPARED}


# --- the cases ------------------------------------------------------------------------------------


def last_full_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


class Cases:
    def __init__(self, app: Any) -> None:
        from app.auth.models import User
        from app.extensions import db
        from app.org.models import Unit
        from app.org.queries import subtree_ids

        self.app = app
        self.period = last_full_month(date.today())
        with app.app_context():
            from sqlalchemy import select

            self.province = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
            self.commune = db.session.scalar(select(Unit).where(Unit.code == BUSIEST))
            self.province_id, self.commune_id = self.province.id, self.commune.id
            children = db.session.scalars(
                select(Unit).where(Unit.parent_id == self.province_id, Unit.is_active.is_(True))
            ).all()
            self.district_of = {uid: c.id for c in children for uid in subtree_ids(c.id)}
            self.all_units = {uid: "province" for uid in subtree_ids(self.province_id)}
            self.commune_units = {uid: "commune" for uid in subtree_ids(self.commune_id)}
            supervisor = db.session.scalar(select(User).where(User.username == PROVINCE_ADMIN))
            db.session.expunge(supervisor)
            self.province_code = self.province.code
            if supervisor is None:
                raise SystemExit(f"demo account {PROVINCE_ADMIN!r} is missing")
            db.session.remove()
        self.headers = bearer_headers(app, PROVINCE_ADMIN)
        self.client = app.test_client()
        self.page_client = app.test_client()
        from tests.web import sign_in  # through the sign-in pages, second factor included

        with app.app_context():
            response = sign_in(self.page_client, PROVINCE_ADMIN)
            db.session.remove()
        if response.status_code != 302:
            raise SystemExit(f"signing in as {PROVINCE_ADMIN!r} failed: HTTP {response.status_code}")

    def _api(self, unit_code: str) -> dict:
        start, end = self.period
        response = self.client.get(
            "/api/v1/stats/indicators",
            query_string={"unit": unit_code, "from": start.isoformat(), "to": end.isoformat()},
            headers=self.headers,
        )
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.get_data(as_text=True)[:300]}")
        return response.get_json()["metrics"]

    def province_overview(self, now: Any = None) -> tuple[dict, list]:
        """The API's answer (or, given `now`, the engine's for that instant) and the ranking table."""
        from app.indicators.metrics import compute_indicators, indicators_by_unit

        with self.app.app_context():
            metrics = (
                compute_indicators(self.province_id, None, None, *self.period, now=now)
                if now
                else self._api(self.province_code)
            )
            ranking = indicators_by_unit(self.province_id, None, *self.period, now=now)
        return metrics, ranking

    def commune_drilldown(self, now: Any = None) -> tuple[dict, list, list]:
        from app.extensions import db
        from app.indicators.metrics import compute_indicators, dossiers_behind, indicators_by_procedure

        with self.app.app_context():
            metrics = (
                compute_indicators(self.commune_id, None, None, *self.period, now=now)
                if now
                else self._api(BUSIEST)
            )
            by_procedure = indicators_by_procedure(self.commune_id, None, *self.period, now=now)
            statement = dossiers_behind("completed_late", self.commune_id, None, None, *self.period)
            from app.dossiers.models import Dossier

            late = db.session.scalars(statement.order_by(Dossier.completed_at.desc()).limit(50)).all()
            codes = [d.code for d in late]
            db.session.remove()
        return metrics, by_procedure, codes

    def dashboard_page(self) -> str:
        start, end = self.period
        response = self.page_client.get(
            "/stats", query_string={"from": start.isoformat(), "to": end.isoformat()}
        )
        if response.status_code != 200:
            raise RuntimeError(f"/stats: HTTP {response.status_code}")
        return response.get_data(as_text=True)

    def api_indicators(self) -> dict:
        return self._api(self.province_code)

    def province_trend(self) -> list:
        from app.indicators.metrics import monthly_trend

        start = (self.period[1].replace(day=1) - timedelta(days=335)).replace(day=1)
        with self.app.app_context():
            return monthly_trend(self.province_id, None, None, start, self.period[1])

    def naive_province(self, now: Any = None) -> dict:
        from app.extensions import db
        from app.indicators.metrics import period_bounds

        start, end = period_bounds(*self.period)
        with self.app.app_context():
            now = now or _now()
            total = naive(self.all_units, start, end, now, None)
            districts = naive(self.district_of, start, end, now, None)
            db.session.remove()
        return {"total": total["province"], "districts": districts}

    def naive_commune(self, now: Any = None) -> dict:
        from sqlalchemy import text

        from app.extensions import db
        from app.indicators.metrics import period_bounds

        start, end = period_bounds(*self.period)
        with self.app.app_context():
            now = now or _now()
            total = naive(self.commune_units, start, end, now, None)["commune"]
            procedures = [
                r[0] for r in db.session.execute(text("SELECT DISTINCT procedure_code FROM dossiers"))
            ]
            by_procedure = {p: naive(self.commune_units, start, end, now, p)["commune"] for p in procedures}
            db.session.remove()
        return {"total": total, "procedures": by_procedure}


def _now() -> Any:
    from app.core.db import utcnow

    return utcnow()


def agree(cases: Cases) -> list[str]:
    """Ours and naive must give the same numerator and denominator for every compared metric, at
    the same instant (open dossiers become overdue by the second at this size)."""
    notes = []
    now = _now()
    metrics, ranking = cases.province_overview(now)
    naive_p = cases.naive_province(now)
    problems = []
    if engine_pairs(metrics) != as_pairs(naive_p["total"]):
        problems.append(("province", engine_pairs(metrics), as_pairs(naive_p["total"])))
    for row in ranking:
        ours = engine_pairs(row["metrics"])
        theirs = as_pairs(naive_p["districts"].get(row["unit"]["id"], {}))
        if ours != theirs:
            problems.append((row["unit"]["code"], ours, theirs))
    notes.append(f"province + {len(ranking)} districts: {len(COMPARED)} metrics each")
    metrics, by_procedure, late = cases.commune_drilldown(now)
    naive_c = cases.naive_commune(now)
    if engine_pairs(metrics) != as_pairs(naive_c["total"]):
        problems.append(("commune", engine_pairs(metrics), as_pairs(naive_c["total"])))
    for row in by_procedure:
        theirs = as_pairs(naive_c["procedures"].get(row["procedure"]["code"], {}))
        if engine_pairs(row["metrics"]) != theirs:
            problems.append((row["procedure"]["code"], engine_pairs(row["metrics"]), theirs))
    notes.append(
        f"commune + {len(by_procedure)} procedures; late list: {len(late)} of "
        f"{metrics['completed_late']['numerator']:,}"
    )
    if problems:
        raise SystemExit(f"ours and naive disagree: {problems[:3]}")
    notes.append("ours and naive agree on every compared figure")
    return notes


def measure(cases: Cases, requests: int, naive_requests: int) -> dict[str, Timing]:
    pairs = {
        "province overview": (cases.province_overview, cases.naive_province),
        "commune drill-down": (cases.commune_drilldown, cases.naive_commune),
        "province 12-month trend": (cases.province_trend, None),
        "dashboard page /stats (province)": (cases.dashboard_page, None),
        "API /api/v1/stats/indicators (province)": (cases.api_indicators, None),
    }
    results: dict[str, Timing] = {}
    for label, (ours, theirs) in pairs.items():
        sides = [("ours", ours)] + ([("naive", theirs)] if theirs else [])
        for _, fn in sides:  # warm-up
            fn()
        seconds: dict[str, list[float]] = {name: [] for name, _ in sides}
        for i in range(requests):
            for name, fn in sides:
                if name == "naive" and i >= naive_requests:
                    continue  # seconds each: a few suffice, interleaved with ours
                began = time.perf_counter()
                fn()
                seconds[name].append(time.perf_counter() - began)
        for name, values in seconds.items():
            results[f"{label} [{name}]"] = Timing(f"{label} [{name}]", values, sum(values), "req/s")
            log(f"{label} [{name}]: p95 {results[f'{label} [{name}]'].quantile(0.95) * 1e3:.1f} ms")
    return results


def concurrent_page(
    env: Any, cases: Cases, requests: int, compare_with: str | None = None, concurrency: int = 4
) -> dict[str, Timing]:
    """The whole dashboard page over HTTP from `concurrency` supervisors at once, on a real
    `gunicorn -w 4` (the production server). With `compare_with`, a second server runs that tree's
    code on the same database, and the two are asked in alternating batches (same noise for both)."""
    from pathlib import Path
    from urllib.parse import urlencode

    start, end = cases.period
    path = "/stats?" + urlencode({"from": start.isoformat(), "to": end.isoformat()})
    headers = session_headers(env.app, PROVINCE_ADMIN)
    trees = {"ours": Path(__file__).resolve().parents[1]}
    if compare_with:
        trees["before"] = Path(compare_with).resolve()
    label = f"dashboard page /stats (province), {concurrency} supervisors at once, gunicorn -w 4"
    seconds: dict[str, list[float]] = {side: [] for side in trees}
    walls: dict[str, float] = dict.fromkeys(trees, 0.0)
    servers = {
        side: GunicornServer("wsgi:app", env.child_env(), workers=4, chdir=tree)
        for side, tree in trees.items()
    }
    batch = 4 * concurrency
    try:
        for server in servers.values():
            server.__enter__()
            run_http_concurrently(server.port, [path] * (2 * concurrency), headers, concurrency)  # warm-up
        for _ in range(max(1, requests // batch)):
            for side, server in servers.items():
                latencies, wall = run_http_concurrently(server.port, [path] * batch, headers, concurrency)
                seconds[side] += latencies
                walls[side] += wall
    finally:
        for server in servers.values():
            server.__exit__()
    found = {}
    for side in trees:
        timing = Timing(f"{label} [{side}]", seconds[side], walls[side], "req/s")
        log(f"{timing.label}: p95 {timing.quantile(0.95) * 1e3:.1f} ms")
        found[timing.label] = timing
    return found


def facts(app: Any, cases: Cases) -> str:
    from sqlalchemy import text

    from app.extensions import db
    from app.indicators.metrics import period_bounds

    start, end = period_bounds(*cases.period)
    with app.app_context():
        total, month, docs, ratings = db.session.execute(
            text(
                "SELECT (SELECT count(*) FROM dossiers), "
                "(SELECT count(*) FROM dossiers WHERE received_at >= :s AND received_at < :e), "
                "(SELECT count(*) FROM dossier_documents), (SELECT count(*) FROM ratings)"
            ),
            {"s": start, "e": end},
        ).one()
        db.session.remove()
    return (
        f"{total:,} dossiers, {docs:,} documents, {ratings:,} ratings; period {cases.period[0]} .. "
        f"{cases.period[1]}: {month:,} dossiers received in the province"
    )


def run(args: argparse.Namespace) -> None:
    with BenchEnvironment(pool_size=4, database=args.reuse_db, keep_database=args.keep_db) as env:
        rollup_notes = []
        if not env.reuse:
            began = time.perf_counter()
            seed(env.app, env.settings["DATABASE_URL"], args.dossiers)
            seed_facts(env.app)
            log(f"seeded in {time.perf_counter() - began:.0f} s")
        if not env.reuse or not has_rollup(env.app) or args.rebuild_rollup:
            rollup_notes.append(build_rollup(env.app))
        if args.refresh_changed:
            rollup_notes.append(refresh_after_changes(env.app, args.refresh_changed))
        cases = Cases(env.app)
        notes = [*rollup_notes, *agree(cases)]
        results = measure(cases, args.requests, args.naive_requests)
        if args.concurrent_requests:
            results |= concurrent_page(env, cases, args.concurrent_requests, args.compare_with)
        print("Supervisor indicators benchmark: server time in one process, one request at a time")
        print(
            f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{platform.platform()}"
        )
        print(facts(env.app, cases))
        print("\n".join(notes))
        print("\n" + format_table(
            ("case [side]", "n", "p50", "p95", "max", "throughput"), [t.cells() for t in results.values()]
        ))  # fmt: skip
        rows = []
        for label in [k.removesuffix(" [ours]") for k in results if k.endswith("[ours]")]:
            ours = results[f"{label} [ours]"].quantile(0.95)
            others = [results.get(f"{label} [{side}]") for side in ("naive", "before")]
            rows.append(
                [
                    label,
                    f"{ours * 1e3:.1f} ms",
                    *[f"{t.quantile(0.95) * 1e3:.1f} ms" if t else "-" for t in others],
                    "pass" if ours <= TARGET_P95 else "FAIL",
                ]
            )
        print("\nTarget: p95 <= 300 ms server time")
        print(format_table(("case", "ours p95", "naive p95", "before p95", "p95 <= 300 ms"), rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dossiers", type=int, default=1_000_000, help="dossiers to seed (default 1,000,000)"
    )
    parser.add_argument("--reuse-db", metavar="NAME", help="use this already seeded database (not dropped)")
    parser.add_argument("--keep-db", action="store_true", help="keep the freshly seeded database")
    parser.add_argument("--requests", type=int, default=40, help="requests per case (default 40)")
    parser.add_argument(
        "--naive-requests", type=int, default=5, help="requests of the naive side per case (default 5)"
    )
    parser.add_argument("--rebuild-rollup", action="store_true", help="rebuild the daily rollup first")
    parser.add_argument(
        "--refresh-changed",
        type=int,
        default=2000,
        metavar="N",
        help="touch N recent dossiers and time one rollup refresh (default 2,000; 0: skip)",
    )
    parser.add_argument(
        "--concurrent-requests",
        type=int,
        default=80,
        metavar="N",
        help="requests of the page by 4 supervisors at once over gunicorn (default 80; 0: skip)",
    )
    parser.add_argument(
        "--compare-with",
        metavar="TREE",
        help="also serve the page from this checkout (the code before) on the same database, side by side",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    run(args)


if __name__ == "__main__":
    main()
