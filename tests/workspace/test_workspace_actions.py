"""Actions through the page: inputs each one needs, guard messages in the form, the concurrency rule,
forward / assign choices, approve with the result file (atomic), and the result return."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.auth.models import User
from app.core.time import to_local
from app.dossiers.models import DossierDocument
from app.extensions import db
from app.storage import get_storage
from app.workflow.actions import forward_candidates
from app.workflow.engine import procedure_of
from tests.factories import PDF, act, on_a_working_day
from tests.workspace.support import (
    STALE,
    birth_to_awaiting_approval,
    count_events,
    form_state,
    fresh,
    land_to_verifying,
    page,
    post_action,
)


def test_supplement_request_lists_items_one_per_line(birth, officer):
    client = officer("tn.candang")
    data = {
        "items": "Giấy chứng sinh bản chính\n\n  CCCD của mẹ (bản rõ nét) \n",
        "comment": "Bản chụp bị mờ",
    }
    response = post_action(client, birth.code, "request_supplement", data)
    assert response.status_code == 303
    event = fresh(birth).events[-1]
    assert event.transition == "request_supplement"
    assert event.payload["items"] == ["Giấy chứng sinh bản chính", "CCCD của mẹ (bản rõ nét)"]
    assert event.comment == "Bản chụp bị mờ"
    assert "Đã thực hiện" in page(client, birth.code)


def test_supplement_request_without_items_shows_the_field_message(birth, officer):
    client = officer("tn.candang")
    response = post_action(client, birth.code, "request_supplement", {"items": " \n", "comment": "Thiếu"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cần liệt kê đầy đủ các giấy tờ" in html and 'id="act-request_supplement" open' in html
    assert count_events(birth, "request_supplement") == 0


def test_refusal_needs_a_reason(birth, officer):
    client = officer("tn.candang")
    response = post_action(client, birth.code, "refuse", {"comment": ""})
    assert response.status_code == 422 and "Cần ghi rõ lý do" in response.get_data(as_text=True)
    assert post_action(client, birth.code, "refuse", {"comment": "Không thuộc thẩm quyền"}).status_code == 303
    assert fresh(birth).state == "refused"


def test_extension_needs_a_date_then_sets_the_new_appointment_once(birth, user, officer):
    act(birth, "accept", user("tn.candang"))
    act(birth, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    client = officer("ld.candang")
    response = post_action(client, birth.code, "extend", {"comment": "Chờ xác minh"})
    assert response.status_code == 422 and "Cần ngày hẹn trả mới" in response.get_data(as_text=True)
    value = on_a_working_day(fresh(birth).appointment_at + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = post_action(
        client, birth.code, "extend", {"comment": "Chờ xác minh", "new_appointment_at": value}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    dossier = fresh(birth)
    assert dossier.is_extended and to_local(dossier.appointment_at).strftime("%Y-%m-%dT%H:%M") == value
    assert "đã gia hạn" in page(client, birth.code)
    again = post_action(client, birth.code, "extend", {"comment": "Lần hai", "new_appointment_at": value})
    assert again.status_code == 422 and "đã được gia hạn một lần" in again.get_data(as_text=True)
    assert count_events(birth, "extend") == 1


def test_forward_offers_only_the_units_the_workflow_allows(land, user, officer):
    land_to_verifying(land, user)
    client = officer("cv.candang")
    html = page(client, land.code)
    transition = next(t for t in procedure_of(land).transitions_from(land.state) if t.name == "forward")
    allowed = forward_candidates(land, transition)
    assert allowed, "the demo district has a land registry branch"
    section = html.split('id="act-forward"')[1].split("</details>")[0]
    offered = set(re.findall(r'<option value="([0-9A-Z.]+)"', section))
    assert offered == {u.code for u in allowed}
    response = post_action(client, land.code, "forward", {"unit": "000.00.02.H01"})
    assert response.status_code == 422 and "không được chuyển tới" in response.get_data(as_text=True)
    response = post_action(client, land.code, "forward", {"unit": allowed[0].code})
    assert response.status_code == 303
    assert fresh(land).current_unit_id == allowed[0].id and len(fresh(land).steps) == 2


def test_assign_offers_only_active_specialists_of_the_unit(birth, user, officer, make_user):
    act(birth, "accept", user("tn.candang"))
    elsewhere = make_user("specialist", unit="000.01.30.H01", full_name="Chuyên viên Huyện")
    inactive = make_user("specialist", full_name="Chuyên viên Nghỉ")
    inactive.is_active_account = False
    db.session.commit()
    html = page(officer("ld.candang"), birth.code)
    section = html.split('id="act-assign"')[1].split("</details>")[0]
    expected = db.session.scalars(
        select(User.username).where(
            User.unit_id == birth.current_unit_id, User.role == "specialist", User.is_active_account.is_(True)
        )
    ).all()
    offered = set(re.findall(r'<option value="([^"]+)"', section)) - {""}
    assert offered == set(expected) and "cv.candang" in offered
    assert elsewhere.username not in offered and inactive.username not in offered
    response = post_action(officer("ld.candang"), birth.code, "assign", {"assignee": elsewhere.username})
    assert response.status_code == 422 and "Cần chọn một chuyên viên" in response.get_data(as_text=True)


def _objects() -> int:
    storage = get_storage()
    return sum(1 for _ in storage.client.list_objects(storage.bucket, prefix="documents/", recursive=True))


def test_approve_with_result_file_attaches_it_and_transitions_together(birth, user, officer):
    birth_to_awaiting_approval(birth, user)
    client = officer("ld.candang")
    response = post_action(
        client, birth.code, "approve", {"result_file": (io.BytesIO(PDF), "giay-khai-sinh.pdf")}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    dossier = fresh(birth)
    results = [d for d in dossier.documents if d.is_result]
    assert dossier.state == "approved" and len(results) == 1
    assert results[0].source == "issued" and results[0].original_name == "giay-khai-sinh.pdf"
    assert count_events(dossier, "approve") == 1


def test_approve_without_a_file_is_a_result_on_paper(birth, user, officer):
    """The result file is offered, not required: a result signed on paper is collected at the counter."""
    birth_to_awaiting_approval(birth, user)
    client = officer("ld.candang")
    assert 'name="result_file"' in page(client, birth.code)
    response = post_action(client, birth.code, "approve", {})
    assert response.status_code == 303
    dossier = fresh(birth)
    assert dossier.state == "approved" and not any(d.is_result for d in dossier.documents)


def test_failed_approve_leaves_no_document_and_no_stored_object(birth, user, officer):
    birth_to_awaiting_approval(birth, user)
    client = officer("ld.candang")
    state = form_state(page(client, birth.code))
    act(fresh(birth), "extend", user("ld.candang"), _extension(birth))  # someone else acts
    before = _objects()
    response = post_action(
        client, birth.code, "approve", {"result_file": (io.BytesIO(PDF), "kq.pdf")}, state=state
    )
    assert response.status_code == 303 and STALE in page(client, birth.code)
    assert db.session.scalar(select(func.count(DossierDocument.id)).where(DossierDocument.is_result)) == 0
    assert _objects() == before and count_events(birth, "approve") == 0


def test_failed_transition_after_storing_the_file_deletes_it_again(birth, user):
    """The engine refuses after the file is stored (a stale version slipping past the page check)."""
    import pytest

    from app.core.errors import ConflictError
    from app.core.uow import unit_of_work
    from app.workflow.documents import Files, Upload
    from app.workspace.services import act_on_dossier

    birth_to_awaiting_approval(birth, user)
    dossier = fresh(birth)
    before = _objects()
    upload = Upload("result", "kq.pdf", io.BytesIO(PDF))
    version = dossier.version
    from app.dossiers.models import Dossier

    db.session.execute(Dossier.__table__.update().where(Dossier.id == dossier.id).values(version=version + 1))
    with pytest.raises(ConflictError), unit_of_work():  # as the request would
        act_on_dossier(
            dossier,
            user("ld.candang"),
            "approve",
            {},
            expected_version=version,
            files=Files(results=[upload]),
        )
    assert db.session.scalar(select(func.count(DossierDocument.id)).where(DossierDocument.is_result)) == 0
    assert _objects() == before


def _extension(dossier) -> dict:
    from tests.factories import later_appointment

    return {"comment": "Chờ xác minh", "new_appointment_at": later_appointment(fresh(dossier))}


def test_two_officers_conflicting_actions_only_one_transition(birth, officer, make_user):
    second = make_user("reception", password="password123")
    first_client, second_client = officer("tn.candang"), officer(second.username, "password123")
    first_state = form_state(page(first_client, birth.code))
    second_state = form_state(page(second_client, birth.code))
    assert first_state["expected_version"] == second_state["expected_version"]
    assert post_action(first_client, birth.code, "accept", state=first_state).status_code == 303
    response = post_action(
        second_client, birth.code, "refuse", {"comment": "Sai thẩm quyền"}, state=second_state
    )
    assert response.status_code == 303
    html = page(second_client, birth.code)
    assert STALE in html
    assert count_events(birth) == 2  # submit + accept
    assert fresh(birth).state == "accepted"


def test_same_action_twice_is_applied_once(birth, officer):
    client = officer("tn.candang")
    state = form_state(page(client, birth.code))
    assert post_action(client, birth.code, "accept", state=state).status_code == 303
    assert post_action(client, birth.code, "accept", state=state).status_code == 303
    assert count_events(birth, "accept") == 1 and STALE in page(client, birth.code)


def test_deliver_records_the_return_method_and_time(birth, user, officer):
    birth_to_awaiting_approval(birth, user)
    act(birth, "approve", user("ld.candang"))
    client = officer("tn.candang")
    assert post_action(client, birth.code, "complete", {}).status_code == 303
    assert post_action(client, birth.code, "deliver", {"return_method": "post"}).status_code == 303
    dossier = fresh(birth)
    assert dossier.return_method == "post" and dossier.returned_at is not None
    html = page(client, birth.code)
    assert "Gửi qua bưu chính" in html and 'id="tra-ket-qua"' in html
