"""A living history for the two-era demo, written by `flask seed demo` through the real services
(`submit_dossier`, the engine's `apply_transition`, `supply_documents`, `rate_dossier`, the petition
service), each call in a unit of work of its own as a request would be, with the clock moved
(`app.core.db.simulated_clock`; the walk of one dossier is app.demo.walk):

- the three-tier past: dossiers received from January to mid-June 2025 at the old units (xã Cần
  Đăng, huyện Châu Thành, the provincial centre) on the three-tier procedure versions, all closed by
  30 June 2025, handled by the officers at their old units;
- the new An Giang: dossiers received from 1 July 2025 (at most NEW_ERA_MONTHS back) to yesterday at
  the centres of xã Cần Đăng, phường Rạch Giá, đặc khu Phú Quốc, phường Long Xuyên, the commune police
  and the provincial centre, on the 2025 versions; land dossiers received outside the land's commune
  (phi địa giới), island deadlines at Phú Quốc; the last days' dossiers still in progress;
- every channel and outcome: early, on time and late (late legs), refusals, supplement requests at
  reception and during processing (some never answered), extensions (Mẫu 04), withdrawals, stops,
  rejections, payment of land obligations, electronic results, ratings; and petitions, answered and
  rated, through the petition service's demo entry.

Item `i` comes from its own random stream (`Random(f"{SEED}:{i}")`), so the first N items are the
same whatever the total: the history's dossiers are those of its applicants (demo citizens
`dan.001` ...); with k already there, items k .. N-1 are added. Running it again adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, func, select

from app.auth.models import User
from app.core.db import simulated_clock
from app.core.time import VN_TZ, to_local
from app.core.uow import unit_of_work
from app.demo.people import CITIZEN_POOL, ensure_citizens
from app.demo.two_eras import (
    CAN_DANG,
    LONG_XUYEN,
    MERGER_DAY,
    NEW_PROVINCE_CENTRE,
    PHU_QUOC,
    RACH_GIA,
    posted_in_old_units,
    section,
)
from app.demo.walk import SEED, MovableClock, Plan, Report, Walk, first_receipt_day
from app.dossiers.models import Dossier
from app.extensions import db
from app.jobs import HEAVY, held, push
from app.official_forms.models import IssuedForm
from app.official_forms.services import render_form
from app.org.queries import find_unit_by_code
from app.workflow.engine import procedure_of

DEFAULT_DOSSIERS = 300
RENDERED_CLOSED = 5  # closed dossiers whose forms the seed renders, besides the open ones
OLD_SHARE = 0.25  # of the history, the three-tier past
OLD_FIRST_DAY, OLD_LAST_RECEIPT = date(2025, 1, 2), date(2025, 6, 13)
NEW_ERA_MONTHS = 18
RECENT_SHARE, RECENT_DAYS = 0.18, 21  # of the new era, received in the last three weeks

BIRTH, COPY, LAND, BUSINESS = "1.001193", "2.000815", "1.012790", "2.000720"
BUILD, JUDICIAL, MARRIAGE, RESIDENCE = "1.009979", "2.000488", "1.000894", "1.004222"

# Where each procedure is received, by era: (weight, procedure code, receiving unit code).
OLD_ROUTES = [
    (26, BIRTH, "000.21.30.H01"),  # UBND xã Cần Đăng (huyện Châu Thành)
    (26, COPY, "000.21.30.H01"),
    (10, LAND, "000.21.30.H01"),
    (12, BUSINESS, "000.01.30.H01"),  # Bộ phận Một cửa huyện Châu Thành
    (10, BUILD, "000.01.30.H01"),
    (16, JUDICIAL, "000.00.01.H01"),  # Trung tâm Phục vụ hành chính công tỉnh
]
COMMUNES = {CAN_DANG: 35, RACH_GIA: 30, PHU_QUOC: 20, LONG_XUYEN: 15}
# Communes whose economy office and land registry branch have demo officers.
STAFFED = (CAN_DANG, RACH_GIA, PHU_QUOC)
NEW_ROUTES = [
    *[(22 * w / 100, BIRTH, section(c, 1)) for c, w in COMMUNES.items()],
    *[(22 * w / 100, COPY, section(c, 1)) for c, w in COMMUNES.items()],
    *[(6 * w / 100, MARRIAGE, section(c, 1)) for c, w in COMMUNES.items()],
    *[(3.5, LAND, section(c, 1)) for c in (*STAFFED, LONG_XUYEN)],
    (2, LAND, NEW_PROVINCE_CENTRE),
    *[(3.5, BUSINESS, section(c, 1)) for c in STAFFED],
    *[(2.5, BUILD, section(c, 1)) for c in STAFFED],
    (9, JUDICIAL, NEW_PROVINCE_CENTRE),
    (4, RESIDENCE, section(CAN_DANG, 4)),  # Công an xã Cần Đăng
]


def _pick(rng: random.Random, routes: list[tuple[float, str, str]]) -> tuple[str, str]:
    _, code, unit = rng.choices(routes, weights=[w for w, _, _ in routes])[0]
    return code, unit


def _office_instant(day: date, rng: random.Random) -> datetime:
    minutes = rng.choice((7 * 60, 13 * 60)) + rng.randrange(0, 230)
    return datetime.combine(day, time(minutes // 60, minutes % 60), VN_TZ)


def plan_item(index: int, now: datetime) -> Plan:
    """Item `index` of the history, from its own random stream (independent of the total)."""
    rng = random.Random(f"{SEED}:{index}")
    old = rng.random() < OLD_SHARE
    code, unit = _pick(rng, OLD_ROUTES if old else NEW_ROUTES)
    first, last = first_receipt_day(
        old, to_local(now).date(), OLD_FIRST_DAY, OLD_LAST_RECEIPT, MERGER_DAY, NEW_ERA_MONTHS
    )
    span = max(1, (last - first).days + 1)
    recent = not old and rng.random() < RECENT_SHARE
    if recent:  # the last weeks: dossiers still in the queues, some of them overdue
        day = last - timedelta(days=rng.randrange(min(span, RECENT_DAYS)))
    else:
        day = first + timedelta(days=rng.randrange(span))
    channel = rng.choices(("online", "counter", "postal"), weights=(48, 44, 8))[0]
    late = rng.random() < 0.2
    plan = Plan(
        index=index,
        old=old,
        procedure_code=code,
        receiving=unit,
        channel=channel,
        person=CITIZEN_POOL[rng.randrange(len(CITIZEN_POOL))],
        submitted_at=_office_instant(day, rng),
        pace=rng.uniform(1.2, 2.2) if late else rng.uniform(0.15, 0.9),
        actions=rng.randrange(0, 5) if recent and rng.random() < 0.7 else None,
    )
    roll = rng.random()
    plan.refuse, plan.withdraw = roll < 0.04, 0.04 <= roll < 0.07
    plan.reject, plan.stop = 0.07 <= roll < 0.10, 0.10 <= roll < 0.11
    plan.ask_at_reception = rng.random() < 0.09
    plan.never_answers = plan.ask_at_reception and rng.random() < 0.15
    plan.ask_in_processing = rng.random() < 0.07
    plan.extend = not late and rng.random() < 0.05
    plan.pays = rng.random() < 0.75
    plan.electronic_result = channel == "online" and rng.random() < 0.7
    plan.petition = not old and rng.random() < 0.04
    if channel == "online" and rng.random() < 0.65:
        plan.rates = rng.choices((5, 4, 3, 2, 1), weights=(55, 28, 10, 5, 2))[0]
    if code == LAND and not old:
        home = find_unit_by_code(unit)
        own = home.parent.code if home is not None and home.parent is not None else None
        elsewhere = [c for c in STAFFED if c != own]
        plan.land_commune = own if own in STAFFED and rng.random() < 0.7 else rng.choice(elsewhere)
    return plan


def history_size() -> int:
    """Dossiers of the history already there: those whose applicant is a demo citizen of the pool."""
    ids = select(User.id).where(User.username.in_([p.username for p in CITIZEN_POOL]))
    return (
        db.session.scalar(select(func.count()).select_from(Dossier).where(Dossier.applicant_id.in_(ids))) or 0
    )


def seed_history(
    total: int = DEFAULT_DOSSIERS, *, progress: Callable[[int, int], None] | None = None
) -> Report:
    """Bring the history to `total` dossiers (nothing is added if it has that many), then its
    petitions. The past first, with its officers at their old units, then the new era."""
    report = Report()
    with unit_of_work():
        ensure_citizens()
    real_now = datetime.now(UTC)
    plans = [plan_item(index, real_now) for index in range(history_size(), total)]
    clock, done = MovableClock(), 0
    with simulated_clock(clock), held(HEAVY), _quick_sqlite():
        for old in (True, False):
            with posted_in_old_units() if old else nullcontext():
                for plan in (p for p in plans if p.old == old):
                    Walk(plan, clock, real_now, report).run()
                    db.session.expunge_all()
                    done += 1
                    if progress is not None:
                        progress(done, len(plans))
    if plans:
        report.forms_rendered = render_forms_in_view()
    return report


def render_forms_in_view(latest_closed: int | None = None) -> int:
    """Render now (in this process without Redis, else on the workers) the pending forms of the
    history's dossiers still in progress (the queues) and of its `latest_closed` last closed ones.
    The others' forms wait for `flask official-forms render-pending`, or for the
    `render_unfinished` sweep where a scheduler runs."""
    latest_closed = RENDERED_CLOSED if latest_closed is None else latest_closed
    pool = select(User.id).where(User.username.in_([p.username for p in CITIZEN_POOL]))
    dossiers = db.session.scalars(
        select(Dossier).where(Dossier.applicant_id.in_(pool)).order_by(Dossier.submitted_at.desc())
    )
    open_ids, closed_ids = [], []
    for dossier in dossiers:
        if not procedure_of(dossier).states[dossier.state].is_final:
            open_ids.append(dossier.id)
        elif len(closed_ids) < latest_closed:
            closed_ids.append(dossier.id)
    forms = select(IssuedForm.id).where(
        IssuedForm.dossier_id.in_(open_ids + closed_ids), IssuedForm.status == "pending"
    )
    chosen = list(db.session.scalars(forms.order_by(IssuedForm.id)))
    for form_id in chosen:
        push(render_form, form_id, job_id=f"render-form-{form_id}")
    return len(chosen)


@contextmanager
def _quick_sqlite() -> Iterator[None]:
    """On SQLite (the embedded default), the history's many small commits skip the disk flush
    (PRAGMA synchronous=OFF on this process's connections while it runs): an interrupted seed
    is simply run again. Other databases are left as they are."""
    if db.engine.dialect.name != "sqlite":
        yield
        return

    def unflushed(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA synchronous=OFF")

    db.session.remove()
    event.listen(db.engine, "connect", unflushed)
    db.engine.dispose()
    try:
        yield
    finally:
        db.session.remove()
        event.remove(db.engine, "connect", unflushed)
        db.engine.dispose()
