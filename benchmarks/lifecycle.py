"""Benchmark of the dossier lifecycle core; prints its figures (see benchmarks/README.md).

    .venv/bin/python benchmarks/lifecycle.py [--dossiers N] [--concurrency C]

Needs DATABASE_URL, REDIS_URL, S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY (scripts/services.sh
starts throw-away ones). Creates its own database, bucket and rq queue and removes them at the end.

1. SLA clock: WorkingCalendar.due_at alone (30 working days; same day).
2. Online submission through the API (citizen, birth registration, its required documents as small
   PDFs) on C threads; checks that the dossier codes are distinct and gap-free.
3. The `accept` transition through the API by the reception officer, on C threads.
4. Dossier detail and list for the reception officer: latency, and SQL statements per request.
5. Peak RSS while a 200 MB document is submitted through the API, against just reading the file.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import signal
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from harness import (
    BenchEnvironment,
    Timing,
    bearer_headers,
    expect,
    format_table,
    log,
    procedure,
    recorded_statements,
    run_concurrently,
)
from upload_memory import BIG_FILE_BYTES, bench_upload_memory

BIRTH = "1.001193"  # Đăng ký khai sinh: received by the commune
BIRTH_UNIT = "000.21.30.H01"  # UBND xã Cần Đăng, where tn.candang works
TIMING_HEADER = ("benchmark", "n", "p50", "p95", "max", "throughput")


# --- 1. SLA clock --------------------------------------------------------------------------------


def bench_clock(iterations: int) -> list[Timing]:
    """due_at from random instants of 2026 (any hour, any day), so every path of the clock is hit."""
    from app.calendar.clock import WorkingCalendar
    from app.core.time import VN_TZ

    calendar = WorkingCalendar()
    rng = random.Random(2026)
    year_start = datetime(2026, 1, 1, tzinfo=VN_TZ)
    starts = [year_start + timedelta(minutes=rng.randrange(365 * 24 * 60)) for _ in range(iterations)]
    calendar.due_at(datetime(2026, 12, 31, 16, tzinfo=VN_TZ), "working_days", 30)  # load both years' holidays
    timings = []
    for label, kind, amount in (
        ("SLA clock due_at, 30 working days", "working_days", 30),
        ("SLA clock due_at, same day", "same_day", 0),
    ):
        samples = []
        began = time.perf_counter()
        for start in starts:
            t0 = time.perf_counter()
            calendar.due_at(start, kind, amount)
            samples.append(time.perf_counter() - t0)
        timings.append(Timing(label, samples, time.perf_counter() - began, "calls/s", unit="µs"))
    return timings


# --- API helpers ---------------------------------------------------------------------------------


def submit_birth(client: Any, headers: dict[str, str], birth: Any) -> str:
    from tests.factories import multipart_for

    body = multipart_for(birth, BIRTH_UNIT)
    response = client.post("/api/v1/dossiers", data=body, headers=headers, content_type="multipart/form-data")
    return expect(response, 201, "submission")["code"]


def transition(client: Any, headers: dict[str, str], code: str, name: str, **payload: Any) -> None:
    response = client.post(
        f"/api/v1/dossiers/{code}/transitions", json={"name": name, **payload}, headers=headers
    )
    expect(response, 200, f"{name} {code}")


def get_json(client: Any, headers: dict[str, str], url: str) -> Any:
    return expect(client.get(url, headers=headers), 200, f"GET {url}")


# --- 2-3. submissions and transitions ------------------------------------------------------------


def bench_submissions(
    app: Any, citizen: dict[str, str], n: int, concurrency: int
) -> tuple[Timing, list[str], list[str]]:
    """Times n submissions after one untimed submission per thread: SeaweedFS allocates volumes on
    the first writes to a new bucket (about a second), which a long-lived bucket never pays.
    Returns the timing, the warm-up codes and the timed codes."""
    birth = procedure(app, BIRTH)

    def submit_into(codes: list[str]) -> Any:
        return lambda client, _: codes.append(submit_birth(client, citizen, birth))

    warm_up: list[str] = []
    codes: list[str] = []
    run_concurrently(app, range(concurrency), submit_into(warm_up), concurrency)
    latencies, wall = run_concurrently(app, range(n), submit_into(codes), concurrency)
    return Timing("POST /api/v1/dossiers (online, 3 PDFs)", latencies, wall, "submissions/s"), warm_up, codes


def check_codes(codes: list[str]) -> str:
    """Codes are <unit>-YYMMDD-XXXX; per unit and day the serials must be exactly 1..k."""
    serials: dict[str, list[int]] = defaultdict(list)
    for code in codes:
        prefix, serial = re.fullmatch(r"(.+-\d{6})-(\d{4,})", code).groups()
        serials[prefix].append(int(serial))
    gap_free = all(sorted(s) == list(range(1, len(s) + 1)) for s in serials.values())
    verdict = "OK" if gap_free and len(set(codes)) == len(codes) else "FAILED"
    ranges = ", ".join(f"{p}-{min(s):04d}..{max(s):04d}" for p, s in sorted(serials.items()))
    return f"{len(codes)} codes, {len(set(codes))} distinct, serials gap-free: {verdict} ({ranges})"


def bench_accepts(
    app: Any, reception: dict[str, str], warm_up: list[str], codes: list[str], concurrency: int
) -> Timing:
    def accept(client: Any, code: str) -> None:
        transition(client, reception, code, "accept")

    run_concurrently(app, warm_up, accept, concurrency)
    latencies, wall = run_concurrently(app, codes, accept, concurrency)
    return Timing("POST .../transitions accept", latencies, wall, "transitions/s")


# --- 4. reads and their SQL statements -----------------------------------------------------------


def bench_reads(app: Any, reception: dict[str, str], codes: list[str], concurrency: int) -> list[Timing]:
    detail, detail_wall = run_concurrently(
        app, codes, lambda client, code: get_json(client, reception, f"/api/v1/dossiers/{code}"), concurrency
    )
    pages = range(max(concurrency, len(codes) // 4))
    listing, list_wall = run_concurrently(
        app, pages, lambda client, _: get_json(client, reception, "/api/v1/dossiers?limit=50"), concurrency
    )
    return [
        Timing("GET /api/v1/dossiers/<code> (2 events)", detail, detail_wall, "requests/s"),
        Timing("GET /api/v1/dossiers?limit=50", listing, list_wall, "requests/s"),
    ]


def statements_of(app: Any, request: Any) -> tuple[list[str], Any]:
    """The SQL statements one request sends (nothing else runs meanwhile), and its result."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        result = request()
    return statements, result


