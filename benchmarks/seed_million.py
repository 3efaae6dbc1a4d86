"""Seed a benchmark database with N dossiers (default 1,000,000), their steps and events.

    .venv/bin/python benchmarks/seed_million.py [--dossiers N]

Creates a database bench_<id>, migrates it to "heads", seeds the demo data, then generates
the dossiers inside PostgreSQL (INSERT ... SELECT over generate_series; procedure, unit and state
from a weighted slot table picked by a multiplicative hash of the row number, so steps and events
can recompute it; names from small arrays picked by random()), and leaves the database in place for
`benchmarks/queue.py --reuse-db NAME` (drop it with `DROP DATABASE`). Used as a module by queue.py.

The mix: the six demo procedures at their receiving units (commune People's Committees, district
one-stop sections, the province centre), UBND xã Cần Đăng taking the largest share; 70% returned,
8% submitted, 10% in appraisal, 3% paused for a supplement, 4% awaiting approval, 3% result ready,
2% refused or withdrawn. Open dossiers sit in the unit that holds them (liên thông land dossiers
at the district land registry or People's Committee). Times span the past two years; due times are
calendar approximations of the working-day budgets (1.4 calendar days per working day), and about
a fifth of the open dossiers are overdue. Every column of `dossiers` the model declares is filled:
unknown NOT NULL columns stop the run, so a new column must be added to `EXTRA_COLUMNS`.
"""

# ruff: noqa: S608  (the SQL is assembled from this file's own constants and the model's column names)

from __future__ import annotations

import argparse
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from harness import BenchEnvironment, log

FAMILY = "Nguyễn Trần Lê Phạm Huỳnh Hoàng Võ Phan Trương Bùi Đặng Đỗ Ngô Hồ Dương Lý Châu Đinh Lâm Tạ".split()
MIDDLE = (
    "Văn Thị Minh Ngọc Thanh Hoài Quốc Đức Thu Kim Hữu Công Bảo Gia Xuân Mỹ Hồng Phương Tuấn Diệu".split()
)
GIVEN = (
    "An Bình Cường Dũng Đạt Giang Hà Hải Hạnh Hiếu Hòa Hùng Hương Khánh Khoa Lan Linh Lộc Long Mai Nam "
    "Nga Ngân Nhung Phát Phúc Quân Quyên Sơn Tâm Thảo Thắng Thủy Trang Trí Trung Tuấn Uyên Vy Yến Ánh Ẩn"
).split()
HAMLETS = "An Hòa|Bình Thạnh|Tân Lợi|Hòa Long|Vĩnh Phú|Mỹ Thới|Long Kiến|Phú Hữu".split("|")

