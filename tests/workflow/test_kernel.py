"""The lifecycle kernel as users meet it: a submission sent twice or ten times at once makes one
dossier; past events keep the names they had; documents change only by events, and never once the
dossier is closed; counter intake is one transaction."""

from __future__ import annotations

import io
import re
import threading

import pytest
from sqlalchemy import func, select

from app.core.uow import unit_of_work
from app.dossiers.models import Dossier, DossierDocument, DossierEvent
from app.extensions import db
from app.procedures import get_registry
from app.procedures.vocabulary import ATTACH_DOCUMENTS
from tests.factories import PDF, act, multipart_for, png_bytes, submit
from tests.portal.support import BIRTH_REQUIRED_DOCS, csrf, fill_birth_draft, start_draft
from tests.portal.support import sign_in as page_sign_in

BIRTH = "1.001193"
COMMUNE = "000.21.30.H01"


def _birth():
    return get_registry().current(BIRTH)


def _dossiers_of(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Dossier).where(Dossier.applicant_id == user.id))


def _post_dossier(client, headers: dict, **extra_headers):
    return client.post(
        "/api/v1/dossiers",
        data=multipart_for(_birth()),
        headers={**headers, **extra_headers},
        content_type="multipart/form-data",
    )


# --- idempotent submission ------------------------------------------------------------------------


