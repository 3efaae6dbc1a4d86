"""The dossier API as a client uses it: multipart submission, scoping, transitions, errors."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from app.dossiers.models import Dossier, DossierDocument
from app.extensions import db
from app.procedures import get_registry
from tests.factories import PDF, multipart_for


def _procedure(stem: str):
    return next(p for p in get_registry().all() if p.source_file.endswith(f"{stem}.yaml"))


@pytest.fixture
def birth():
    return _procedure("birth_registration")


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", phone="0911222333", email="cd@example.vn")


def _submit(client, headers, procedure, **overrides):
    body = multipart_for(procedure)
    body.update(overrides)
    return client.post("/api/v1/dossiers", data=body, headers=headers, content_type="multipart/form-data")


def test_citizen_submits_online_and_gets_a_code(client, citizen, auth_headers, birth):
    response = _submit(client, auth_headers(citizen), birth)
    assert response.status_code == 201, response.json
    body = response.json
    assert re.fullmatch(r"000\.21\.30\.H01-\d{6}-0001", body["code"])
    assert body["state"] == "submitted" and body["national_status"] == 1 and body["channel"] == "online"
    assert body["procedure_version"] == birth.version
    assert all(
        d["sha256"] and d["content_type"] in ("application/pdf", "image/png") for d in body["documents"]
    )
    # a citizen's own photo or scan is not a digitised record (only counter scans, reused and
    # electronic originals are: app.workflow.documents.DIGITISED_SOURCES)
    assert all(d["source"] == "citizen_upload" and not d["is_digitised"] for d in body["documents"])
    assert body["available_transitions"] and {t["name"] for t in body["available_transitions"]} == {
        "withdraw"
    }


def test_counter_intake_by_reception_records_channel_and_applicant(client, user, auth_headers, birth):
    applicant = json.dumps({"name": "Lê Thị Hoa", "citizen_id": "089185000777", "phone": "0900000001"})
    response = _submit(
        client, auth_headers(user("tn.candang")), birth, channel="counter", applicant=applicant
    )
    assert response.status_code == 201, response.json
    assert response.json["channel"] == "counter" and response.json["applicant_name"] == "Lê Thị Hoa"
    assert {d["source"] for d in response.json["documents"]} == {"counter_scan"}


def test_invalid_form_data_names_each_field(client, citizen, auth_headers, birth):
    response = _submit(client, auth_headers(citizen), birth, data=json.dumps({"nonsense": 1}))
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    required = {f.key for f in birth.fields if f.required}
    assert required | {"nonsense"} <= set(error["details"]["data"])


def test_missing_procedure_code_and_bad_json_are_422(client, citizen, auth_headers):
    response = client.post(
        "/api/v1/dossiers",
        data={"data": "{not json"},
        headers=auth_headers(citizen),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert {"procedure_code", "data"} <= set(response.json["error"]["details"])


def test_renamed_executable_is_refused_and_nothing_is_written(client, citizen, auth_headers, birth):
    key = next(d.key for d in birth.documents if d.required)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    response = _submit(
        client, auth_headers(citizen), birth, **{key: (io.BytesIO(exe), "giay-chung-sinh.pdf")}
    )
    assert response.status_code == 415
    assert response.json["error"]["code"] == "unsupported_media_type"
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_store_failure_leaves_no_rows_and_answers_503(app, client, citizen, auth_headers, birth, monkeypatch):
    from app.storage.base import StorageUnavailableError

    storage = app.extensions["storage"]
    real_put, calls = storage.put_stream, []

    def failing_second_put(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise StorageUnavailableError("Kho lưu trữ tệp tạm thời không truy cập được")
        return real_put(*args, **kwargs)

    bucket = app.config["S3_BUCKET"]
    before = {o.object_name for o in storage.client.list_objects(bucket, prefix="documents/", recursive=True)}
    monkeypatch.setattr(storage, "put_stream", failing_second_put)
    body = multipart_for(birth)
    extra = next(d for d in birth.documents if d.key not in body)
    body[extra.key] = (io.BytesIO(PDF), "them.pdf")
    response = client.post(
        "/api/v1/dossiers", data=body, headers=auth_headers(citizen), content_type="multipart/form-data"
    )
    assert response.status_code == 503
    assert response.json["error"]["code"] == "storage_unavailable"
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
    assert db.session.scalar(select(func.count()).select_from(DossierDocument)) == 0
    after = {o.object_name for o in storage.client.list_objects(bucket, prefix="documents/", recursive=True)}
    assert len(calls) == 2 and after == before  # the first file, already stored, was deleted again


def test_citizen_cannot_read_another_citizens_dossier(client, make_user, auth_headers, birth):
    owner, other = make_user("citizen"), make_user("citizen")
    code = _submit(client, auth_headers(owner), birth).json["code"]
    assert client.get(f"/api/v1/dossiers/{code}", headers=auth_headers(owner)).status_code == 200
    response = client.get(f"/api/v1/dossiers/{code}", headers=auth_headers(other))
    assert response.status_code == 404
    missing = client.get("/api/v1/dossiers/000.21.30.H01-990101-0001", headers=auth_headers(other))
    assert response.json["error"]["code"] == missing.json["error"]["code"] == "not_found"
    assert client.get("/api/v1/dossiers", headers=auth_headers(other)).json["items"] == []


def test_staff_see_only_dossiers_their_unit_holds_or_held(
    client, citizen, make_user, user, auth_headers, birth
):
    code = _submit(client, auth_headers(citizen), birth).json["code"]
    assert client.get(f"/api/v1/dossiers/{code}", headers=auth_headers(user("tn.candang"))).status_code == 200
    outsider = make_user("reception", unit="000.22.30.H01")
    assert client.get(f"/api/v1/dossiers/{code}", headers=auth_headers(outsider)).status_code == 404
    district_supervisor = user("giamsat.chauthanh")
    assert (
        client.get(f"/api/v1/dossiers/{code}", headers=auth_headers(district_supervisor)).status_code == 200
    )
    other_district = make_user("supervisor", unit="000.00.31.H01")
    assert client.get(f"/api/v1/dossiers/{code}", headers=auth_headers(other_district)).status_code == 404


def test_transitions_over_the_api_and_conflict_on_stale_version(client, citizen, user, auth_headers, birth):
    code = _submit(client, auth_headers(citizen), birth).json["code"]
    officer = auth_headers(user("tn.candang"))
    offered = client.get(f"/api/v1/dossiers/{code}/transitions", headers=officer).json
    assert {"accept", "refuse", "request_supplement"} <= {t["name"] for t in offered}
    accepted = client.post(
        f"/api/v1/dossiers/{code}/transitions",
        headers=officer,
        json={"name": "accept", "expected_version": 1},
    )
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["national_status"] == 2 and accepted.json["due_at"].endswith("+07:00")
    again = client.post(
        f"/api/v1/dossiers/{code}/transitions",
        headers=officer,
        json={"name": "refuse", "comment": "x", "expected_version": 1},
    )
    assert again.status_code == 409
    refused = client.post(f"/api/v1/dossiers/{code}/transitions", headers=officer, json={"name": "refuse"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "invalid_transition"


def test_guard_failure_is_422_naming_the_field(client, citizen, user, auth_headers, birth):
    code = _submit(client, auth_headers(citizen), birth).json["code"]
    response = client.post(
        f"/api/v1/dossiers/{code}/transitions",
        headers=auth_headers(user("tn.candang")),
        json={"name": "refuse"},
    )
    assert response.status_code == 422 and "comment" in response.json["error"]["details"]


def test_unauthenticated_and_bad_token_get_401(client):
    assert client.get("/api/v1/dossiers").status_code == 401
    response = client.get("/api/v1/dossiers", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthenticated"


def test_keyset_pagination_walks_every_dossier_once(client, citizen, auth_headers, birth):
    headers = auth_headers(citizen)
    codes = {_submit(client, headers, birth).json["code"] for _ in range(5)}
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"after": cursor} if cursor else {})}
        page = client.get("/api/v1/dossiers", headers=headers, query_string=query).json
        seen += [d["code"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and set(seen) == codes


def test_document_download_is_authorised_and_presigned(client, citizen, make_user, auth_headers, birth):
    body = _submit(client, auth_headers(citizen), birth).json
    document = body["documents"][0]
    url = f"/api/v1/dossiers/{body['code']}/documents/{document['id']}/download"
    response = client.get(url, headers=auth_headers(citizen))
    assert response.status_code == 302 and "X-Amz-Signature" in response.headers["Location"]
    import urllib.request

    with urllib.request.urlopen(response.headers["Location"]) as fetched:  # noqa: S310 (loopback S3)
        assert fetched.read().startswith(b"%PDF") or document["content_type"] == "image/png"
    assert client.get(url, headers=auth_headers(make_user("citizen"))).status_code == 404


def test_openapi_document_is_served(client):
    spec = client.get("/api/openapi.json").json
    assert {
        "/api/v1/dossiers",
        "/api/v1/dossiers/{code}/transitions",
        "/api/v1/auth/token",
        "/api/v1/units",
        "/api/v1/calendar/due-date",
    } <= set(spec["paths"])
