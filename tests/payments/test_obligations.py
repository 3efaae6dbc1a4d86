"""Financial obligations notified during processing: drafted by the land registry's specialist,
notified at once (the dossier pauses through its request-payment transition, the applicant gets an
e-mail and an SMS), shown on both dossier pages, cancelled with a reason (the dossier resumes as the
system)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.core.errors import PermissionDeniedError
from app.core.uow import unit_of_work
from app.extensions import db
from app.notifications.models import Notification
from app.payments.models import CANCELLED, DRAFT, DUE
from app.payments.obligations import add_obligation, cancel_obligation
from app.payments.queries import list_charges
from app.workflow.engine import apply_system_transition
from tests.payments.support import OBLIGATION, at_registry, awaiting_payment, fresh
from tests.web import csrf_token, signed_in_client


def _citizen(make_user):
    return make_user("citizen", email="nguoi.nop@example.vn", phone="0912345678")


def test_notifying_obligations_pauses_the_dossier_and_tells_the_applicant(make_user, user):
    dossier = awaiting_payment(_citizen(make_user), user)
    assert dossier.state == "payment_requested" and dossier.paused_at is not None
    notice = dossier.events[-1]
    assert notice.transition == "request_payment" and notice.actor.username == "cv.vpdk"
    [obligation] = [c for c in list_charges(dossier.id) if c.is_obligation]
    assert (obligation.status, obligation.notice_event_id, obligation.amount) == (DUE, notice.id, 12_500_000)
    sent = {
        n.channel: n
        for n in db.session.scalars(select(Notification).where(Notification.event_id == notice.id))
    }
    assert set(sent) == {"email", "sms"}
    assert "12.500.000 đồng" in sent["email"].body and OBLIGATION.basis in sent["email"].body
    assert (
        OBLIGATION.payee in sent["email"].body
        and OBLIGATION.due_on.strftime("%d/%m/%Y") in sent["email"].body
    )
    assert "12.500.000 đồng" in sent["sms"].body and len(sent["sms"].body) <= 160


def test_a_draft_is_seen_by_staff_only_until_notified(app, make_user, user):
    citizen = _citizen(make_user)
    dossier = at_registry(citizen, user)
    with unit_of_work():
        add_obligation(dossier, user("cv.vpdk"), OBLIGATION)
    assert [c.status for c in list_charges(dossier.id) if c.is_obligation] == [DRAFT]
    assert dossier.state == "registry_appraising"  # nothing paused yet
    officer = signed_in_client(app, "cv.vpdk")
    page = officer.get(f"/work/dossiers/{dossier.code}").get_data(as_text=True)
    assert OBLIGATION.basis in page and "Thông báo cho người nộp (12.500.000 đồng)" in page
    assert 'data-action="request_payment"' not in page  # the panel drives it, with the amounts
    mine = signed_in_client(app, citizen.username, "password123")
    assert OBLIGATION.basis not in mine.get(f"/my/dossiers/{dossier.code}").get_data(as_text=True)


def test_the_officer_page_refuses_a_line_naming_each_problem(app, make_user, user):
    dossier = at_registry(_citizen(make_user), user)
    officer = signed_in_client(app, "cv.vpdk")
    url = f"/work/dossiers/{dossier.code}/obligations/new"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    form = {"csrf_token": csrf_token(officer, url), "name": "Lệ phí trước bạ", "amount": "12,5 triệu"}
    answer = officer.post(url, data={**form, "basis": "", "payee": "Chi cục Thuế", "due_on": yesterday})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Số tiền là số nguyên đồng" in html and "Cần ghi căn cứ" in html
    answer = officer.post(
        url,
        data={
            **form,
            "amount": "1.500.000",
            "basis": "TB 9/TB-CCT",
            "payee": "Chi cục Thuế",
            "due_on": yesterday,
        },
    )
    assert answer.status_code == 422 and "Hạn nộp phải là một ngày từ hôm nay trở đi" in answer.get_data(
        as_text=True
    )
    assert list_charges(dossier.id) == [c for c in list_charges(dossier.id) if not c.is_obligation]


def test_only_the_holding_units_officer_drafts_obligations(app, make_user, user):
    dossier = at_registry(_citizen(make_user), user)
    commune = signed_in_client(app, "cv.candang")  # held the dossier before, sees it, may not notify
    assert commune.get(f"/work/dossiers/{dossier.code}/obligations/new").status_code == 403


def test_notifying_through_the_page_pauses_and_lists_the_line_for_the_applicant(app, make_user, user):
    citizen = _citizen(make_user)
    dossier = at_registry(citizen, user)
    officer = signed_in_client(app, "cv.vpdk")
    url = f"/work/dossiers/{dossier.code}/obligations/new"
    token = csrf_token(officer, url)
    due = (date.today() + timedelta(days=20)).isoformat()
    fields = {
        "name": "Lệ phí trước bạ",
        "amount": "1.500.000",
        "basis": "TB 9/TB-CCT",
        "payee": "Chi cục Thuế",
        "due_on": due,
    }
    assert officer.post(url, data={"csrf_token": token, **fields}).status_code == 303
    notify = officer.post(
        f"/work/dossiers/{dossier.code}/obligations/notify",
        data={"csrf_token": token, "expected_version": fresh(dossier).version},
    )
    assert notify.status_code == 303
    assert fresh(dossier).state == "payment_requested"
    mine = signed_in_client(app, citizen.username, "password123")
    page = mine.get(f"/my/dossiers/{dossier.code}").get_data(as_text=True)
    assert "Lệ phí trước bạ" in page and "1.500.000 đồng" in page and "Còn phải nộp" in page


def test_cancelling_the_last_due_obligation_resumes_the_dossier_as_the_system(make_user, user):
    dossier = awaiting_payment(_citizen(make_user), user)
    [obligation] = [c for c in list_charges(dossier.id) if c.is_obligation]
    with unit_of_work():
        assert cancel_obligation(obligation, user("cv.vpdk"), "Được miễn theo Quyết định 45/QĐ-UBND")
    dossier = fresh(dossier)
    assert dossier.state == "registry_appraising" and dossier.paused_at is None
    confirmed = dossier.events[-1]
    assert confirmed.transition == "confirm_payment" and confirmed.actor_id is None
    assert "Được miễn" in confirmed.comment
    assert list_charges(dossier.id)[-1].status == CANCELLED


def test_the_system_takes_only_the_kinds_the_vocabulary_lets_it(make_user, user):
    dossier = at_registry(_citizen(make_user), user)
    with pytest.raises(PermissionDeniedError), unit_of_work():
        apply_system_transition(dossier, "forward")
    assert fresh(dossier).state == "registry_appraising"
