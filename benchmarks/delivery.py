"""Benchmark of delivery between this system and the National Public Service Portal, across an outage.

    .venv/bin/python benchmarks/delivery.py [--scenario national] [--down-seconds 600] [--dossiers 100]
        [--filings 40] [--workers 2]
    .venv/bin/python benchmarks/delivery.py --scenario webhook [--dossiers 1000] [--transitions 10000]
        [--down-seconds 600] [--flaps 3] [--workers 2] [--up-messages 2000]

Needs DATABASE_URL, REDIS_URL, S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY (scripts/services.sh).
Every run has a fresh database, bucket and queue of its own (benchmarks/harness.py).

**national** (the default): the 10-minute outage both ways, with the production settings (no
DELIVERY_* or INBOUND_* override: backoff 10 s doubling to 1800 s with jitter, sweeps and polls every
30 s). The portal is the simulator (app/national/simulator.py, a real HTTP server on loopback); the
system polls it for filings (INBOUND_TRANSPORT=poll) and sends it every status. W real rq workers
and the real scheduler (`python -m app.scheduler`) run beside this process.
1. set-up: both eras of An Giang; N birth registrations registered at xã Cần Đăng's centre and
   accepted through the workflow engine, delivered with the portal up;
2. outage: the portal stops listening for `--down-seconds`; meanwhile the officers move every
   dossier through the rest of its workflow (six transitions each, round-robin, spread evenly) and
   citizens file F dossiers with documents on the portal;
3. recovery: the portal listens again; timed until every message is delivered and every filing is a
   dossier here whose submission has reached the portal.
Reported: messages lost (a delivery row whose message id never reached the portal), out of order (a
message that first arrived after a later one of the same dossier), duplicates received (per message
id), invalid messages (the portal's JSON Schema check), the time from recovery to the drained
backlog, and the filings: all received, and none before the recovery.

**webhook**: delivery alone (the workflow engine is not in the loop): one webhook subscriber for
every event, a real HTTP receiver on loopback (tests/sync/receiver.py), T transitions written as
outbox rows plus what the sync handler writes for them, in batches of 100, with shortened backoff
settings (DELIVERY_SETTINGS). Phases: the receiver down while the T transitions are written
round-robin over the dossiers (benchmarks/seed_million.py); up, then down 2 s / up 3 s `--flaps`
times; drained; then `--up-messages` more for a paused subscriber, resumed and timed (throughput).
Reported: lost, per-dossier order violations, duplicates, drain time, throughput.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import ROOT, BenchEnvironment, log
from seed_million import seed

sys.path.insert(0, str(ROOT))
from tests.sync.receiver import Receiver  # noqa: E402

BATCH = 100
DELIVERY_SETTINGS = {
    "DELIVERY_BACKOFF_BASE_SECONDS": "1",
    "DELIVERY_BACKOFF_MAX_SECONDS": "30",
    "DELIVERY_TIMEOUT_SECONDS": "5",
    "DELIVERY_LEASE_MARGIN_SECONDS": "10",
    "DELIVERY_SWEEP_SECONDS": "5",
    "DELIVERY_RETRY_HOURS": "72",
}


def _start_workers(env: BenchEnvironment, count: int, logs: Path) -> list[subprocess.Popen]:
    child = {**env.child_env(), **DELIVERY_SETTINGS, "APP_ENV": "development", "NATIONAL_PORTAL_URL": ""}
    child.pop("PYTHONPATH", None)
    workers = []
    for n in range(count):
        log_file = open(logs / f"delivery-worker-{n}.log", "w")  # noqa: SIM115
        workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "app.worker"],
                cwd=ROOT,
                env=child,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        )
    time.sleep(1)
    return workers


def _dossiers(app: Any) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from app.dossiers.models import Dossier
    from app.extensions import db

    with app.app_context():
        rows = db.session.execute(select(Dossier.id, Dossier.code).order_by(Dossier.id)).tuples().all()
        db.session.remove()
    return list(rows)


def write_transitions(app: Any, dossiers: list[tuple[int, str]], first: int, count: int) -> list[int]:
    """`count` transitions round-robin over the dossiers, in batches of BATCH (one commit each);
    returns the outbox ids written."""
    from app.core.db import utcnow
    from app.core.uow import unit_of_work
    from app.extensions import db
    from app.outbox.models import OutboxMessage
    from app.sync.services import create_deliveries

    ids = []
    with app.app_context():
        for start in range(first, first + count, BATCH):
            with unit_of_work():
                for k in range(start, min(start + BATCH, first + count)):
                    dossier_id, code = dossiers[k % len(dossiers)]
                    message = OutboxMessage(
                        topic="dossier.transitioned",
                        dossier_id=dossier_id,
                        payload={"dossier_code": code, "transition": "bench", "seq": k},
                        processed_at=utcnow(),
                    )
                    db.session.add(message)
                    db.session.flush()
                    create_deliveries(message)
                    ids.append(message.id)
        db.session.remove()
    return ids


def set_paused_subscriber(app: Any, paused: bool) -> None:
    from sqlalchemy import select

    from app.core.uow import unit_of_work
    from app.extensions import db
    from app.sync.models import WebhookSubscriber
    from app.sync.subscribers import set_paused

    with app.app_context():
        with unit_of_work():
            set_paused(db.session.scalar(select(WebhookSubscriber)), paused)
        db.session.remove()


def undelivered(app: Any) -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.sync.models import Delivery

    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.state != "delivered")
        )
        db.session.remove()
    return count


def wait_drained(app: Any, timeout: float) -> float:
    began = time.monotonic()
    while undelivered(app):
        if time.monotonic() - began > timeout:
            raise SystemExit(f"not drained after {timeout:.0f} s: {undelivered(app)} undelivered")
        time.sleep(0.25)
    return time.monotonic()


def analyse(receiver: Receiver, expected_ids: list[int]) -> dict[str, int]:
    """Lost, order violations (per dossier, first arrivals), duplicates."""
    received = receiver.received("/hook")
    first_seen: dict[str, Any] = {}
    for request in received:
        first_seen.setdefault(request.message_id, request)
    lost = [i for i in expected_ids if f"evt-{i}" not in first_seen]
    violations, last = 0, {}
    for message_id, request in first_seen.items():
        code, outbox_id = request.json["dossier_code"], int(message_id.split("-")[1])
        if outbox_id < last.get(code, 0):
            violations += 1
        last[code] = max(outbox_id, last.get(code, 0))
    return {
        "written": len(expected_ids),
        "received": len(first_seen),
        "lost": len(lost),
        "order violations": violations,
        "duplicates": len(received) - len(first_seen),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", choices=["national", "webhook"], default="national")
    parser.add_argument("--dossiers", type=int, default=None, help="national 100, webhook 1000")
    parser.add_argument("--filings", type=int, default=40, help="national: filed on the portal meanwhile")
    parser.add_argument("--transitions", type=int, default=10_000, help="webhook only")
    parser.add_argument("--down-seconds", type=float, default=600)
    parser.add_argument("--flaps", type=int, default=3, help="webhook only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--up-messages", type=int, default=2000, help="webhook only")
    args = parser.parse_args()
    if args.scenario == "national":
        from national_outage import run_national

        args.dossiers = args.dossiers or 100
        run_national(args)
        return
    args.dossiers = args.dossiers or 1000
    os.environ.update(DELIVERY_SETTINGS)
    os.environ["NATIONAL_PORTAL_URL"] = ""
    logs = ROOT / ".pytest_cache"
    logs.mkdir(exist_ok=True)

    with BenchEnvironment(pool_size=4) as env:
        app = env.app
        app.config.update({k: float(v) for k, v in DELIVERY_SETTINGS.items()})
        app.config["NATIONAL_PORTAL_URL"] = ""
        seed(app, env.settings["DATABASE_URL"], args.dossiers)
        dossiers = _dossiers(app)
        receiver = Receiver()
        with app.app_context():
            from app.core.uow import unit_of_work
            from app.sync.subscribers import create_subscriber

            with unit_of_work():
                create_subscriber(
                    "Benchmark", receiver.url("/hook"), ["dossier.submitted", "dossier.transitioned"]
                )
        workers = _start_workers(env, args.workers, logs)
        try:
            figures = run(app, receiver, dossiers, args)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(30)
            receiver.down()
            with app.app_context():
                redis = app.extensions["redis"]
                for key in redis.scan_iter(match=f"*{env.settings['RQ_QUEUE']}*", count=500):
                    redis.delete(key)
    print_report(figures, args)


def run(app: Any, receiver: Receiver, dossiers: list[tuple[int, str]], args: argparse.Namespace) -> dict:
    log(f"phase 1: receiver down {args.down_seconds:.0f} s, {args.transitions:,} transitions meanwhile")
    receiver.down()
    began = time.monotonic()
    ids: list[int] = []
    batches = max(1, args.transitions // BATCH)
    for n in range(batches):
        count = BATCH if n < batches - 1 else args.transitions - BATCH * (batches - 1)
        ids += write_transitions(app, dossiers, len(ids), count)
        pause = began + args.down_seconds * (n + 1) / batches - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    backlog = undelivered(app)
    write_seconds = time.monotonic() - began
    log(f"phase 2: receiver up ({backlog:,} undelivered), then {args.flaps} flap(s) of 2 s down / 3 s up")
    receiver.up()
    recovered = time.monotonic()
    for _ in range(args.flaps):
        time.sleep(3)
        receiver.down()
        time.sleep(2)
        receiver.up()
    log("phase 3: draining")
    drained = wait_drained(app, timeout=3600)
    outage = analyse(receiver, ids)
    log(f"phase 4: {args.up_messages:,} transitions written for a paused subscriber, then resumed")
    receiver.requests.clear()
    set_paused_subscriber(app, True)
    up_ids = write_transitions(app, dossiers, len(ids), args.up_messages)
    started = time.monotonic()
    set_paused_subscriber(app, False)
    done = wait_drained(app, timeout=3600)
    up = analyse(receiver, up_ids)
    return {
        "outage": outage,
        "backlog": backlog,
        "write_seconds": write_seconds,
        "drain_seconds": drained - recovered,
        "up": up,
        "up_seconds": done - started,
    }


def print_report(figures: dict, args: argparse.Namespace) -> None:
    outage, up = figures["outage"], figures["up"]
    print()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPU(s); {args.workers} rq worker(s)")
    print(f"settings: {DELIVERY_SETTINGS}")
    print(
        f"outage: {outage['written']:,} transitions over {args.dossiers:,} dossiers written in "
        f"{figures['write_seconds']:.0f} s with the receiver down; backlog at recovery {figures['backlog']:,}"
    )
    print(
        f"  lost {outage['lost']}, order violations {outage['order violations']}, "
        f"duplicates {outage['duplicates']}, received {outage['received']:,}"
    )
    print(
        f"  time from recovery to drained backlog: {figures['drain_seconds']:.1f} s "
        f"(including {args.flaps} flap(s) of 2 s down / 3 s up)"
    )
    rate = up["received"] / figures["up_seconds"] if figures["up_seconds"] else 0
    print(
        f"receiver up: {up['written']:,} queued messages delivered in {figures['up_seconds']:.1f} s = "
        f"{rate:.0f} messages/s (lost {up['lost']}, order violations {up['order violations']}, "
        f"duplicates {up['duplicates']})"
    )


if __name__ == "__main__":
    main()
