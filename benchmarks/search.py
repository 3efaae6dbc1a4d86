"""Benchmark of the staff dossier search at scale; prints its figures (see benchmarks/README.md).

    .venv/bin/python benchmarks/search.py [--dossiers N] [--reuse-db NAME] [--keep-db]

Needs DATABASE_URL, REDIS_URL, S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY (scripts/services.sh).
Seeds a fresh database with N dossiers (benchmarks/seed_million.py; default 1,000,000), or reuses a
seeded one, then serves the application with `gunicorn -w 2` on loopback and asks
`GET /api/v1/search/dossiers?...&limit=50` with each user's bearer token (and the page /work/search
once), for the cases below: officers of the busiest commune and of a district land registry, a
district and the province supervisor, an administrator; newest first, the end of a code (serial,
day and serial), a whole code, names with and without diacritics (rare and common), a citizen ID, a
phone, a procedure in one month a year ago, and a deep page.

Before timing, each case's first page is compared with a naive query over `dossiers` that applies
the dossier page's own visibility rule (app.dossiers.permissions.visibility_clause) and the same
filter, ordered the same way: same codes or the run stops. The naive query is also timed (a few
times), to show what the rows of dossier_holders save. Each case gets R requests from C client
threads (http.client), then a pass with one thread. It prints p50/p95/max and requests/s, pass/fail
against p95 <= 100 ms, the number of matching dossiers and EXPLAIN (ANALYZE, BUFFERS) of each page's
statement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from harness import (
    BenchEnvironment,
    GunicornServer,
    Timing,
    bearer_headers,
    format_table,
    log,
    plan_path,
    run_http_concurrently,
    session_headers,
)
from seed_million import seed

TARGET_P95 = 0.100  # seconds
LIMIT = 50
DEEP_ROW = 2_000  # the deep page starts after this row (page 41 of 50)
BUSIEST = "000.21.30.H01"  # UBND xã Cần Đăng
BIRTH = "1.001193"


@dataclass
class Case:
    label: str
    username: str
    params: dict[str, str] = field(default_factory=dict)
    page: bool = False  # the HTML page /work/search instead of the API
    headers: dict[str, str] = field(default_factory=dict)
    matches: int = 0
    plan: str = ""
    sql_ms: float = 0.0
    naive: list[float] = field(default_factory=list)

    def path(self) -> str:
        prefix = "/work/search" if self.page else "/api/v1/search/dossiers"
        return f"{prefix}?" + urlencode({**self.params, "limit": LIMIT})


def _filters(params: dict[str, str]) -> Any:
    from datetime import date

    from app.search.queries import SearchFilters

    return SearchFilters(
        q=params.get("q"),
        procedure=params.get("procedure"),
        date_from=date.fromisoformat(params["from"]) if "from" in params else None,
        date_to=date.fromisoformat(params["to"]) if "to" in params else None,
    )


def _sample(app: Any) -> dict[str, Any]:
    """Real values to search for: a returned dossier of the busiest commune (its code, day, citizen
    ID and phone), the month a year ago."""
    from datetime import date

    from sqlalchemy import select, text

    from app.dossiers.models import Dossier
    from app.extensions import db
    from app.org.models import Unit

    with app.app_context():
        unit_id = db.session.scalar(select(Unit.id).where(Unit.code == BUSIEST))
        row = db.session.execute(
            text(
                "SELECT code, applicant_citizen_id, applicant_phone FROM dossiers "
                "WHERE receiving_unit_id = :unit AND state = 'returned' AND code LIKE '%-0003' "
                "ORDER BY submitted_at DESC LIMIT 1"
            ),
            {"unit": unit_id},
        ).one_or_none()
        if row is None:
            raise SystemExit(
                f"no returned dossier with the serial 0003 received by {BUSIEST}: the cases are about "
                "its officers, so the seeded data must give it dossiers (benchmarks/seed_million.py)"
            )
        total = db.session.scalar(select(db.func.count()).select_from(Dossier))
        db.session.remove()
    today = date.today()
    month = date(today.year - 1, today.month, 1)
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return {
        "code": row.code,
        "day_serial": "-".join(row.code.rsplit("-", 2)[1:]),
        "citizen_id": row.applicant_citizen_id,
        "phone": row.applicant_phone,
        "from": month.isoformat(),
        "to": date.fromordinal(following.toordinal() - 1).isoformat(),
        "total": total,
    }


def build_cases(app: Any, sample: dict[str, Any]) -> list[Case]:
    officer, registry = "tn.candang", "cv.vpdk"
    cases = [
        Case("commune officer: newest", officer),
        Case("commune officer: serial '0003'", officer, {"q": "0003"}),
        Case(
            f"commune officer: day and serial '{sample['day_serial']}'", officer, {"q": sample["day_serial"]}
        ),
        Case("commune officer: whole code", officer, {"q": sample["code"]}),
        Case("commune officer: name 'tran thi thao'", officer, {"q": "tran thi thao"}),
        Case("commune officer: name 'Nguyễn Văn'", officer, {"q": "Nguyễn Văn"}),
        Case("commune officer: name 'thao'", officer, {"q": "thao"}),
        Case("commune officer: citizen ID", officer, {"q": sample["citizen_id"]}),
        Case("commune officer: phone", officer, {"q": sample["phone"]}),
        Case(
            "commune officer: birth registration, a month a year ago",
            officer,
            {"procedure": BIRTH, "from": sample["from"], "to": sample["to"]},
        ),
        Case(f"commune officer: newest, page {DEEP_ROW // LIMIT + 1}", officer),
        Case("land registry: name 'nguyen van'", registry, {"q": "nguyen van"}),
        Case("land registry: serial '0003'", registry, {"q": "0003"}),
        Case("district supervisor: name 'tran thi thao'", "giamsat.chauthanh", {"q": "tran thi thao"}),
        Case("district supervisor: serial '0003'", "giamsat.chauthanh", {"q": "0003"}),
        Case("province supervisor: newest", "giamsat.tinh"),
        Case("province supervisor: name 'nguyen van an'", "giamsat.tinh", {"q": "nguyen van an"}),
        Case("administrator: day and serial", "admin", {"q": sample["day_serial"]}),
        Case("page: commune officer, serial '0003'", officer, {"q": "0003"}, page=True),
    ]
    _deep_cursor(app, cases[10])
    for case in cases:
        case.headers = (session_headers if case.page else bearer_headers)(app, case.username)
    return cases


def _user(username: str) -> Any:
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db

    return db.session.scalar(select(User).where(User.username == username))


def _deep_cursor(app: Any, case: Case) -> None:
    from app.core.cursors import Cursor, encode_cursor
    from app.extensions import db
    from app.search.queries import _scope, search_statement

    with app.app_context():
        units = _scope(_user(case.username))
        rows = db.session.execute(search_statement(units, _filters({}), None, DEEP_ROW)).all()
        case.params["after"] = encode_cursor(Cursor(rows[-1].submitted_at, rows[-1].id))
        db.session.remove()


def _naive(user: Any, params: dict[str, str]) -> Any:
    """The same page straight from `dossiers`: the dossier page's visibility rule and the filter."""
    from datetime import datetime, time, timedelta

    from sqlalchemy import and_, select

    from app.core.time import VN_TZ
    from app.dossiers.models import Dossier
    from app.dossiers.permissions import visibility_clause
    from app.search import terms

    query = select(Dossier.code).where(visibility_clause(user))
    term = terms.read_term(params.get("q"))
    if term is not None:
        query = query.where(
            {
                terms.CODE: lambda: Dossier.code == term.value,
                terms.CODE_END: lambda: Dossier.code.like("%" + term.value),
                terms.CITIZEN_ID: lambda: Dossier.applicant_citizen_id == term.value,
                terms.PHONE: lambda: Dossier.applicant_phone == term.value,
                terms.NAME: lambda: and_(*(Dossier.applicant_name_search.like(f"%{w}%") for w in term.words)),
            }[term.kind]()
        )
    if "procedure" in params:
        query = query.where(Dossier.procedure_code == params["procedure"])
    for key, op in (("from", "__ge__"), ("to", "__lt__")):
        if key in params:
            day = datetime.fromisoformat(params[key]).date() + timedelta(days=key == "to")
            query = query.where(getattr(Dossier.submitted_at, op)(datetime.combine(day, time(0), VN_TZ)))
    return query.order_by(Dossier.submitted_at.desc(), Dossier.id.desc()).limit(LIMIT)