PROCEDURE_WEIGHTS = {
    "1.001193": 28,
    "2.000815": 30,
    "1.012790": 17,
    "2.000720": 8,
    "1.009979": 7,
    "2.000488": 10,
}
BUSIEST = "000.21.30.H01"  # UBND xã Cần Đăng: 45% of the commune dossiers
CATEGORY_WEIGHTS = {
    "returned": 70,
    "submitted": 8,
    "appraisal": 10,
    "supplement": 3,
    "approval": 4,
    "result_ready": 3,
    "closed": 2,
}
WORKING = ("appraisal", "supplement", "approval")  # assigned to a specialist of the holding unit
# category -> [(state, where, weight)]; where: "recv" receiving unit, or the kind of the unit that
# holds the dossier ("@district" = the district People's Committee above the receiving unit).
DEFAULT_STATES = {
    "returned": [("returned", "recv", 1)],
    "submitted": [("submitted", "recv", 1)],
    "appraisal": [("appraising", "work", 1)],
    "supplement": [("supplement_requested", "work", 1)],
    "approval": [("awaiting_approval", "work", 1)],
    "result_ready": [("result_ready", "recv", 1)],
    "closed": [("refused", "recv", 1), ("withdrawn", "recv", 1)],
}
WORK_UNIT = {"2.000720": "finance_planning", "1.009979": "urban_management", "2.000488": "justice"}
OVERRIDES = {
    "1.009979": {"approval": [("awaiting_approval", "@district", 1)]},
    "1.012790": {
        "appraisal": [("commune_verifying", "recv", 1), ("registry_appraising", "land_registry", 1)],
        "supplement": [
            ("commune_supplement", "recv", 1),
            ("registry_supplement", "land_registry", 1),
            ("payment_requested", "land_registry", 1),
        ],
        "approval": [("leader_approving", "@district", 1)],
    },
}
# events per category: (transition, to_state or None = the dossier's state); times spread evenly
EVENTS = {
    "submitted": [("submit", None)],
    "closed": [("submit", "submitted"), ("close", None)],
    "appraisal": [("submit", "submitted"), ("accept", "accepted"), ("assign", None)],
    "supplement": [
        ("submit", "submitted"),
        ("accept", "accepted"),
        ("assign", "appraising"),
        ("request_supplement", None),
    ],
    "approval": [
        ("submit", "submitted"),
        ("accept", "accepted"),
        ("assign", "appraising"),
        ("propose", None),
    ],
    "result_ready": [
        *[("submit", "submitted"), ("accept", "accepted"), ("assign", "appraising")],
        *[("approve", "approved"), ("complete", None)],
    ],
    "returned": [
        *[("submit", "submitted"), ("accept", "accepted"), ("assign", "appraising")],
        *[("approve", "approved"), ("complete", "result_ready"), ("deliver", None)],
    ],
}
SLOTS = 100_000
HASH = "((({g})::bigint * {m}) % 4294967296)"  # Knuth's multiplicative hash of the row number
# Columns other helpers add to `dossiers`: name -> SQL over the generator's row (see _dossier_sql).
# queue_due_at mirrors app.dossiers.models.queue_sort_key (checked on a sample after the load).
EXTRA_COLUMNS = {
    "applicant_name_search": "x.name_search",
    "queue_due_at": "CASE WHEN x.category IN ('returned', 'closed') THEN NULL "
    "ELSE coalesce(x.due_at, x.submitted_at) END",
    # working minutes approximated as a third of the calendar minutes (8 working hours a day)
    "processing_minutes": "CASE WHEN x.completed_at IS NOT NULL "
    "THEN (extract(epoch FROM x.completed_at - x.received_at) / 180)::int END",
    # no documents yet: benchmarks/indicators.py adds them and sets these from them
    "has_digitised_inputs": "false",
    "has_reused_document": "false",
    "has_result_document": "false",
    "rating_overall": "NULL::smallint",
    "rating_time": "NULL",
    "rating_contacts": "NULL",
    "rating_conduct": "NULL",
    # the area at the procedure's competent level of the receiving unit, as app.workflow.routing picks it
    "competent_unit_id": "x.competent_unit_id",
    "dispatch_reason": "NULL",
    "received_outside_area": "false",
}


@dataclass
class Combo:
    procedure_code: str
    procedure_version: int
    receiving_unit_id: int
    unit_code: str
    unit_name: str
    state: str
    national_status: int
    current_unit_id: int
    category: str
    span_hours: float
    budget_kind: str
    budget_amount: int
    summary: str
    assignee_id: int | None
    weight: float
    competent_unit_id: int | None = None


