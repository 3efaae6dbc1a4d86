"""Load test: Locust users (benchmarks/locustfile.py) against the production stack; prints its figures.

    .venv/bin/python benchmarks/load.py [--users 20] [--spawn-rate 5] [--run-time 2m]
                                        [--web-concurrency 4] [--rq-workers 1]

Needs DATABASE_URL, REDIS_URL, S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY (scripts/services.sh;
`make load` starts throw-away ones). On a fresh database with the demo data (harness.BenchEnvironment,
removed at the end) it runs what `make serve`, `make worker` and `make scheduler` run, with
APP_ENV=production: `gunicorn -w N wsgi:app` on a loopback port, N rq workers (`python -m
app.worker`) and the scheduler (`python -m app.scheduler`). Locust then runs headless against
gunicorn for the given time. The figures per request kind come from Locust's CSV: count, failures,
requests/s, p50/p95/p99/max. Afterwards the script waits for the workers to drain the outbox and
prints what the run left in the database: dossiers submitted and accepted, outbox rows not handled,
forms rendered and notifications sent, and whether the dossier codes are distinct and gap-free.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from harness import ROOT, BenchEnvironment, GunicornServer, format_table, log

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
DRAIN_SECONDS = 120  # how long to wait, after the run, for the workers to finish what it left


def main() -> None:
    args = _arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup on `kill` too
    with BenchEnvironment(pool_size=2) as env:
        settings = {
            **env.child_env(),
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "WEB_CONCURRENCY": str(args.web_concurrency),
        }
        settings.pop("MAIL_SERVER", None)  # e-mails are written to the workers' log
        with GunicornServer("wsgi:app", settings, workers=args.web_concurrency) as server:
            background = [
                _start(["-m", "app.worker"], settings, f"worker-{i}") for i in range(args.rq_workers)
            ]
            background.append(_start(["-m", "app.scheduler"], settings, "scheduler"))
            try:
                rows = _run_locust(args, server.port)
                drained = _wait_for_drain(env.app, args.drain_seconds)
            finally:
                for process in background:
                    process.terminate()
                for process in background:
                    process.wait(30)
        _print(args, rows, _outcome(env.app), drained)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--run-time", default="2m", help="Locust's --run-time, e.g. 90s, 2m")
    parser.add_argument("--web-concurrency", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--rq-workers", type=int, default=1)
    parser.add_argument(
        "--drain-seconds", type=float, default=DRAIN_SECONDS, help="wait for the workers after the run"
    )
    return parser.parse_args()


def _start(command: list[str], env: dict[str, str], name: str) -> subprocess.Popen:
    path = Path(tempfile.gettempdir()) / f"load-{name}-{os.getpid()}.log"
    with path.open("wb") as out:
        process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=out, stderr=out)
    time.sleep(0.5)
    if process.poll() is not None:
        raise RuntimeError(f"{' '.join(command)} exited at start: see {path}")
    log(f"{name}: {' '.join(command)} (log {path})")
    return process


def _run_locust(args: argparse.Namespace, port: int) -> list[dict[str, str]]:
    prefix = Path(tempfile.mkdtemp(prefix="load-")) / "run"
    command = [
        str(ROOT / ".venv" / "bin" / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
    ]
    log(f"locust: {args.users} users, spawn rate {args.spawn_rate}/s, {args.run_time}")
    # Locust exits 1 when any request failed: the figures still say which and how many.
    subprocess.run(command, cwd=ROOT, stdout=sys.stderr, check=False)
    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        return list(csv.DictReader(stats))


def _count(statement) -> int:  # noqa: ANN001
    from app.extensions import db

    return db.session.scalar(statement) or 0


def _unhandled() -> int:
    from sqlalchemy import func, select

    from app.outbox.models import OutboxMessage

    return _count(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.processed_at.is_(None)))


def _wait_for_drain(app, limit: float) -> float | None:  # noqa: ANN001
    """Seconds until the workers had handled every outbox row, rendered every form and sent every
    notification (None: not within `limit` seconds)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.notifications.models import Notification
    from app.official_forms.models import IssuedForm

    began = time.monotonic()
    with app.app_context():
        while time.monotonic() - began < limit:
            db.session.rollback()
            pending = _unhandled()
            pending += _count(
                select(func.count()).select_from(IssuedForm).where(IssuedForm.status != "ready")
            )
            pending += _count(
                select(func.count()).select_from(Notification).where(Notification.status != "sent")
            )
            if pending == 0:
                return time.monotonic() - began
            time.sleep(1)
        db.session.remove()
    return None


def _outcome(app) -> dict[str, object]:  # noqa: ANN001
    from sqlalchemy import func, select

    from app.dossiers.models import Dossier, DossierEvent
    from app.extensions import db
    from app.notifications.models import Notification
    from app.official_forms.models import IssuedForm

    with app.app_context():
        codes = list(db.session.scalars(select(Dossier.code)))
        serials = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
        outcome = {
            "dossiers submitted": len(codes),
            "dossiers accepted": _count(
                select(func.count()).select_from(DossierEvent).where(DossierEvent.transition == "accept")
            ),
            "codes distinct and gap-free": len(set(codes)) == len(codes)
            and serials == list(range(1, len(codes) + 1)),
            "outbox rows not handled": _unhandled(),
            "forms ready": _count(
                select(func.count()).select_from(IssuedForm).where(IssuedForm.status == "ready")
            ),
            "forms not ready yet": _count(
                select(func.count()).select_from(IssuedForm).where(IssuedForm.status != "ready")
            ),
            "notifications sent": _count(
                select(func.count()).select_from(Notification).where(Notification.status == "sent")
            ),
        }
        db.session.remove()
    return outcome


def _ms(value: str) -> str:
    return f"{float(value):,.0f} ms" if value not in ("", "N/A") else "-"


def _print(
    args: argparse.Namespace, rows: list[dict[str, str]], outcome: dict, drained: float | None
) -> None:
    print(
        f"Load test: {args.users} Locust users for {args.run_time}; gunicorn -w {args.web_concurrency}, "
        f"{args.rq_workers} rq worker(s) and the scheduler, APP_ENV=production"
    )
    machine = f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}"
    print(f"{datetime.now():%Y-%m-%d %H:%M}, {machine}")
    print()
    header = ["request", "n", "failures", "req/s", "p50", "p95", "p99", "max"]
    table = [
        [
            row["Name"] if row["Name"] != "Aggregated" else "all requests",
            row["Request Count"],
            row["Failure Count"],
            f"{float(row['Requests/s']):.2f}",
            _ms(row["50%"]),
            _ms(row["95%"]),
            _ms(row["99%"]),
            _ms(row["Max Response Time"]),
        ]
        for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"]))
    ]
    print(format_table(header, table))
    print()
    for key, value in outcome.items():
        print(f"{key}: {value}")
    print(
        "background work (outbox, forms, notifications) done after the run: "
        + (f"in {drained:.1f} s" if drained is not None else f"NOT within {args.drain_seconds:.0f} s")
    )


if __name__ == "__main__":
    main()
