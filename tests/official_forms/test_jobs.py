"""The outbox handler and the render job are idempotent, record failures for rq to retry, and run
on the real rq worker."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.official_forms import services
from app.official_forms.models import IssuedForm
from app.official_forms.services import issue_forms_for_transition, render_form
from app.outbox.models import OutboxMessage
from tests.factories import act
from tests.official_forms.support import only_form, pdf_text, stored_pdf


def _forms_count() -> int:
    return db.session.scalar(select(func.count()).select_from(IssuedForm))


def _stored_form_keys(app) -> set[str]:
    storage = app.extensions["storage"]
    return {
        o.object_name for o in storage.client.list_objects(app.config["S3_BUCKET"], "forms/", recursive=True)
    }


def test_handler_and_job_run_twice_give_one_form_and_one_object(app, in_process_jobs, birth, user):
    before = _stored_form_keys(app)
    dossier = act(birth, "accept", user("tn.candang"))
    issued = only_form(dossier.id, "mau_01")
    message = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.dossier_id == dossier.id, OutboxMessage.topic == "dossier.transitioned"
        )
    )
    issue_forms_for_transition(message)
    issue_forms_for_transition(message)
    db.session.commit()
    render_form(issued.id)
    render_form(issued.id)
    assert _forms_count() == 1
    assert _stored_form_keys(app) - before == {issued.storage_key}


def test_failed_render_is_recorded_and_reraised_then_a_retry_succeeds(
    in_process_jobs, birth, user, monkeypatch
):
    def broken(*args):
        raise OSError("font file unreadable")

    monkeypatch.setattr(services, "render_pdf", broken)
    dossier = act(birth, "accept", user("tn.candang"))  # the in-process job fails and logs
    issued = only_form(dossier.id, "mau_01")
    assert issued.status == "failed" and "font file unreadable" in issued.error and issued.storage_key is None
    with pytest.raises(OSError):
        render_form(issued.id)  # what rq sees: the job raises, so it is retried
    monkeypatch.undo()
    render_form(issued.id)
    db.session.refresh(issued)
    assert issued.status == "ready" and issued.error is None
    assert dossier.code in pdf_text(stored_pdf(issued))


def test_unknown_form_id_is_a_no_op():
    render_form(987654)


def test_forms_are_rendered_by_the_real_worker(rq_worker, birth, citizen, user):
    dossier = act(birth, "accept", user("tn.candang"))
    deadline = time.monotonic() + 30
    issued = None
    while time.monotonic() < deadline:
        db.session.rollback()
        issued = db.session.scalar(select(IssuedForm).where(IssuedForm.dossier_id == dossier.id))
        if issued is not None and issued.status != "pending":
            break
        time.sleep(0.2)
    assert issued is not None and issued.status == "ready", issued and (issued.status, issued.error)
    text = pdf_text(stored_pdf(issued))
    assert dossier.code in text and citizen.full_name in text


def test_forms_left_unrendered_are_enqueued_again(in_process_jobs, birth, user):
    dossier = act(birth, "accept", user("tn.candang"))
    issued = only_form(dossier.id, "mau_01")
    issued.status, issued.storage_key, issued.ready_at = "pending", None, None  # as if the job was lost
    db.session.commit()
    assert services.render_unfinished(older_than_seconds=0) == 1
    db.session.refresh(issued)
    assert issued.status == "ready" and issued.storage_key