def _combos(app: Any) -> list[Combo]:
    from datetime import date

    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db
    from app.org.models import Unit
    from app.procedures import get_registry

    with app.app_context():
        units = list(db.session.scalars(select(Unit)))
        specialists = {
            u.unit_id: u.id for u in db.session.scalars(select(User).where(User.role == "specialist"))
        }
        procedures = [get_registry().current(code, date.today()) for code in PROCEDURE_WEIGHTS]
        db.session.remove()
    by_id = {u.id: u for u in units}

    def district_of(unit: Any) -> Any:
        while unit.level != "district" or unit.kind != "people_committee":
            unit = by_id[unit.parent_id]
        return unit

    def area_of(unit: Any, level: str) -> int | None:
        """The topmost ancestor-or-self at `level` (app.org.queries.area_at_level)."""
        found = None
        while unit is not None:
            if unit.level == level:
                found = unit.id
            unit = by_id.get(unit.parent_id)
        return found

    def find(kind: str, recv: Any) -> Any:
        if kind == "@district":
            return district_of(recv)
        district = district_of(recv) if recv.level != "province" else None
        candidates = [u for u in units if u.kind == kind and (district is None or u.parent_id == district.id)]
        return candidates[0]

    combos: list[Combo] = []
    for proc in procedures:
        receiving = [u for u in units if u.level == proc.receiving_level and u.kind in proc.receiving_kinds]
        shares = {
            u.id: (9.0 if u.code == BUSIEST else 2.2 if u.level == "commune" else 1.0) for u in receiving
        }
        if proc.receiving_level == "district":
            shares = {u.id: 1.5 if ".30." in u.code else 1.0 for u in receiving}
        total_share = sum(shares.values())
        deadline = proc.deadline
        span = (
            8.0
            if deadline.kind == "same_day"
            else deadline.amount * (33.6 if deadline.kind == "working_days" else 1.4)
        )
        competent_of = {u.id: area_of(u, proc.competent_level) for u in receiving}
        for recv in receiving:
            for category, weight in CATEGORY_WEIGHTS.items():
                options = OVERRIDES.get(proc.code, {}).get(category, DEFAULT_STATES[category])
                option_total = sum(w for _, _, w in options)
                for state_name, where, w in options:
                    if where == "recv" or (where == "work" and proc.code not in WORK_UNIT):
                        holder = recv
                    else:
                        holder = find(WORK_UNIT[proc.code] if where == "work" else where, recv)
                    state = proc.states[state_name]
                    share = PROCEDURE_WEIGHTS[proc.code] * shares[recv.id] / total_share
                    combos.append(
                        Combo(
                            proc.code, proc.version, recv.id, recv.code, recv.name, state_name,
                            state.national_code, holder.id, category, span, deadline.kind,
                            deadline.amount, proc.name.vi[:500],
                            specialists.get(holder.id) if category in WORKING else None,
                            share * weight * w / option_total, competent_of[recv.id],
                        )
                    )  # fmt: skip
    return combos


def _slots(combos: list[Combo]) -> list[tuple[int, int]]:
    """SLOTS slots shared out by weight (largest remainder), each pointing at a combo."""
    total = sum(c.weight for c in combos)
    exact = [c.weight / total * SLOTS for c in combos]
    counts = [int(e) for e in exact]
    for i in sorted(range(len(combos)), key=lambda i: exact[i] - counts[i], reverse=True)[
        : SLOTS - sum(counts)
    ]:
        counts[i] += 1
    slots, start = [], 0
    for combo_id, count in enumerate(counts):
        slots.extend((start + k, combo_id) for k in range(count))
        start += count
    return slots


def _sql_array(values: list[str]) -> str:
    return "(ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[])"