def test_a_repeated_submission_with_its_key_returns_the_first_answer(client, make_user, auth_headers):
    citizen = make_user("citizen")
    headers = auth_headers(citizen)
    first = _post_dossier(client, headers, **{"Idempotency-Key": "form-7f3a9c21"})
    again = _post_dossier(client, headers, **{"Idempotency-Key": "form-7f3a9c21"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json["code"] == first.json["code"] and again.headers.get("Idempotent-Replayed") == "true"
    assert _dossiers_of(citizen) == 1
    other = _post_dossier(client, headers, **{"Idempotency-Key": "form-another-01"})
    assert other.status_code == 201 and other.json["code"] != first.json["code"]


def test_a_key_sent_with_another_request_is_refused(client, make_user, auth_headers):
    citizen = make_user("citizen")
    headers = {**auth_headers(citizen), "Idempotency-Key": "form-reused-99"}
    assert _post_dossier(client, headers).status_code == 201
    body = multipart_for(_birth())
    body["unit"] = "000.22.30.H01"  # another commune
    response = client.post("/api/v1/dossiers", data=body, headers=headers, content_type="multipart/form-data")
    assert response.status_code == 422 and "Idempotency-Key" in response.json["error"]["message"]
    assert _dossiers_of(citizen) == 1


def test_a_malformed_key_is_named(client, make_user, auth_headers):
    response = _post_dossier(client, auth_headers(make_user("citizen")), **{"Idempotency-Key": "x y"})
    assert response.status_code == 422 and "idempotency_key" in response.json["error"]["details"]


def test_a_failed_submission_leaves_its_key_free_for_the_retry(client, make_user, auth_headers):
    citizen = make_user("citizen")
    headers = {**auth_headers(citizen), "Idempotency-Key": "form-retry-0001"}
    body = multipart_for(_birth())
    body["data"] = "{}"  # the form is empty: 422, nothing kept
    refused = client.post("/api/v1/dossiers", data=body, headers=headers, content_type="multipart/form-data")
    assert refused.status_code == 422
    body = multipart_for(_birth())
    body["data"] = "{}"
    assert (
        client.post(
            "/api/v1/dossiers", data=body, headers=headers, content_type="multipart/form-data"
        ).status_code
        == 422
    )


def _in_threads(app, count: int, work) -> list:  # noqa: ANN001
    barrier, results, lock = threading.Barrier(count), [], threading.Lock()

    def run(index: int) -> None:
        with app.app_context():
            try:
                client = app.test_client()
                prepared = work.prepare(client, index)
                barrier.wait(60)
                outcome = work.send(client, prepared)
            except Exception as exc:  # reported in the results: a thread must never hang the others
                barrier.abort()
                outcome = repr(exc)
            finally:
                db.session.remove()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.mark.committed  # threads of their own, each with its own connection
def test_ten_parallel_submissions_with_one_key_make_one_dossier(app, make_user):
    citizen = make_user("citizen")
    from app.auth.services import issue_token

    with unit_of_work():
        token, _ = issue_token(citizen)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "double-click-0042"}

    class Submit:
        @staticmethod
        def prepare(client, index):  # noqa: ANN001, ANN205
            return multipart_for(_birth())

        @staticmethod
        def send(client, body):  # noqa: ANN001, ANN205
            response = client.post(
                "/api/v1/dossiers", data=body, headers=headers, content_type="multipart/form-data"
            )
            return response.status_code, (response.json or {}).get("code")

    results = _in_threads(app, 10, Submit)
    db.session.rollback()
    assert {status for status, _ in results} == {201}
    assert len({code for _, code in results}) == 1
    assert _dossiers_of(citizen) == 1


@pytest.mark.committed  # threads of their own, each with its own connection
def test_ten_parallel_submits_of_one_draft_make_one_dossier(app, make_user):
    """Ten tabs (ten review pages, ten keys) submit one draft at once: one dossier, its files once."""
    citizen = make_user("citizen")
    login = citizen.username  # read here: the threads have sessions of their own
    with app.test_client() as owner:
        page_sign_in(owner, login)
        draft_id = start_draft(owner)
        fill_birth_draft(owner, draft_id)

    class SubmitDraft:
        @staticmethod
        def prepare(client, index):  # noqa: ANN001, ANN205
            page_sign_in(client, login)
            review = client.get(f"/drafts/{draft_id}/review").get_data(as_text=True)
            key = re.search(r'name="idempotency_key" value="([^"]+)"', review).group(1)
            return {"csrf_token": csrf(client, f"/drafts/{draft_id}/review"), "idempotency_key": key}

        @staticmethod
        def send(client, form):  # noqa: ANN001, ANN205
            return client.post(f"/drafts/{draft_id}/submit", data=form).status_code

    results = _in_threads(app, 10, SubmitDraft)
    db.session.rollback()
    assert len(results) == 10 and set(results) <= {302, 303}, results
    assert _dossiers_of(citizen) == 1
    [dossier] = db.session.scalars(select(Dossier).where(Dossier.applicant_id == citizen.id))
    keys = [d.storage_key for d in dossier.documents]
    assert len(keys) == len(set(keys)) == len(BIRTH_REQUIRED_DOCS)  # its files, once each


# --- the history keeps the names it had -------------------------------------------------------------


@pytest.fixture
def commune_staff(make_user):
    return {role: make_user(role, unit=COMMUNE) for role in ("reception", "specialist", "leader")}


def test_renaming_a_user_or_a_unit_leaves_past_events_as_they_were(
    client, make_user, commune_staff, auth_headers
):
    from app.auth.services import update_user
    from app.national.messages import build_progress_message
    from app.org.queries import get_unit_by_code
    from app.org.services import update_unit
    from app.portal.dossier_presenters import timeline
    from app.workspace.presenters import history

    citizen, reception = make_user("citizen"), commune_staff["reception"]
    officer_name, unit_name = reception.full_name, get_unit_by_code(COMMUNE).name
    dossier = act(submit(citizen, BIRTH, COMMUNE), "accept", reception, {"comment": "Đủ hồ sơ"})
    with unit_of_work():
        update_user(reception, full_name="Tên Mới Sau Đổi", role="reception", unit_code=COMMUNE)
        update_unit(get_unit_by_code(COMMUNE), name="UBND phường Tên Mới", kind="people_committee")

    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier.id)
    accepted = dossier.events[-1]
    assert (accepted.as_of.actor_name, accepted.as_of.actor.unit.name) == (officer_name, unit_name)
    api = client.get(f"/api/v1/dossiers/{dossier.code}", headers=auth_headers(reception)).json
    assert api["events"][-1]["actor"] == officer_name
    mine = client.get(f"/api/v1/dossiers/{dossier.code}", headers=auth_headers(citizen)).json
    assert mine["events"][-1]["unit"] == COMMUNE  # the applicant reads the unit, not the officer
    [entry] = [h for h in history(dossier) if h.event.id == accepted.id]
    assert (entry.actor, entry.unit) == (officer_name, unit_name)
    with client.application.test_request_context("/"):
        assert timeline(dossier)[-1].unit == unit_name
    assert build_progress_message(dossier, accepted)["NguoiXuLy"] == officer_name
    assert build_progress_message(dossier, accepted)["DonViXuLy"] == unit_name
    assert db.session.get(type(reception), reception.id).full_name == "Tên Mới Sau Đổi"  # today's name