def check_against_naive(app: Any, cases: list[Case], server: GunicornServer, repeat: int) -> list[str]:
    """Our first page of each case (over HTTP) equals the naive query's; the naive query timed."""
    import http.client

    from app.extensions import db

    notes = []
    with app.app_context():
        for case in cases:
            if case.page or "after" in case.params:
                continue
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            conn.request("GET", case.path(), headers=case.headers)
            response = conn.getresponse()
            body = json.loads(response.read())
            conn.close()
            if response.status != 200:
                raise RuntimeError(f"{case.label}: HTTP {response.status}: {body}")
            ours = [item["code"] for item in body["items"]]
            user = _user(case.username)
            for _ in range(repeat):
                began = time.perf_counter()
                naive = list(db.session.scalars(_naive(user, case.params)))
                case.naive.append(time.perf_counter() - began)
            if ours != naive:
                raise RuntimeError(f"{case.label}: ours and naive differ: {ours[:5]} / {naive[:5]}")
            notes.append(f"{case.label}: {len(ours)} rows, same as naive: OK")
            db.session.rollback()
        db.session.remove()
    return notes


def explain(app: Any, cases: list[Case]) -> None:
    """Matching dossiers, and EXPLAIN (ANALYZE, BUFFERS) of each page's statement as the driver
    receives it (run three times, the last kept)."""
    from sqlalchemy import event, func, select

    from app.core.cursors import decode_cursor
    from app.extensions import db
    from app.search.queries import _scope, search_statement

    captured: list[tuple[str, Any]] = []

    def grab(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        captured.append((statement, parameters))

    with app.app_context():
        for case in cases:
            units = _scope(_user(case.username))
            cursor = decode_cursor(case.params["after"]) if "after" in case.params else None
            statement = search_statement(units, _filters(case.params), cursor, LIMIT + 1)
            inner = search_statement(units, _filters(case.params), None, 10**9).subquery()
            case.matches = db.session.scalar(select(func.count()).select_from(inner))
            event.listen(db.engine, "before_cursor_execute", grab)
            try:
                db.session.execute(statement).all()
            finally:
                event.remove(db.engine, "before_cursor_execute", grab)
            sql, parameters = captured[-1]
            raw = db.session.connection().connection.driver_connection
            for _ in range(3):
                plan = raw.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, parameters).fetchone()[0]
            top = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
            case.sql_ms, case.plan = top["Execution Time"], plan_path(top["Plan"])
            db.session.rollback()
        db.session.remove()