def _dossier_sql(columns: list[str], base: int, n: int) -> str:
    """INSERT ... SELECT of n dossiers with ids base+1 .. base+n."""
    from app.procedures.queries import search_words

    def normalize_text(word: str) -> str:
        return " ".join(search_words(word))

    fam, mid, giv = (_sql_array(a) for a in (FAMILY, MIDDLE, GIVEN))
    fam_s, mid_s, giv_s = (_sql_array([normalize_text(w) for w in a]) for a in (FAMILY, MIDDLE, GIVEN))
    h_slot = HASH.format(g="g", m=2654435761)  # recomputed from the id for steps and events
    values = {
        "id": f"{base} + x.g",
        # receipt date and the serial of the unit's day, as app.dossiers.codes issues them (4 digits, more
        # when a day has more than 9,999)
        "code": "x.unit_code || '-' || to_char(x.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') "
        "|| '-' || lpad(x.serial::text, greatest(4, length(x.serial::text)), '0')",
        "version": "1",
        "procedure_code": "x.procedure_code",
        "procedure_version": "x.procedure_version",
        "state": "x.state",
        "national_status": "x.national_status",
        "channel": "(ARRAY['online','online','online','counter','counter','postal'])[1 + x.ha % 6]",
        "summary": "x.summary",
        "data": "'{}'::jsonb",
        "applicant_id": "NULL",
        "applicant_name": "x.name",
        "applicant_citizen_id": "'089' || (x.hb % 4)::text || lpad(((x.hb / 4) % 100)::text, 2, '0') "
        "|| lpad((x.g % 1000000)::text, 6, '0')",
        "applicant_phone": "'09' || lpad((x.hb % 100000000)::text, 8, '0')",
        "applicant_email": "NULL",
        "applicant_address": f"'ấp ' || {_sql_array(HAMLETS)}[1 + x.ha % {len(HAMLETS)}] "
        "|| ', ' || x.unit_name",
        "receiving_unit_id": "x.receiving_unit_id",
        "current_unit_id": "x.current_unit_id",
        "assignee_id": "x.assignee_id",
        "created_by_id": "NULL",
        "origin_dossier_id": "NULL",
        "submitted_at": "x.submitted_at",
        "received_at": "x.received_at",
        "due_at": "x.due_at",
        "appointment_at": "x.due_at",
        "completed_at": "x.completed_at",
        "returned_at": "x.returned_at",
        "return_method": "CASE WHEN x.returned_at IS NOT NULL THEN 'counter' END",
        "outcome": "CASE WHEN x.completed_at IS NULL THEN NULL "
        "WHEN x.completed_at <= x.due_at - interval '1 day' THEN 'early' "
        "WHEN x.completed_at <= x.due_at THEN 'on_time' ELSE 'late' END",
        "paused_at": "CASE WHEN x.category = 'supplement' THEN x.updated_at END",
        "paused_minutes": "0",
        "is_extended": "false",
        "extension_reason": "NULL",
        "updated_at": "x.updated_at",
        **EXTRA_COLUMNS,
    }
    missing = [c for c in columns if c not in values]
    if missing:
        raise SystemExit(
            f"dossiers has columns the generator does not know: {missing}; add them to EXTRA_COLUMNS"
        )
    rows = f"""
      SELECT b.*, c.*,
        {fam}[1 + b.ha % {len(FAMILY)}] || ' ' || {mid}[1 + (b.ha / 97) % {len(MIDDLE)}] || ' '
          || {giv}[1 + b.hb % {len(GIVEN)}] AS name,
        {fam_s}[1 + b.ha % {len(FAMILY)}] || ' ' || {mid_s}[1 + (b.ha / 97) % {len(MIDDLE)}] || ' '
          || {giv_s}[1 + b.hb % {len(GIVEN)}] AS name_search,
        CASE WHEN c.category IN ('returned', 'closed')
             THEN now() - make_interval(secs => 3600 * (c.span_hours * 1.3 + 96) + b.r1 * 86400 * 720)
             WHEN c.category = 'submitted' THEN NULL
             ELSE now() - make_interval(secs => 3600 * c.span_hours * 1.25 * b.r1) END AS recv_at
      FROM (SELECT g, {h_slot} % {SLOTS} AS slot, (random() * 4294967295)::bigint AS ha,
                   (random() * 4294967295)::bigint AS hb,
                   random() AS r1, random() AS r2, random() AS r3
            FROM generate_series(1, {n}) AS g) b
      JOIN bench_slot s ON s.slot = b.slot JOIN bench_combo c ON c.id = s.combo_id"""
    timed = f"""
      SELECT y.*,
        CASE WHEN y.category = 'submitted' THEN now() - make_interval(secs => 259200 * y.r2)
             ELSE y.recv_at - make_interval(secs => 43200 * y.r2) END AS submitted_at,
        CASE WHEN y.category = 'closed' AND y.state = 'refused' OR y.category = 'submitted' THEN NULL
             ELSE y.recv_at END AS received_at,
        CASE WHEN y.category = 'submitted' OR y.category = 'closed' AND y.state = 'refused' THEN NULL
             ELSE y.recv_at + make_interval(secs => 3600 * y.span_hours) END AS due_at,
        CASE WHEN y.category = 'returned'
             THEN y.recv_at + make_interval(secs => 3600 * y.span_hours * (0.3 + 0.85 * y.r3))
             WHEN y.category = 'result_ready' THEN y.recv_at + (now() - y.recv_at) * (0.5 + 0.4 * y.r3)
             END AS completed_at
      FROM ({rows}) y"""
    final = f"""
      SELECT z.*,
        CASE WHEN z.category = 'returned'
             THEN z.completed_at + make_interval(secs => 259200 * z.r2) END AS returned_at,
        CASE WHEN z.category = 'returned' THEN z.completed_at + make_interval(secs => 259200 * z.r2)
             WHEN z.category = 'result_ready' THEN z.completed_at
             WHEN z.category = 'submitted' THEN z.submitted_at
             WHEN z.category = 'closed' THEN z.submitted_at + make_interval(secs => 86400 * z.r3)
             ELSE z.recv_at + (now() - z.recv_at) * (0.2 + 0.7 * z.r3) END AS updated_at,
        row_number() OVER (
            PARTITION BY z.receiving_unit_id, (z.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
            ORDER BY z.submitted_at, z.g) AS serial
      FROM ({timed}) z"""
    return (
        f"INSERT INTO dossiers ({', '.join(columns)})\n"
        f"SELECT {', '.join(values[c] for c in columns)}\nFROM ({final}) x"
    )


