"""The S3 server dies in the middle of a submission's uploads (one document stored, the next ones
not): the citizen is told to retry later, nothing of the dossier exists, the stored document is an
orphan the sweep removes once the store is back, and the same request sent again then makes the
dossier exactly once. The S3 server is a `weed mini` of the test's own, killed with SIGKILL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.dossiers.models import Dossier, DossierDocument
from app.extensions import db
from app.procedures import get_registry
from app.workflow.idempotency import IdempotencyKey
from tests.factories import multipart_for

pytestmark = [pytest.mark.committed, pytest.mark.slow]
BIRTH = "1.001193"  # three required documents
KEY = "faults-s3-0001"


def _kill_after_first_store(storage, server) -> None:  # noqa: ANN001
    """The store dies right after the first document of the request is stored."""
    stored = []
    put = storage.put_stream

    def put_then_die(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = put(*args, **kwargs)
        stored.append(result.key)
        if len(stored) == 1:
            server.kill()
        return result

    storage.put_stream = put_then_die


def _count(model, citizen) -> int:  # noqa: ANN001
    db.session.rollback()
    column = model.applicant_id if model is Dossier else model.user_id
    return db.session.scalar(select(func.count()).select_from(model).where(column == citizen.id))


def _submit(instance, headers):  # noqa: ANN001, ANN202
    body = multipart_for(get_registry().current(BIRTH))
    with instance.app_context():
        return instance.test_client().post(
            "/api/v1/dossiers",
            data=body,
            headers={**headers, "Idempotency-Key": KEY},
            content_type="multipart/form-data",
        )


def _sweep(instance) -> str:  # noqa: ANN001
    with instance.app_context():
        result = instance.test_cli_runner().invoke(args=["storage", "sweep-orphans", "--older-than", "0"])
    assert result.exit_code == 0, result.output
    return result.output


def test_s3_dying_mid_submission_is_a_503_leaving_nothing_and_the_retry_submits_once(
    other_app, s3_server, make_user, auth_headers
):
    citizen = make_user("citizen")
    headers = auth_headers(citizen)
    instance = other_app(**s3_server.settings())
    _kill_after_first_store(instance.extensions["storage"], s3_server)

    refused = _submit(instance, headers)

    assert refused.status_code == 503, refused.get_data(as_text=True)
    assert refused.headers["Retry-After"].isdigit()
    assert refused.json["error"]["code"] == "storage_unavailable"
    assert _count(Dossier, citizen) == 0
    assert _count(IdempotencyKey, citizen) == 0  # the key is free: the same request may be sent again

    s3_server.start()  # same ports, same data
    assert len(s3_server.object_names()) == 1  # the first document: no row names it
    assert "deleted 1 orphan(s)" in _sweep(instance)
    assert s3_server.object_names() == []

    first, again = _submit(instance, headers), _submit(instance, headers)

    assert first.status_code == 201, first.json
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json["code"] == first.json["code"]
    assert _count(Dossier, citizen) == 1
    keys = set(
        db.session.scalars(
            select(DossierDocument.storage_key).join(Dossier).where(Dossier.code == first.json["code"])
        )
    )
    assert len(keys) == 3 and set(s3_server.object_names()) == keys
    assert "deleted 0 orphan(s)" in _sweep(instance)  # what the rows name is never touched
    assert set(s3_server.object_names()) == keys
