"""Answering: an officer of the unit holding the petition answers once, publicly (a public page
without personal data) or privately (only the petitioner sees it, and is told by e-mail through the
notification outbox); the queue puts overdue petitions first; forwarding keeps the deadline."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.core.db import utcnow
from app.core.uow import unit_of_work
from app.extensions import db
from app.notifications.models import Notification
from app.org.queries import get_unit_by_code
from app.outbox.models import OutboxMessage
from app.petitions.queries import list_queue
from app.petitions.services import ANSWERED_TOPIC, DemoAnswer, record_demo_petition, route_for
from tests.notifications.support import Mailbox
from tests.petitions.conftest import (
    CAN_DANG,
    about_dossier,
    about_procedure,
    answered,
    client_from,
    filed,
    signed_in,
)
from tests.web import csrf_token

ANSWER = "Đơn vị đã kiểm tra: hồ sơ đủ điều kiện và sẽ được trả kết quả đúng hẹn."
SUMMARY = "Công dân phản ánh việc phải đến nhiều lần để nộp hồ sơ khai sinh."


def _answer(client, petition, **fields):
    url = f"/work/petitions/{petition.id}"
    return client.post(f"{url}/answer", data={"csrf_token": csrf_token(client, url), **fields})


def test_a_public_answer_is_published_without_the_petitioners_personal_data(app, citizen, dossier):
    petition = filed(citizen, about_dossier(dossier.code)).petition
    officer = signed_in(app, "cv.candang")
    assert petition.code in officer.get("/work/petitions").get_data(as_text=True)
    response = _answer(officer, petition, answer=ANSWER, visibility="public", public_summary=SUMMARY)
    assert response.status_code == 302
    db.session.refresh(petition)
    assert petition.is_answered and petition.is_public and petition.outcome in ("early", "on_time")

    public = client_from(app)
    listing = public.get("/petitions?q=nhieu lan").get_data(as_text=True)  # no diacritics needed
    assert petition.code in listing
    page = public.get(f"/petitions/{petition.code}").get_data(as_text=True)
    assert SUMMARY in page and ANSWER in page
    for private in (citizen.full_name, citizen.email, citizen.phone, petition.content, dossier.code):
        assert private not in page


def test_a_private_answer_reaches_only_the_petitioner_by_page_and_e_mail(
    app, citizen, dossier, smtp_server, monkeypatch
):
    monkeypatch.delitem(app.extensions, "redis")  # the outbox and the mail job run in this process
    petition = filed(citizen, about_dossier(dossier.code)).petition
    officer = signed_in(app, "tn.candang")
    response = _answer(officer, petition, answer=ANSWER, visibility="private", public_summary="")
    assert response.status_code == 302
    assert client_from(app).get(f"/petitions/{petition.code}").status_code == 404
    assert petition.code not in client_from(app).get("/petitions").get_data(as_text=True)
    owner = signed_in(app, citizen.username, "password123")
    assert ANSWER in owner.get(f"/petitions/follow/{petition.code}").get_data(as_text=True)

    (mail,) = Mailbox(smtp_server).wait_for(citizen.email)
    assert petition.code in mail["Subject"] and ANSWER in mail.get_content()
    db.session.refresh(petition)
    notification = db.session.get(Notification, petition.answer_notification_id)
    assert notification.status == "sent" and notification.dossier_id == dossier.id


def test_an_answer_about_a_procedure_is_mailed_to_an_anonymous_petitioner(
    app, smtp_server, monkeypatch, user
):
    monkeypatch.delitem(app.extensions, "redis")
    address = "an.danh.thu@example.vn"
    petition = filed(None, about_procedure(email=address)).petition  # no dossier: a notification of none
    answered(petition, user("tn.tinh"), ANSWER)
    (mail,) = Mailbox(smtp_server).wait_for(address)
    assert ANSWER in mail.get_content() and "/petitions/lookup?code=" in mail.get_content()
    rows = db.session.scalars(select(Notification).where(Notification.recipient == address)).all()
    assert [(n.dossier_id, n.kind) for n in rows] == [(None, "petition_answered")]


def test_bad_answers_are_refused_naming_the_field_and_a_second_answer_conflicts(app, citizen, dossier):
    petition = filed(citizen, about_dossier(dossier.code)).petition
    officer = signed_in(app, "ld.candang")
    empty = _answer(officer, petition, answer="", visibility="public", public_summary="")
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422
    assert "Vui lòng nhập câu trả lời" in html and "Khi công khai, hãy tóm tắt nội dung" in html
    assert _answer(officer, petition, answer=ANSWER, visibility="private").status_code == 302
    again = _answer(officer, petition, answer=ANSWER, visibility="private")
    assert again.status_code in (403, 409)  # the form is gone; a replayed post is refused


def test_only_officers_of_the_holding_unit_answer(app, citizen, dossier):
    petition = filed(citizen, about_dossier(dossier.code)).petition
    supervisor = signed_in(app, "giamsat.tinh")
    assert supervisor.get(f"/work/petitions/{petition.id}").status_code == 200
    assert _answer(supervisor, petition, answer=ANSWER, visibility="private").status_code == 403
    other_unit = signed_in(app, "tn.chauthanh")
    assert other_unit.get(f"/work/petitions/{petition.id}").status_code == 404
    db.session.refresh(petition)
    assert not petition.is_answered


def test_the_queue_lists_overdue_petitions_first(citizen, dossier):
    now = utcnow()
    late = filed(citizen, about_dossier(dossier.code), now=now - timedelta(days=40)).petition
    fresh = filed(citizen, about_dossier(dossier.code), now=now).petition
    older = filed(citizen, about_dossier(dossier.code), now=now - timedelta(days=3)).petition
    page = list_queue(get_unit_by_code(CAN_DANG).id)
    ours = [p.id for p in page.items if p.id in {late.id, fresh.id, older.id}]
    assert ours == [late.id, older.id, fresh.id]
    assert late.is_overdue(now) and not fresh.is_overdue(now)


def test_forwarding_hands_the_petition_over_and_keeps_its_deadline(app, user):
    petition = filed(None, about_procedure("1.001193")).petition  # nobody chose: the provincial centre
    due = petition.due_at
    centre = signed_in(app, "tn.tinh")
    url = f"/work/petitions/{petition.id}"
    response = centre.post(
        f"{url}/forward",
        data={"csrf_token": csrf_token(centre, url), "unit_code": CAN_DANG, "note": "Thuộc xã"},
    )
    assert response.status_code == 302
    db.session.refresh(petition)
    assert petition.unit.code == CAN_DANG and petition.routed_by == "forwarded" and petition.due_at == due
    assert petition.forwarded_from.code == "000.00.01.H01"
    assert centre.get(url).status_code == 404  # no longer theirs
    assert petition.code in signed_in(app, "tn.candang").get("/work/petitions").get_data(as_text=True)


def test_the_demo_history_writes_answered_and_rated_petitions_without_mail(citizen, dossier, user):
    filed_at = utcnow() - timedelta(days=30)
    data = about_dossier(dossier.code)
    officer = user("cv.candang")
    assert route_for(citizen, data).id == dossier.current_unit_id == officer.unit_id
    answer = DemoAnswer(officer, filed_at + timedelta(days=2), ANSWER, public_summary=SUMMARY, rating=5)
    with unit_of_work():
        petition = record_demo_petition(citizen, data, filed_at, answer)
    assert (petition.filed_at, petition.answered_at) == (filed_at, filed_at + timedelta(days=2))
    assert petition.is_public and petition.outcome == "early" and petition.rating == 5
    topics = db.session.scalars(select(OutboxMessage.topic).where(OutboxMessage.topic == ANSWERED_TOPIC))
    assert list(topics) == []
