"""Uploads that could hurt are refused through the dossier API with a 415 naming the problem."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.dossiers.models import Dossier
from app.extensions import db
from app.procedures import get_registry
from tests.factories import PDF, multipart_for

POLYGLOT = PDF.replace(b"endobj\n", b"endobj\n<html><script>alert(document.cookie)</script></html>\n")
JS_PDF = PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>")


@pytest.fixture
def birth():
    return next(p for p in get_registry().all() if p.source_file.endswith("birth_registration.yaml"))


def _submit_with(client, headers, procedure, content: bytes):
    body = multipart_for(procedure)
    key = next(d.key for d in procedure.documents if d.required)
    body[key] = (io.BytesIO(content), "giay-chung-sinh.pdf")
    return client.post("/api/v1/dossiers", data=body, headers=headers, content_type="multipart/form-data")


@pytest.mark.parametrize(("content", "says"), [(POLYGLOT, "mã HTML (<html)"), (JS_PDF, "/JavaScript")])
def test_pdf_with_active_content_is_refused_and_no_dossier_is_made(
    client, make_user, auth_headers, birth, content, says
):
    response = _submit_with(client, auth_headers(make_user("citizen")), birth, content)
    assert response.status_code == 415, response.json
    error = response.json["error"]
    assert error["code"] == "active_content" and says in error["message"]
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_normal_pdf_is_accepted(client, make_user, auth_headers, birth):
    response = _submit_with(client, auth_headers(make_user("citizen")), birth, PDF)
    assert response.status_code == 201, response.json
