"""Counter intake: a reception officer registers a dossier brought in person or by post, with the
paper documents scanned, and (optionally) accepts it at once so Mẫu 01 is ready to print."""

from __future__ import annotations

import io
import re
import time

import pytest
from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from app.official_forms.queries import list_forms
from app.procedures import get_registry
from tests.factories import form_data, sample_file
from tests.web import sign_in
from tests.workspace.conftest import BIRTH
from tests.workspace.support import CSRF_RE

URL = f"/work/intake/{BIRTH}"


def _body(client, *, accept_now: bool = True, **override) -> dict:
    procedure = get_registry().current(BIRTH)
    html = client.get(URL).get_data(as_text=True)
    body = {
        "csrf_token": CSRF_RE.search(html).group(1),
        "channel": "counter",
        "name": "Lê Văn Tám",
        "citizen_id": "089090000123",
        "phone": "0912 345 678".replace(" ", ""),
        "email": "tam@example.vn",
        "address": "ấp An Hòa, xã Cần Đăng",
        **{
            k: ("true" if v is True else "false" if v is False else str(v))
            for k, v in form_data(procedure).items()
        },
    }
    if accept_now:
        body["accept_now"] = "y"
    for spec in procedure.documents:
        if spec.required:
            content, name = sample_file(spec.types)
            body[spec.key] = (io.BytesIO(content), name)
    body.update(override)
    return body


def _post(client, body):
    return client.post(URL, data=body, content_type="multipart/form-data")


def _only_dossier() -> Dossier:
    dossiers = list(db.session.scalars(select(Dossier)))
    assert len(dossiers) == 1
    return dossiers[0]


def test_intake_lists_the_procedures_the_unit_receives(officer):
    html = officer("tn.candang").get("/work/intake").get_data(as_text=True)
    assert BIRTH in html and "1.012790" in html


@pytest.mark.usefixtures("in_process_jobs")
def test_counter_intake_with_accept_now_issues_mau_01(officer):
    client = officer("tn.candang")
    response = _post(client, _body(client))
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    dossier = _only_dossier()
    assert response.headers["Location"].endswith(f"/work/dossiers/{dossier.code}")
    assert dossier.channel == "counter" and dossier.state == "accepted"
    assert dossier.applicant_name == "Lê Văn Tám" and dossier.applicant_citizen_id == "089090000123"
    assert dossier.documents and all(d.source == "counter_scan" and d.is_digitised for d in dossier.documents)
    forms = _wait_ready(dossier.id)
    assert [f.form for f in forms] == ["mau_01"]
    html = client.get(f"/work/dossiers/{dossier.code}").get_data(as_text=True)
    assert f"/dossiers/{dossier.code}/forms/{forms[0].id}" in html and "In / tải PDF" in html


def _wait_ready(dossier_id: int, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        forms = list_forms(dossier_id)
        if forms and all(f.is_ready for f in forms):
            return forms
        time.sleep(0.2)
    raise AssertionError("Mẫu 01 not ready")


def test_postal_intake_without_accept_stays_submitted(officer):
    client = officer("tn.candang")
    assert _post(client, _body(client, accept_now=False, channel="postal")).status_code == 303
    dossier = _only_dossier()
    assert dossier.channel == "postal" and dossier.state == "submitted"
    assert list_forms(dossier.id) == []


def test_invalid_citizen_id_is_shown_next_to_the_field(officer):
    client = officer("tn.candang")
    response = _post(client, _body(client, citizen_id="123"))
    assert response.status_code == 422
    assert "12 chữ số" in response.get_data(as_text=True)
    assert db.session.scalar(select(Dossier.id)) is None


def test_missing_required_document_and_field_are_named(officer):
    procedure = get_registry().current(BIRTH)
    required = next(d for d in procedure.documents if d.required)
    field = next(f for f in procedure.fields if f.required)
    client = officer("tn.candang")
    body = _body(client)
    body.pop(required.key)
    body[field.key] = ""
    response = _post(client, body)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Thiếu giấy tờ bắt buộc" in html or "Bắt buộc" in html
    assert db.session.scalar(select(Dossier.id)) is None


@pytest.mark.parametrize("login", ["cv.candang", "ld.candang"])
def test_only_reception_takes_dossiers_at_the_counter(officer, login):
    assert officer(login).get("/work/intake").status_code == 403


def test_citizen_cannot_use_intake(client, citizen):
    sign_in(client, citizen.username, "password123")
    assert client.get(URL).status_code == 403


def test_an_intake_form_sent_twice_registers_one_dossier(officer):
    """A double click, or the officer's browser sending the form again: the page's key makes the
    second post answer like the first."""
    client = officer("tn.candang")
    html = client.get(URL).get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    first = _post(client, _body(client, idempotency_key=key))
    again = _post(client, _body(client, idempotency_key=key))
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"] and again.headers["Idempotent-Replayed"]
    assert _only_dossier().applicant_name == "Lê Văn Tám"