def _steps_sql(base: int) -> str:
    """Leg 1 at the receiving unit for every accepted dossier; leg 2 where another unit holds or
    held it (the finished ones keep their leg at the receiving unit only)."""
    cols = "dossier_id, seq, name, unit_id, budget_kind, budget_amount, started_at, due_at, finished_at, outcome, paused_at, paused_minutes, given_by_id, assignee_id, near_due_at"  # noqa: E501
    forwarded = "d.current_unit_id <> d.receiving_unit_id"
    return f"""
    INSERT INTO dossier_steps ({cols})
    SELECT d.id, 1, 'Tiếp nhận và xử lý tại ' || u.name, d.receiving_unit_id, c.budget_kind, c.budget_amount,
           d.received_at,
           CASE WHEN {forwarded} THEN d.received_at + (d.due_at - d.received_at) * 0.4 ELSE d.due_at END,
           CASE WHEN {forwarded} THEN d.received_at + (d.updated_at - d.received_at) * 0.3
                WHEN d.completed_at IS NOT NULL OR d.state = 'withdrawn'
                THEN coalesce(d.completed_at, greatest(d.updated_at, d.received_at)) END,
           CASE WHEN {forwarded} THEN 'early' WHEN d.completed_at IS NOT NULL THEN d.outcome END,
           CASE WHEN NOT {forwarded} THEN d.paused_at END, 0, NULL::int,
           CASE WHEN NOT {forwarded} THEN d.assignee_id END, NULL::timestamptz
    FROM dossiers d JOIN units u ON u.id = d.receiving_unit_id
    JOIN bench_slot s ON s.slot = {HASH.format(g=f"d.id - {base}", m=2654435761)} % {SLOTS}
    JOIN bench_combo c ON c.id = s.combo_id
    WHERE d.id > {base} AND d.received_at IS NOT NULL
    UNION ALL
    SELECT d.id, 2, 'Xử lý tại ' || u.name, d.current_unit_id, c.budget_kind, c.budget_amount,
           d.received_at + (d.updated_at - d.received_at) * 0.3, d.due_at - (d.due_at - d.received_at) * 0.1,
           NULL, NULL, d.paused_at, 0, NULL, d.assignee_id, NULL::timestamptz
    FROM dossiers d JOIN units u ON u.id = d.current_unit_id
    JOIN bench_slot s ON s.slot = {HASH.format(g=f"d.id - {base}", m=2654435761)} % {SLOTS}
    JOIN bench_combo c ON c.id = s.combo_id
    WHERE d.id > {base} AND {forwarded}"""


def _holders_sql(base: int) -> str:
    """The units that hold or held each dossier (receiving, holding now, each step's) with the copied
    search keys (app.search.models.holder_keys; the generated phones are already in national form)."""
    return f"""
    INSERT INTO dossier_holders (unit_id, dossier_id, submitted_at, procedure_code, code_reversed,
                                 name_search, citizen_id, phone)
    SELECT h.unit_id, d.id, d.submitted_at, d.procedure_code, reverse(d.code), d.applicant_name_search,
           d.applicant_citizen_id, d.applicant_phone
    FROM (SELECT id AS dossier_id, receiving_unit_id AS unit_id FROM dossiers WHERE id > {base}
          UNION SELECT id, current_unit_id FROM dossiers WHERE id > {base}
          UNION SELECT dossier_id, unit_id FROM dossier_steps WHERE dossier_id > {base}) h
    JOIN dossiers d ON d.id = h.dossier_id"""


# Instants in a snapshot are ISO 8601 in Vietnam time, as app.core.time.local_iso writes them.
_LOCAL_ISO = "to_char({} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+07:00\"')"