# --- documents change only by events ------------------------------------------------------------------


def _attach(client, dossier, headers, **parts):
    data = {key: (io.BytesIO(content), name) for key, (content, name) in parts.items()}
    return client.post(
        f"/api/v1/dossiers/{dossier.code}/documents",
        data=data,
        headers=headers,
        content_type="multipart/form-data",
    )


def test_a_staff_scan_is_an_event_saying_who_added_what_and_what_it_replaced(
    client, make_user, commune_staff, auth_headers
):
    dossier = act(submit(make_user("citizen"), BIRTH, COMMUNE), "accept", commune_staff["reception"])
    before = next(d for d in dossier.documents if d.doc_key == "giay_chung_sinh" and d.is_current)
    response = _attach(
        client,
        dossier,
        auth_headers(commune_staff["specialist"]),
        giay_chung_sinh=(png_bytes(), "ban-ro.png"),
    )
    assert response.status_code == 201, response.json
    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier.id)
    event = dossier.events[-1]
    assert (event.transition, event.from_state, event.to_state) == (ATTACH_DOCUMENTS, "accepted", "accepted")
    assert event.as_of.actor_name == commune_staff["specialist"].full_name
    added = next(d for d in dossier.documents if d.event_id == event.id)
    old = db.session.get(DossierDocument, before.id)
    assert (added.original_name, added.source, old.is_current, old.replaced_by_id) == (
        "ban-ro.png",
        "counter_scan",
        False,
        added.id,
    )
    assert response.json["events"][-1]["transition"] == ATTACH_DOCUMENTS


def test_documents_after_the_result_is_returned_are_refused_clearly(
    client, make_user, commune_staff, auth_headers
):
    staff = commune_staff
    dossier = submit(make_user("citizen"), BIRTH, COMMUNE)
    for name, who, payload in (
        ("accept", "reception", {}),
        ("assign", "leader", {"assignee": staff["specialist"].username}),
        ("propose", "specialist", {}),
        ("approve", "leader", {}),
        ("complete", "reception", {}),
        ("deliver", "reception", {"return_method": "counter"}),
    ):
        dossier = act(dossier, name, staff[who], payload)
    events, documents = len(dossier.events), len(dossier.documents)
    for who, part in (("reception", "giay_chung_sinh"), ("leader", "result")):
        response = _attach(client, dossier, auth_headers(staff[who]), **{part: (PDF, "muon.pdf")})
        assert response.status_code == 409, response.json
        assert "Hồ sơ đã kết thúc" in response.json["error"]["message"]
    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier.id)
    assert (len(dossier.events), len(dossier.documents)) == (events, documents)


# --- counter intake: one transaction ---------------------------------------------------------------


def test_counter_intake_is_one_transaction(monkeypatch, commune_staff):
    """Registering and receiving at once: if receiving fails, the registration goes too."""
    from app.core.errors import ServiceUnavailableError
    from app.workflow.actions import ACTIONS
    from app.workflow.submission import Submission
    from app.workspace.services import intake_dossier
    from tests.factories import form_data, uploads_for

    def broken(ctx):  # noqa: ANN001, ANN202
        raise ServiceUnavailableError("Hệ thống lịch làm việc tạm thời không trả lời")

    monkeypatch.setitem(ACTIONS, "start_clock", broken)
    before = db.session.scalar(select(func.count()).select_from(Dossier))
    events_before = db.session.scalar(select(func.count()).select_from(DossierEvent))
    submission = Submission(
        procedure_code=BIRTH,
        data=form_data(_birth()),
        uploads=uploads_for(_birth()),
        channel="counter",
        unit_code=COMMUNE,
        applicant={"name": "Lê Văn Tám"},
    )
    with pytest.raises(ServiceUnavailableError), unit_of_work():
        intake_dossier(commune_staff["reception"], submission, accept_now=True)
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == before
    assert db.session.scalar(select(func.count()).select_from(DossierEvent)) == events_before
