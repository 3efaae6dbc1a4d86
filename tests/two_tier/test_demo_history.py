"""The demo history of both eras (app/demo/history.py) and what a merger leaves of the past: a dossier
received at an old commune keeps that commune, its code and name, after the commune has merged."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from app.core.db import simulated_clock
from app.core.time import to_local
from app.core.uow import unit_of_work
from app.demo.history import history_size, plan_item, seed_history
from app.demo.people import CITIZEN_POOL
from app.dossiers.models import Dossier
from app.extensions import db
from app.org.queries import get_unit_by_code, restatement_map, successors
from app.workflow.submission import Submission, submit_dossier
from tests.clock import vn
from tests.factories import form_data, uploads_for
from tests.two_tier.world import CAN_DANG, MERGER_DAY, OLD_CAN_DANG

LAST_OLD_DAY = date(2025, 6, 30)


def test_a_dossier_of_the_past_keeps_its_old_commune_after_the_merger(user, client, auth_headers):
    from app.procedures import get_registry

    citizen = user("congdan")
    with simulated_clock(lambda: vn("2025-05-12T09:00")):
        procedure = get_registry().current("1.001193", date(2025, 5, 12))
        assert procedure.version == 1  # the three-tier version, received at the commune People's Committee
        with unit_of_work():
            dossier = submit_dossier(
                citizen,
                Submission(
                    procedure.code, form_data(procedure), uploads_for(procedure), unit_code=OLD_CAN_DANG
                ),
            )
    code = dossier.code
    db.session.expire_all()

    old, new = get_unit_by_code(OLD_CAN_DANG), get_unit_by_code(CAN_DANG)
    assert old.valid_to == LAST_OLD_DAY and [u.code for u in successors(old)] == [CAN_DANG]
    assert restatement_map()[old.id] == new.id
    kept = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert (kept.receiving_unit.code, kept.receiving_unit.name) == (OLD_CAN_DANG, "UBND xã Cần Đăng")
    assert kept.procedure_version == 1 and kept.code.startswith(OLD_CAN_DANG)

    shown = client.get(f"/api/v1/dossiers/{code}", headers=auth_headers(citizen))
    assert shown.status_code == 200, shown.get_data(as_text=True)
    assert OLD_CAN_DANG in shown.get_data(as_text=True)


def test_the_history_covers_both_eras_and_is_idempotent():
    from app.auth.models import User
    from app.demo.two_eras import POSTS
    from app.workflow.engine import procedure_of

    now = datetime.now(UTC)
    plans = [plan_item(i, now) for i in range(8)]
    assert {p.old for p in plans} == {True, False}
    assert plan_item(3, now) == plans[3]  # item i does not depend on the total

    report = seed_history(8)
    assert (report.added, report.problems) == (8, [])
    assert history_size() == 8
    pool = select(User.id).where(User.username.in_([p.username for p in CITIZEN_POOL]))
    dossiers = list(db.session.scalars(select(Dossier).where(Dossier.applicant_id.in_(pool))))
    old = [d for d in dossiers if to_local(d.submitted_at).date() <= LAST_OLD_DAY]
    new = [d for d in dossiers if d not in old]
    assert old and new
    assert all(
        d.receiving_unit.code.endswith("H01") and d.receiving_unit.valid_to == LAST_OLD_DAY for d in old
    )
    assert all(procedure_of(d).states[d.state].is_final for d in old)  # the past is closed ...
    assert all(to_local(d.updated_at).date() <= LAST_OLD_DAY for d in old)  # ... by 30 June 2025
    assert all(
        d.receiving_unit.code.endswith("H91") and procedure_of(d).effective_from >= MERGER_DAY for d in new
    )

    again = seed_history(8)
    assert (again.added, history_size()) == (0, 8)
    for username, (_old, new_code) in POSTS.items():  # the officers who moved sit at their new units
        assert db.session.scalar(select(User).where(User.username == username)).unit.code == new_code


def test_the_history_clock_and_held_jobs_stay_in_their_block():
    """The two facilities the history writes with: a clock of its own (app.core.db) and, without
    Redis, heavy jobs left for the sweeps instead of run in-process (app.jobs)."""
    from app import create_app
    from app.core.db import utcnow
    from app.jobs import HEAVY, held, job, push

    past = vn("2025-03-03T08:00")
    with simulated_clock(lambda: past):
        assert utcnow() == past
    assert utcnow() > past

    ran = []

    @job(queue=HEAVY, timeout=5)
    def render(n: int) -> None:
        ran.append(n)

    embedded = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "REDIS_URL": ""})
    with embedded.app_context():
        with held(HEAVY):
            assert push(render, 1) is False  # left undone, for the sweeps
        assert push(render, 2) is True
    assert ran == [2]