def _events_sql(base: int) -> str:
    """Events with the snapshot the engine takes (app.dossiers.snapshots.take): the state the event
    led to, the unit holding the dossier now, its instants; no step or actor (generated events have
    no actor). Each has its place in the dossier's history (`seq`) but no hash: `flask audit verify`
    reports generated data as unsealed."""
    instants = ", ".join(
        f"'{name}', {_LOCAL_ISO.format('d.' + name)}"
        for name in ("received_at", "due_at", "appointment_at", "completed_at", "returned_at", "paused_at")
    )
    return f"""
    INSERT INTO dossier_events (dossier_id, transition, from_state, to_state, actor_id, actor_unit_id,
                                created_at, comment, payload, snapshot, seq)
    SELECT d.id, t.transition, t.from_state, coalesce(t.to_state, d.state), NULL,
           CASE WHEN t.seq = 1 THEN NULL WHEN t.seq <= 2 THEN d.receiving_unit_id ELSE d.current_unit_id END,
           d.submitted_at + (d.updated_at - d.submitted_at) * (t.seq - 1) / greatest(t.n - 1, 1),
           CASE WHEN t.transition IN ('request_supplement', 'close') THEN 'Sinh tự động cho đo tải' END,
           '{{}}'::jsonb,
           jsonb_build_object(
               'v', 1, 'state', coalesce(t.to_state, d.state), 'national_status', d.national_status,
               'unit', jsonb_build_object('id', u.id, 'code', u.code, 'name', u.name, 'name_en', u.name_en),
               {instants}, 'is_extended', false, 'step', NULL, 'acted_in', NULL, 'actor', NULL),
           t.seq
    FROM dossiers d
    JOIN units u ON u.id = d.current_unit_id
    JOIN bench_slot s ON s.slot = {HASH.format(g=f"d.id - {base}", m=2654435761)} % {SLOTS}
    JOIN bench_combo c ON c.id = s.combo_id
    JOIN bench_event t ON t.category = c.category
    WHERE d.id > {base}"""


def _templates(conn: Any, combos: list[Combo]) -> None:
    fields = list(Combo.__dataclass_fields__)
    conn.execute(
        "CREATE TEMP TABLE bench_combo (id int PRIMARY KEY, procedure_code text, procedure_version int, "
        "receiving_unit_id int, unit_code text, unit_name text, state text, national_status int, "
        "current_unit_id int, category text, span_hours float8, budget_kind text, budget_amount int, "
        "summary text, assignee_id int, weight float8, competent_unit_id int)"
    )
    with conn.cursor().copy(f"COPY bench_combo (id, {', '.join(fields)}) FROM STDIN") as copy:
        for i, c in enumerate(combos):
            copy.write_row([i, *(getattr(c, f) for f in fields)])
    conn.execute("CREATE TEMP TABLE bench_slot (slot int PRIMARY KEY, combo_id int)")
    with conn.cursor().copy("COPY bench_slot FROM STDIN") as copy:
        for row in _slots(combos):
            copy.write_row(row)
    conn.execute(
        "CREATE TEMP TABLE bench_event "
        "(category text, seq int, n int, transition text, from_state text, to_state text)"
    )
    with conn.cursor().copy("COPY bench_event FROM STDIN") as copy:
        for category, events in EVENTS.items():
            previous = None
            for seq, (transition, to_state) in enumerate(events, start=1):
                copy.write_row([category, seq, len(events), transition, previous, to_state])
                previous = to_state
    conn.execute("ANALYZE bench_combo; ANALYZE bench_slot; ANALYZE bench_event")


