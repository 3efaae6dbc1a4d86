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
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import (
    BenchEnvironment,
    Timing,
    build_app,
    expect,
    format_table,
    log,
    peak_rss_kib,
    recorded_statements,
    run_concurrently,
)

BIRTH = "1.001193"  # Đăng ký khai sinh: received by the commune
BIRTH_UNIT = "000.21.30.H01"  # UBND xã Cần Đăng, where tn.candang works
PERMIT = "1.009979"  # Giấy phép xây dựng nhà ở riêng lẻ: design drawings up to 200 MB
PERMIT_UNIT = "000.01.30.H01"  # Bộ phận Một cửa huyện Châu Thành
BIG_FILE_BYTES = 200_000_000
READ_CHUNK = 1024 * 1024
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


def procedure(app: Any, code: str) -> Any:
    """The procedure's current version (immutable, so threads may share it)."""
    from app.procedures import get_registry

    with app.app_context():
        return get_registry().current(code, date.today())


def login(client: Any, username: str) -> dict[str, str]:
    from app.demo.seed import DEMO_PASSWORD

    body = expect(
        client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD}),
        201,
        f"token for {username}",
    )
    return {"Authorization": f"Bearer {body['token']}"}


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
) -> tuple[Timing, list[str]]:
    birth, codes = procedure(app, BIRTH), []
    latencies, wall = run_concurrently(
        app, range(n), lambda client, _: codes.append(submit_birth(client, citizen, birth)), concurrency
    )
    return Timing("POST /api/v1/dossiers (online, 3 PDFs)", latencies, wall, "submissions/s"), codes


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


def bench_accepts(app: Any, reception: dict[str, str], codes: list[str], concurrency: int) -> Timing:
    latencies, wall = run_concurrently(
        app, codes, lambda client, code: transition(client, reception, code, "accept"), concurrency
    )
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


def statements_of(app: Any, request: Any) -> tuple[int, Any]:
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    with recorded_statements(engine) as statements:
        result = request()
    return len(statements), result


def count_queries(app: Any, headers: dict[str, dict[str, str]]) -> list[tuple[str, int]]:
    """SQL statements of single requests, each made alone. A dossier with 5 events gets them from 4
    different people (citizen, reception, leader, specialist) so a per-event actor load would show."""
    client, birth = app.test_client(), procedure(app, BIRTH)
    reception = headers["tn.candang"]
    submit_count, fresh = statements_of(app, lambda: submit_birth(client, headers["congdan"], birth))
    busy = submit_birth(client, headers["congdan"], birth)
    accept_count, _ = statements_of(app, lambda: transition(client, reception, busy, "accept"))
    transition(client, headers["ld.candang"], busy, "assign", assignee="cv.candang")
    transition(client, reception, busy, "assign", assignee="cv.candang")
    transition(client, headers["cv.candang"], busy, "propose")
    counts = [
        ("POST /api/v1/dossiers (submit)", submit_count),
        ("POST .../transitions (accept)", accept_count),
    ]
    for label, url, size in (
        ("GET detail, 1 event", f"/api/v1/dossiers/{fresh}", 1),
        ("GET detail, 5 events", f"/api/v1/dossiers/{busy}", 5),
        ("GET list, 5 rows", "/api/v1/dossiers?limit=5", 5),
        ("GET list, 50 rows", "/api/v1/dossiers?limit=50", 50),
    ):
        count, body = statements_of(app, lambda url=url: get_json(client, reception, url))
        got = len(body["events"]) if "events" in body else len(body["items"])
        if got != size:
            raise RuntimeError(f"{label}: expected {size} items in the response, got {got}")
        counts.append((label, count))
    return counts


# --- 5. upload memory ----------------------------------------------------------------------------


def write_big_pdf(path: Path) -> None:
    """A file that sniffs as PDF: the header, then incompressible filler, then the trailer."""
    block = random.Random(5).randbytes(READ_CHUNK)
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        left = BIG_FILE_BYTES - 9 - 6
        while left:
            left -= out.write(block[: min(left, READ_CHUNK)])
        out.write(b"%%EOF\n")