def dossier_with_events(client: Any, headers: dict[str, dict[str, str]], birth: Any, events: int) -> str:
    """1 event: just submitted. Otherwise accept, (events - 3) assignments alternating leader and
    reception, then propose: events from four people, so a per-event actor load would show."""
    code = submit_birth(client, headers["congdan"], birth)
    if events > 1:
        transition(client, headers["tn.candang"], code, "accept")
        for i in range(events - 3):
            assigner = headers[("ld.candang", "tn.candang")[i % 2]]
            transition(client, assigner, code, "assign", assignee="cv.candang")
        transition(client, headers["cv.candang"], code, "propose")
    return code


def count_queries(app: Any, headers: dict[str, dict[str, str]], existing: int) -> dict[str, list[str]]:
    """Statements of single requests by label. ``existing``: dossiers already there; more are
    submitted if the 50-row page would not be full."""
    client, birth, reception = app.test_client(), procedure(app, BIRTH), headers["tn.candang"]
    recorded: dict[str, list[str]] = {}
    recorded["POST /api/v1/dossiers (submit)"], fresh = statements_of(
        app, lambda: submit_birth(client, headers["congdan"], birth)
    )
    accepted = submit_birth(client, headers["congdan"], birth)
    recorded["POST .../transitions (accept)"], _ = statements_of(
        app, lambda: transition(client, reception, accepted, "accept")
    )
    codes = {1: fresh, **{n: dossier_with_events(client, headers, birth, n) for n in (5, 9)}}
    for _ in range(50 - existing - 4):
        submit_birth(client, headers["congdan"], birth)
    reads = [
        (f"GET detail, {n} event{'s' * (n > 1)}", f"/api/v1/dossiers/{code}", "events", n)
        for n, code in codes.items()
    ]
    reads += [(f"GET list, {n} rows", f"/api/v1/dossiers?limit={n}", "items", n) for n in (5, 50)]
    for label, url, key, size in reads:
        recorded[label], body = statements_of(app, lambda url=url: get_json(client, reception, url))
        if len(body[key]) != size:
            raise RuntimeError(f"{label}: expected {size} {key} in the response, got {len(body[key])}")
    return recorded