def seed(app: Any, database_url: str, dossiers: int) -> dict[str, float]:
    """Generate the dossiers, steps and events into the (migrated, demo-seeded) database."""
    import psycopg
    from sqlalchemy.engine import make_url

    from app.dossiers.models import Dossier

    columns = [c.name for c in Dossier.__table__.columns]
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    timings: dict[str, float] = {}
    combos = _combos(app)
    with psycopg.connect(conninfo) as conn:
        conn.execute("SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'; SELECT setseed(0.2026)")
        _templates(conn, combos)
        base = conn.execute("SELECT coalesce(max(id), 0) FROM dossiers").fetchone()[0]
        for label, sql in (
            ("dossiers", _dossier_sql(columns, base, dossiers)),
            ("steps", _steps_sql(base)),
            ("holders", _holders_sql(base)),
            ("events", _events_sql(base)),
        ):
            began = time.perf_counter()
            with _indexes_built_after(conn, "dossier_holders" if label == "holders" else None):
                count = conn.execute(sql).rowcount
            conn.commit()
            timings[label] = time.perf_counter() - began
            log(f"{count:,} {label} in {timings[label]:.1f} s")
        for table in ("dossiers", "dossier_steps", "dossier_events"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        conn.commit()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        began = time.perf_counter()
        conn.execute("VACUUM ANALYZE dossiers, dossier_steps, dossier_holders, dossier_events")
        timings["vacuum analyze"] = time.perf_counter() - began
        log(f"VACUUM ANALYZE in {timings['vacuum analyze']:.1f} s")
    _check_sample(app)
    return timings


@contextlib.contextmanager
def _indexes_built_after(conn: Any, table: str | None) -> Any:
    """Drop the table's secondary indexes for a bulk insert and build them again from their own
    definitions (pg_get_indexdef) afterwards: one build each instead of a million insertions into a
    trigram index."""
    if table is None:
        yield
        return
    indexes = conn.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
        (table,),
    ).fetchall()
    for name, _definition in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _name, definition in indexes:
        conn.execute(definition)


def _check_sample(app: Any) -> None:
    """The generated applicant_name_search and queue_due_at must be what the app's own code computes
    (the applicant_name validator and queue_sort_key), on a random sample."""
    from sqlalchemy import select, text

    from app.dossiers.models import Dossier, queue_sort_key
    from app.extensions import db
    from app.procedures.queries import search_words

    with app.app_context():
        sample = db.session.scalars(
            select(Dossier).from_statement(text("SELECT * FROM dossiers TABLESAMPLE SYSTEM (1) LIMIT 2000"))
        ).all()
        bad = [
            (d.applicant_name, d.applicant_name_search, d.queue_due_at, queue_sort_key(d))
            for d in sample
            if d.applicant_name_search != " ".join(search_words(d.applicant_name))
            or d.queue_due_at != queue_sort_key(d)
        ]
        db.session.rollback()
        db.session.remove()
    if bad:
        raise SystemExit(f"generated columns differ from the app's computation, e.g. {bad[:3]}")
    log(f"applicant_name_search and queue_due_at equal the app's computation on {len(sample)} sampled rows")
    _check_holders(app)


def _check_holders(app: Any) -> None:
    """The generated dossier_holders rows: the units the flush listener would have written (receiving,
    holding now, every step's) with app.search.models.holder_keys, on a random sample."""
    from sqlalchemy import select, text

    from app.dossiers.models import Dossier, DossierStep
    from app.extensions import db
    from app.search.models import DossierHolder, holder_keys

    with app.app_context():
        sample = db.session.scalars(
            select(Dossier).from_statement(text("SELECT * FROM dossiers TABLESAMPLE SYSTEM (0.2) LIMIT 500"))
        ).all()
        bad = []
        for dossier in sample:
            steps = db.session.scalars(
                select(DossierStep.unit_id).where(DossierStep.dossier_id == dossier.id)
            )
            rows = db.session.scalars(
                select(DossierHolder).where(DossierHolder.dossier_id == dossier.id)
            ).all()
            wanted = {dossier.receiving_unit_id, dossier.current_unit_id, *steps}
            keys = holder_keys(dossier)
            if {r.unit_id for r in rows} != wanted or any(
                {k: getattr(r, k) for k in keys} != keys for r in rows
            ):
                bad.append(dossier.code)
        db.session.rollback()
        db.session.remove()
    if bad:
        raise SystemExit(f"generated dossier_holders differ from what the app writes, e.g. {bad[:3]}")
    log(f"dossier_holders equal what the app writes on {len(sample)} sampled dossiers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    args = parser.parse_args()
    began = time.perf_counter()
    with BenchEnvironment(pool_size=2) as env:
        timings = seed(env.app, env.settings["DATABASE_URL"], args.dossiers)
        env.keep_database = True  # only a complete load is worth keeping
    total = time.perf_counter() - began
    print(f"seeded {env.database}: {args.dossiers:,} dossiers in {total:.1f} s ({timings})")


if __name__ == "__main__":
    main()