def measure(cases: list[Case], server: GunicornServer, requests: int, concurrency: int) -> dict[str, Timing]:
    results = {}
    for case in cases:
        run_http_concurrently(server.port, [case.path()] * (2 * concurrency), case.headers, concurrency)
        latencies, wall = run_http_concurrently(
            server.port, [case.path()] * requests, case.headers, concurrency
        )
        results[case.label] = Timing(case.label, latencies, wall, "req/s")
        log(f"{case.label}: p95 {results[case.label].quantile(0.95) * 1e3:.1f} ms")
    return results


def report(cases: list[Case], results: dict[str, Timing], title: str) -> None:
    rows = []
    for case in cases:
        cells = results[case.label].cells()
        p95 = results[case.label].quantile(0.95)
        rows.append([*cells, "pass" if p95 <= TARGET_P95 else "FAIL"])
    print(f"\n{title}")
    print(format_table(("case", "n", "p50", "p95", "max", "throughput", "p95 <= 100 ms"), rows))


def run(args: argparse.Namespace) -> None:
    with BenchEnvironment(pool_size=4, database=args.reuse_db, keep_database=args.keep_db) as env:
        if not env.reuse:
            began = time.perf_counter()
            timings = seed(env.app, env.settings["DATABASE_URL"], args.dossiers)
            log(
                f"seeded in {time.perf_counter() - began:.0f} s: "
                + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
            )
        sample = _sample(env.app)
        cases = build_cases(env.app, sample)
        explain(env.app, cases)
        child = {**env.child_env(), "DATABASE_URL": env.settings["DATABASE_URL"]}
        with GunicornServer("wsgi:app", child, workers=args.workers) as server:
            notes = check_against_naive(env.app, cases, server, args.naive_requests)
            loaded = measure(cases, server, args.requests, args.concurrency)
            serial = measure(cases, server, args.serial_requests, 1) if args.serial_requests else None

    print(f"Staff dossier search benchmark: C={args.concurrency} client threads, gunicorn -w {args.workers}")
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.platform()}"
    )
    print(f"{sample['total']:,} dossiers; sample: {sample['code']} (citizen ID, phone of its applicant)")
    print("\n" + format_table(
        ("case", "user", "matching dossiers", "SQL (EXPLAIN ANALYZE)", "plan"),
        [[c.label, c.username, f"{c.matches:,}", f"{c.sql_ms:.2f} ms", c.plan] for c in cases],
    ))  # fmt: skip
    print("\n" + "\n".join(notes))
    report(cases, loaded, f"{args.requests} requests per case, {args.concurrency} threads")
    if serial:
        report(cases, serial, f"Service time: {args.serial_requests} requests per case, 1 thread")
    naive_rows = [
        Timing(f"{c.label} [naive]", c.naive, sum(c.naive), "req/s").cells() for c in cases if c.naive
    ]
    print(f"\nThe naive query over dossiers (visibility rule + filter), {args.naive_requests} runs each")
    print(format_table(("case", "n", "p50", "p95", "max", "throughput"), naive_rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dossiers", type=int, default=1_000_000, help="dossiers to seed (default 1,000,000)"
    )
    parser.add_argument("--reuse-db", metavar="NAME", help="use this already seeded database (not dropped)")
    parser.add_argument("--keep-db", action="store_true", help="keep the freshly seeded database")
    parser.add_argument("--requests", type=int, default=200, help="requests per case (default 200)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--serial-requests", type=int, default=50, help="one-thread pass; 0 skips it")
    parser.add_argument("--naive-requests", type=int, default=3, help="runs of the naive query per case")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # `kill` runs the cleanup too
    run(args)


if __name__ == "__main__":
    main()
