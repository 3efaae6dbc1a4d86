"""What the applicant reads of their dossier through the API: the office's internal comments, the
officers' inputs (who was assigned) and a result not yet ready stay with the office; staff read
everything."""

from __future__ import annotations

import io

from app.workflow.documents import Files, Upload
from tests.factories import PDF, act, submit

BIRTH = "1.001193"


def _walk_to_approved(make_user):
    citizen = make_user("citizen")
    reception, leader = make_user("reception"), make_user("leader")
    specialist = make_user("specialist", username="chuyenvien_bimat")
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", reception, {"comment": "Ghi chú nội bộ: hồ sơ quen"})
    act(dossier, "assign", leader, {"assignee": specialist.username, "comment": "Giao gấp"})
    act(dossier, "propose", specialist, {"comment": "Đề xuất duyệt, đã gọi xác minh"})
    result = Files(results=[Upload("result", "trich-luc-nhap.pdf", io.BytesIO(PDF))])
    act(dossier, "approve", leader, {"comment": "Duyệt"}, files=result)
    return citizen, reception, specialist, dossier


def test_the_applicant_reads_no_internal_comment_no_assignee_and_no_draft_result(
    client, make_user, auth_headers
):
    citizen, reception, specialist, dossier = _walk_to_approved(make_user)

    answer = client.get(f"/api/v1/dossiers/{dossier.code}", headers=auth_headers(citizen))
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    for secret in (
        "Ghi chú nội bộ",
        "Giao gấp",
        "đã gọi xác minh",
        specialist.username,
        specialist.full_name,
    ):
        assert secret not in body, secret
    events = answer.json["events"]
    assert [e["transition"] for e in events] == ["submit", "accept", "assign", "propose", "approve"]
    assert all(e["comment"] is None and e["payload"] == {} for e in events[1:])
    assert events[1]["sentence"] == "Hồ sơ đã được tiếp nhận" and events[1]["unit"] == reception.unit.code
    assert not any(d["is_result"] for d in answer.json["documents"])

    draft = next(d for d in dossier.documents if d.is_result)
    download = client.get(
        f"/api/v1/dossiers/{dossier.code}/documents/{draft.id}/download", headers=auth_headers(citizen)
    )
    assert download.status_code == 404
    own = next(d for d in dossier.documents if not d.is_result)
    mine = client.get(
        f"/api/v1/dossiers/{dossier.code}/documents/{own.id}/download", headers=auth_headers(citizen)
    )
    assert mine.status_code in (200, 302)

    staff = client.get(f"/api/v1/dossiers/{dossier.code}", headers=auth_headers(reception))
    assert "Ghi chú nội bộ" in staff.get_data(as_text=True)
    assert any(e["payload"].get("assignee") == specialist.username for e in staff.json["events"])
    assert any(d["is_result"] for d in staff.json["documents"])


def test_the_result_reaches_the_applicant_once_ready_and_public_comments_always(
    client, make_user, auth_headers
):
    citizen, reception, _, dossier = _walk_to_approved(make_user)
    act(dossier, "complete", reception)
    answer = client.get(f"/api/v1/dossiers/{dossier.code}", headers=auth_headers(citizen))
    results = [d for d in answer.json["documents"] if d["is_result"]]
    assert [d["original_name"] for d in results] == ["trich-luc-nhap.pdf"]
    download = client.get(
        f"/api/v1/dossiers/{dossier.code}/documents/{results[0]['id']}/download",
        headers=auth_headers(citizen),
    )
    assert download.status_code in (200, 302)

    other = make_user("citizen")
    refused = submit(other, BIRTH)
    act(refused, "refuse", reception, {"comment": "Thiếu chữ ký của người khai"})
    seen = client.get(f"/api/v1/dossiers/{refused.code}", headers=auth_headers(other)).json
    assert seen["events"][-1]["comment"] == "Thiếu chữ ký của người khai"


def test_the_openapi_document_names_both_shapes(client):
    spec = client.get("/api/openapi.json").json
    answer = spec["paths"]["/api/v1/dossiers/{code}"]["get"]["responses"]["200"]
    refs = [s["$ref"] for s in answer["content"]["application/json"]["schema"]["anyOf"]]
    assert refs == ["#/components/schemas/Dossier", "#/components/schemas/ApplicantDossier"]
    applicant = spec["components"]["schemas"]["ApplicantEvent"]["properties"]
    assert "sentence" in applicant and "actor" not in applicant


def test_only_reception_registers_counter_dossiers_through_the_api(client, make_user, auth_headers):
    import json

    from app.procedures import get_registry
    from tests.factories import multipart_for

    applicant = json.dumps({"name": "Lê Văn Quầy", "citizen_id": "089190000777", "phone": "0912000777"})
    for role in ("specialist", "leader", "supervisor"):
        body = {**multipart_for(get_registry().current(BIRTH)), "channel": "counter", "applicant": applicant}
        answer = client.post(
            "/api/v1/dossiers",
            data=body,
            headers=auth_headers(make_user(role)),
            content_type="multipart/form-data",
        )
        assert answer.status_code == 403, (role, answer.json)
    body = {**multipart_for(get_registry().current(BIRTH)), "channel": "counter", "applicant": applicant}
    answer = client.post(
        "/api/v1/dossiers",
        data=body,
        headers=auth_headers(make_user("reception")),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201 and answer.json["channel"] == "counter"
