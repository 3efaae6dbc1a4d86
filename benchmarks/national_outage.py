"""The national scenario of benchmarks/delivery.py: the 10-minute outage of the link to the National
Public Service Portal, both ways, with the production settings (see delivery.py's docstring)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from typing import Any

from harness import ROOT, BenchEnvironment, log

CENTRE = "001.24.50.H91"  # Trung tâm phục vụ hành chính công xã Cần Đăng (two tiers)
BIRTH = "1.001193"
# The rest of a birth registration after its acceptance: (transition, officer, inputs).
STEPS = (
    ("forward", "tn.candang", {}),
    ("assign", "ld.candang", {"assignee": "cv.candang"}),
    ("propose", "cv.candang", {}),
    ("approve", "ld.candang", {}),
    ("complete", "tn.candang", {}),
    ("deliver", "tn.candang", {"return_method": "counter"}),
)
FILING = object()  # a dossier filed on the portal, in the outage's schedule
PRODUCTION_KEYS = [k for k in os.environ if k.startswith(("DELIVERY_", "INBOUND_", "SWEEP_"))]


def _processes(env: BenchEnvironment, settings: dict[str, str], workers: int) -> list[subprocess.Popen]:
    child = {**env.child_env(), **settings, "APP_ENV": "development"}
    for key in PRODUCTION_KEYS:  # the production defaults, whatever the shell exports
        child.pop(key, None)
    child.pop("PYTHONPATH", None)
    logs = ROOT / ".pytest_cache"
    logs.mkdir(exist_ok=True)
    commands = [["-m", "app.worker"]] * workers + [["-m", "app.scheduler"]]
    started = []
    for n, command in enumerate(commands):
        out = open(logs / f"national-outage-{n}.log", "w")  # noqa: SIM115
        started.append(
            subprocess.Popen(
                [sys.executable, *command], cwd=ROOT, env=child, stdout=out, stderr=subprocess.STDOUT
            )
        )
    time.sleep(2)
    return started


def _user(username: str) -> Any:
    from sqlalchemy import select

    from app.auth.models import User
    from app.extensions import db

    return db.session.scalar(select(User).where(User.username == username))


def _register(count: int) -> list[int]:
    """Birth registrations brought to the centre and accepted (engine, S3, outbox: all real)."""
    from app.core.uow import unit_of_work
    from app.procedures import get_registry
    from app.workflow.submission import Submission, submit_dossier
    from tests.factories import act, form_data, uploads_for

    procedure = get_registry().current(BIRTH)
    reception = _user("tn.candang")
    ids = []
    for n in range(count):
        with unit_of_work():
            dossier = submit_dossier(
                reception,
                Submission(
                    BIRTH,
                    form_data(procedure),
                    uploads_for(procedure),
                    channel="counter",
                    applicant={"name": f"Người nộp {n + 1}", "citizen_id": f"089190{n + 1:06d}"},
                ),
            )
        ids.append(act(dossier, "accept", reception).id)
    return ids


def _step(dossier_id: int, name: str, username: str, payload: dict) -> None:
    from app.dossiers.models import Dossier
    from app.extensions import db
    from tests.factories import act

    act(db.session.get(Dossier, dossier_id), name, _user(username), dict(payload))
    db.session.remove()


def _file(sim: Any, n: int) -> str:
    from app.procedures import get_registry
    from tests.factories import form_data, pdf_bytes

    procedure = get_registry().current(BIRTH)
    documents = [
        (d.key, f"{d.key}.pdf", pdf_bytes(f"{d.key}-{n}")) for d in procedure.documents if d.required
    ]
    applicant = {"name": f"Công dân nộp trực tuyến {n + 1}", "cccd": f"089191{n + 1:06d}"}
    return sim.file_dossier(
        procedure=BIRTH, unit=CENTRE, applicant=applicant, form=form_data(procedure), documents=documents
    )


def _counts(codes: list[str]) -> dict[str, int]:
    """Undelivered national messages; the national messages there should be (one dossier message per
    event, one progress message per event after the submission) and those written; filings received."""
    from sqlalchemy import func, select

    from app.dossiers.models import Dossier, DossierEvent
    from app.extensions import db
    from app.national.models import InboundFiling
    from app.sync.models import NATIONAL, Delivery

    national = select(func.count()).select_from(Delivery).where(Delivery.destination == NATIONAL)
    events = db.session.scalar(select(func.count()).select_from(DossierEvent))
    dossiers = db.session.scalar(select(func.count()).select_from(Dossier))
    received = (
        select(func.count())
        .select_from(InboundFiling)
        .where(InboundFiling.national_code.in_(codes), InboundFiling.state == "received")
    )
    counts = {
        "undelivered": db.session.scalar(national.where(Delivery.state != "delivered")),
        "delivered": db.session.scalar(national.where(Delivery.state == "delivered")),
        "written": db.session.scalar(national),
        "expected": 2 * events - dossiers,
        "filings_received": db.session.scalar(received) if codes else 0,
    }
    db.session.remove()
    return counts


def _wait(app: Any, codes: list[str], filings: int, timeout: float) -> float:
    began = time.monotonic()
    while True:
        with app.app_context():
            counts = _counts(codes)
        complete = counts["written"] == counts["expected"] and not counts["undelivered"]
        if complete and counts["filings_received"] == filings:
            return time.monotonic()
        if time.monotonic() - began > timeout:
            raise SystemExit(f"not drained after {timeout:.0f} s: {counts}")
        time.sleep(1)


def _analyse(sim: Any, codes: list[str], recovered_at: datetime) -> dict[str, Any]:
    from sqlalchemy import select

    from app.extensions import db
    from app.national.models import InboundFiling
    from app.sync.models import NATIONAL, Delivery

    rows = db.session.execute(
        select(Delivery.message_id, Delivery.dossier_id, Delivery.id).where(Delivery.destination == NATIONAL)
    ).all()
    place = {message_id: (dossier_id, delivery_id) for message_id, dossier_id, delivery_id in rows}
    received = sim.messages()
    first = sim.first_arrivals()
    arrived = {m.message_id for m in received}
    violations, latest = 0, {}
    for message in first:
        dossier_id, delivery_id = place.get(message.message_id, (None, 0))
        if delivery_id < latest.get(dossier_id, 0):
            violations += 1
        latest[dossier_id] = max(delivery_id, latest.get(dossier_id, 0))
    filings = list(db.session.scalars(select(InboundFiling).where(InboundFiling.national_code.in_(codes))))
    db.session.remove()
    return {
        "written": len(rows),
        "lost": sum(1 for message_id in place if message_id not in arrived),
        "order": violations,
        "duplicates": len(received) - len(first),
        "duplicated_ids": sum(1 for n in Counter(m.message_id for m in received).values() if n > 1),
        "invalid": sum(1 for m in received if not m.valid),
        "unknown": sum(1 for m in first if m.message_id not in place),
        "filings": len(codes),
        "filings_received": sum(1 for f in filings if f.state == "received"),
        "filings_seen_before_recovery": sum(1 for f in filings if f.received_at < recovered_at),
    }


def run_national(args: Any) -> None:
    from app.core.db import utcnow
    from app.core.uow import unit_of_work
    from app.demo.two_eras import seed_two_eras
    from app.national.simulator import PortalSimulator

    with BenchEnvironment(pool_size=6) as env:
        app = env.app
        sim = PortalSimulator(mode="poll").start()
        settings = {
            "NATIONAL_PORTAL_URL": sim.url("/lgsp/dossiers"),
            "INBOUND_TRANSPORT": "poll",
            "INBOUND_POLL_URL": sim.url("/lgsp/inbound"),
            "NATIONAL_FILE_URL_PREFIXES": sim.url("/files/"),
        }
        app.config.update(settings)
        with app.app_context():
            with unit_of_work():
                seed_two_eras()
        processes = _processes(env, settings, args.workers)
        try:
            figures = _phases(app, sim, args, utcnow)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(60)
            sim.stop()
            with app.app_context():
                redis = app.extensions["redis"]
                for key in redis.scan_iter(match=f"*{env.settings['RQ_QUEUE']}*", count=500):
                    redis.delete(key)
    _report(figures, args)


def _phases(app: Any, sim: Any, args: Any, utcnow: Any) -> dict[str, Any]:
    log(f"set-up: {args.dossiers} birth registrations registered and accepted, the portal up")
    with app.app_context():
        dossier_ids = _register(args.dossiers)
    _wait(app, [], 0, timeout=1800)
    baseline = len(sim.messages())

    plan: list[Any] = [(d, *step) for step in STEPS for d in dossier_ids]
    schedule: list[Any] = list(plan)
    for k in reversed(range(args.filings)):  # the filings spread evenly among the transitions
        schedule.insert(k * len(plan) // args.filings, FILING)
    log(f"outage: the portal down {args.down_seconds:.0f} s, {len(plan)} transitions, {args.filings} filings")
    sim.down()
    began, codes = time.monotonic(), []
    with app.app_context():
        for n, item in enumerate(schedule):
            if item is FILING:
                codes.append(_file(sim, len(codes)))
            else:
                _step(*item)
            time.sleep(max(0.0, began + args.down_seconds * (n + 1) / len(schedule) - time.monotonic()))
    writing = time.monotonic() - began
    time.sleep(max(0.0, began + args.down_seconds - time.monotonic()))
    with app.app_context():
        at_recovery = _counts(codes)
    backlog = at_recovery["expected"] - at_recovery["delivered"]  # owed, whether or not its row exists yet
    log(f"recovery: the portal up again; {backlog} messages owed, {len(codes)} filings waiting")
    sim.up()
    recovered, recovered_at = time.monotonic(), utcnow()
    inbound_done = None
    while inbound_done is None:
        with app.app_context():
            if _counts(codes)["filings_received"] == len(codes):
                inbound_done = time.monotonic()
        time.sleep(1)
    drained = _wait(app, codes, len(codes), timeout=3 * 3600)
    with app.app_context():
        figures = _analyse(sim, codes, recovered_at)
    figures.update(
        baseline=baseline,
        backlog=backlog,
        backlog_rows=at_recovery["undelivered"],
        outage=recovered - began,
        writing=writing,
        drain=drained - recovered,
        inbound=inbound_done - recovered,
        transitions=len(plan),
    )
    return figures


def _report(f: dict[str, Any], args: Any) -> None:
    lines = [
        "",
        f"machine: {platform.platform()}, {os.cpu_count()} CPU(s); {args.workers} rq worker(s), scheduler",
        "settings: production defaults (backoff 10 s doubling to 1800 s, jitter; sweeps, polls every 30 s)",
        f"outage: the portal down {f['outage']:.0f} s; meanwhile {f['transitions']:,} transitions of "
        f"{args.dossiers:,} dossiers (made in {f['writing']:.0f} s) and {f['filings']} filings on the portal",
        f"backlog at recovery: {f['backlog']:,} national messages owed for the outage's events "
        f"({f['backlog_rows']:,} of them already written as deliveries; {f['baseline']:,} delivered before)",
        f"out: {f['written']:,} national messages written, lost {f['lost']}, out of order {f['order']}, "
        f"duplicates received {f['duplicates']} ({f['duplicated_ids']} message ids), invalid {f['invalid']}, "
        f"unknown ids {f['unknown']}",
        f"in: {f['filings_received']}/{f['filings']} filings received as dossiers, "
        f"{f['filings_seen_before_recovery']} seen before the recovery; "
        f"all received {f['inbound']:.1f} s after it",
        f"time from recovery to drained backlog (every message and every filing): {f['drain']:.1f} s",
    ]
    print("\n".join(lines))