def upload_child(mode: str, path: str) -> None:
    """Run in a fresh process: warm the app up with a small submission, then measure one operation."""
    import io

    from harness import service_settings

    from tests.factories import PDF, form_data

    settings = {
        **service_settings(),
        "RQ_QUEUE": os.environ["RQ_QUEUE"],
        "S3_BUCKET": os.environ["S3_BUCKET"],
    }
    app = build_app(settings, pool_size=2)
    client = app.test_client()
    citizen = login(client, "congdan")
    permit = procedure(app, PERMIT)

    def submit(drawings: Any) -> None:
        body = {"procedure_code": permit.code, "data": json.dumps(form_data(permit)), "unit": PERMIT_UNIT}
        for spec in permit.documents:
            if spec.required:
                body[spec.key] = (io.BytesIO(PDF), f"{spec.key}.pdf")
        body["ban_ve_thiet_ke"] = (drawings, "ban-ve-thiet-ke.pdf")
        response = client.post(
            "/api/v1/dossiers", data=body, headers=citizen, content_type="multipart/form-data"
        )
        expect(response, 201, "200 MB submission")

    submit(io.BytesIO(PDF))  # imports, connections, bucket check: not part of the measurement
    baseline, began = peak_rss_kib(), time.perf_counter()
    with open(path, "rb") as drawings:
        if mode == "api":
            submit(drawings)
        else:
            while drawings.read(READ_CHUNK):
                pass
    seconds = time.perf_counter() - began
    print(json.dumps({"baseline_kib": baseline, "peak_kib": peak_rss_kib(), "seconds": seconds}))


def bench_upload_memory(env: BenchEnvironment) -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as folder:
        path = Path(folder) / "ban-ve-thiet-ke.pdf"
        write_big_pdf(path)
        for mode, label in (("floor", "read file in 1 MiB chunks (floor)"), ("api", "POST through the API")):
            log(f"upload memory: {label}")
            done = subprocess.run(
                [sys.executable, __file__, "--upload-child", mode, str(path)],
                env=env.child_env(),
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0:
                raise RuntimeError(f"upload child ({mode}) failed:\n{done.stderr[-3000:]}")
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            growth = figures["peak_kib"] - figures["baseline_kib"]
            rows.append(
                [
                    label,
                    f"{figures['baseline_kib'] / 1024:,.1f} MiB",
                    f"{figures['peak_kib'] / 1024:,.1f} MiB",
                    f"{growth / 1024:,.1f} MiB",
                    f"{figures['seconds']:.1f} s",
                    f"{BIG_FILE_BYTES / 1e6 / figures['seconds']:,.0f} MB/s",
                ]
            )
    return rows


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
    queries: list[tuple[str, int]],
    memory: list[list[str]],
) -> None:
    print(f"\nDossier lifecycle benchmark: N={args.dossiers} dossiers, C={args.concurrency} threads")
    print(f"{machine}\n")
    print(format_table(TIMING_HEADER, [t.cells() for t in timings]))
    print(f"\nDossier codes: {codes_line}\n")
    print(format_table(("SQL statements per request", "statements"), [(k, str(v)) for k, v in queries]))
    counts = dict(queries)
    for kind, small, large in (
        ("detail", "GET detail, 1 event", "GET detail, 5 events"),
        ("list", "GET list, 5 rows", "GET list, 50 rows"),
    ):
        verdict = "constant: no N+1" if counts[small] == counts[large] else "GROWS with size: N+1"
        print(f"  {kind}: {counts[small]} vs {counts[large]} statements, {verdict}")
    print(f"\nUpload memory: one {BIG_FILE_BYTES / 1e6:.0f} MB document, VmHWM of a fresh process each")
    if memory:
        print(format_table(("operation", "baseline", "peak", "growth", "time", "rate"), memory))
    else:
        print("  skipped (--skip-upload)")


def run(args: argparse.Namespace) -> None:
    timings = bench_clock(args.clock_iterations)
    log("SLA clock done")
    with BenchEnvironment(pool_size=args.concurrency + 2) as env:
        app = env.app
        client = app.test_client()
        headers = {
            name: login(client, name) for name in ("congdan", "tn.candang", "ld.candang", "cv.candang")
        }
        submissions, codes = bench_submissions(app, headers["congdan"], args.dossiers, args.concurrency)
        codes_line = check_codes(codes)
        log(f"submissions done: {codes_line}")
        timings += [submissions, bench_accepts(app, headers["tn.candang"], codes, args.concurrency)]
        log("transitions done")
        timings += bench_reads(app, headers["tn.candang"], codes, args.concurrency)
        queries = count_queries(app, headers)
        log("reads done")
        memory = [] if args.skip_upload else bench_upload_memory(env)
        report(args, describe_machine(app), timings, codes_line, queries, memory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dossiers", type=int, default=400, help="dossiers to submit and accept (N)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (C)")
    parser.add_argument("--clock-iterations", type=int, default=20_000, help="due_at calls per case")
    parser.add_argument("--skip-upload", action="store_true", help="leave out the 200 MB upload")
    parser.add_argument("--upload-child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.upload_child:
        upload_child(*args.upload_child)
        return
    if args.dossiers < 1 or args.concurrency < 1:
        parser.error("--dossiers and --concurrency must be at least 1")
    # A plain `kill` must clean up too: turn SIGTERM into SystemExit so the environment is removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    run(args)


if __name__ == "__main__":
    main()