def tables_touched(statements: list[str]) -> Counter[str]:
    """Statements counted by the first table they name: says what any extra statements were."""
    found = (re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", s) for s in statements)
    return Counter(m.group(1) if m else "other" for m in found)


def scaling(recorded: dict[str, list[str]], small: str, large: str) -> str:
    extra = tables_touched(recorded[large]) - tables_touched(recorded[small])
    what = ", ".join(f"{table} x{n}" for table, n in extra.items()) or "none"
    return f"{small} -> {large}: {len(recorded[small])} -> {len(recorded[large])} (extra: {what})"


# --- report --------------------------------------------------------------------------------------


def describe_machine(app: Any) -> str:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        server = db.session.scalar(text("SHOW server_version"))
        db.session.remove()
    return (
        f"{datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"PostgreSQL {server}, {platform.platform(terse=True)}"
    )


def report(
    args: argparse.Namespace,
    machine: str,
    timings: list[Timing],
    codes_line: str,
    queries: dict[str, list[str]],
    memory: list[list[str]],
) -> None:
    print(f"\nDossier lifecycle benchmark: N={args.dossiers} dossiers, C={args.concurrency} threads")
    print(f"{machine}\n")
    print(format_table(TIMING_HEADER, [t.cells() for t in timings]))
    print(f"\nDossier codes (warm-up and timed submissions): {codes_line}\n")
    rows = [(label, str(len(statements))) for label, statements in queries.items()]
    print(format_table(("SQL statements per request", "statements"), rows))
    pairs = [
        ("GET detail, 1 event", "GET detail, 5 events"),
        ("GET detail, 5 events", "GET detail, 9 events"),
        ("GET list, 5 rows", "GET list, 50 rows"),
    ]
    for small, large in pairs:
        print(f"  {scaling(queries, small, large)}")
    grows = [large for small, large in pairs[1:] if len(queries[large]) > len(queries[small])]
    print("  N+1: " + (f"YES, in {' and '.join(grows)}" if grows else "none (counts do not grow with size)"))
    size = f"{BIG_FILE_BYTES / 1e6:.0f} MB"
    print(f"\nUpload memory: one {size} document; a fresh process each, VmHWM reset after warm-up")
    if memory:
        print(format_table(("operation", "baseline", "peak", "growth", "time", "rate"), memory))
    else:
        print("  skipped (--skip-upload)")


def run(args: argparse.Namespace) -> None:
    timings = bench_clock(args.clock_iterations)
    log("SLA clock done")
    with BenchEnvironment(pool_size=args.concurrency + 2) as env:
        app = env.app
        headers = {
            name: bearer_headers(app, name) for name in ("congdan", "tn.candang", "ld.candang", "cv.candang")
        }
        submissions, warm_up, codes = bench_submissions(
            app, headers["congdan"], args.dossiers, args.concurrency
        )
        codes_line = check_codes(warm_up + codes)
        log(f"submissions done: {codes_line}")
        accepts = bench_accepts(app, headers["tn.candang"], warm_up, codes, args.concurrency)
        timings += [submissions, accepts]
        log("transitions done")
        timings += bench_reads(app, headers["tn.candang"], codes, args.concurrency)
        queries = count_queries(app, headers, len(warm_up + codes))
        log("reads done")
        memory = [] if args.skip_upload else bench_upload_memory(env)
        report(args, describe_machine(app), timings, codes_line, queries, memory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=400, help="dossiers to submit and accept (N)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (C)")
    parser.add_argument("--clock-iterations", type=int, default=20_000, help="due_at calls per case")
    parser.add_argument("--skip-upload", action="store_true", help="leave out the 200 MB upload")
    args = parser.parse_args()
    if args.dossiers < 1 or args.concurrency < 1:
        parser.error("--dossiers and --concurrency must be at least 1")
    # A plain `kill` must clean up too: turn SIGTERM into SystemExit so the environment is removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    run(args)


if __name__ == "__main__":
    main()
