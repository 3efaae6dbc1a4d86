"""The dossier history is tamper-evident: every event is chained to the one before it, the whole
log is anchored (signed, copied to the object store), and `flask audit verify` names the first
broken link — a changed comment, a deleted event, two events swapped, an anchor that differs."""

from __future__ import annotations

import io
import json

from sqlalchemy import select, text, update

from app.audit.anchors import latest_anchor
from app.audit.chain import GENESIS
from app.audit.models import AuditVerification
from app.dossiers.models import DossierEvent
from app.extensions import db
from app.storage import get_storage


def _events(dossier) -> list[DossierEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by("id"))
    )


def test_each_event_is_chained_to_the_one_before(dossier):
    events = _events(dossier)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert len({e.hash for e in events}) == 4


def test_an_intact_history_verifies_and_the_run_is_recorded(dossier, verify_cli):
    assert verify_cli("--dossier", dossier.code).exit_code == 0
    result = verify_cli()
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
    last = db.session.scalar(select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1))
    assert last.status == "ok" and last.events_checked >= 4


def test_a_comment_changed_in_the_database_is_detected(dossier, verify_cli):
    proposed = _events(dossier)[3]
    db.session.execute(
        text("UPDATE dossier_events SET comment = 'Không đủ' WHERE id = :id"), {"id": proposed.id}
    )
    result = verify_cli()
    assert result.exit_code == 1
    assert f"dossier {dossier.code}, event #{proposed.id}" in result.output
    assert "content_changed" in result.output
    last = db.session.scalar(select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1))
    assert (last.status, last.broken_dossier_code, last.broken_event_id) == (
        "broken",
        dossier.code,
        proposed.id,
    )


def test_a_deleted_middle_event_is_detected(dossier, verify_cli):
    events = _events(dossier)
    db.session.execute(text("DELETE FROM dossier_events WHERE id = :id"), {"id": events[2].id})
    result = verify_cli("--dossier", dossier.code)
    assert result.exit_code == 1
    assert f"dossier {dossier.code}, event #{events[3].id}" in result.output
    assert "event_deleted" in result.output and "sequence 3 is missing" in result.output


def test_two_events_swapped_are_detected_as_reordered(dossier, verify_cli):
    second, third = _events(dossier)[1:3]
    columns = ("transition", "from_state", "to_state", "actor_id", "actor_unit_id", "created_at", "comment")
    contents = {e.id: {c: getattr(e, c) for c in (*columns, "payload", "snapshot")} for e in (second, third)}
    table = DossierEvent.__table__
    db.session.execute(update(table).where(table.c.id == second.id).values(**contents[third.id]))
    db.session.execute(update(table).where(table.c.id == third.id).values(**contents[second.id]))
    result = verify_cli()
    assert result.exit_code == 1
    assert f"dossier {dossier.code}, event #{second.id}" in result.output
    assert "reordered" in result.output


def test_the_last_event_deleted_is_caught_by_the_anchor(dossier, app, verify_cli):
    assert app.test_cli_runner().invoke(args=["audit", "anchor"]).exit_code == 0
    db.session.execute(text("DELETE FROM dossier_events WHERE id = :id"), {"id": _events(dossier)[-1].id})
    result = verify_cli()
    assert result.exit_code == 1
    assert "anchor_mismatch" in result.output and f"anchor #{latest_anchor().id}" in result.output


def test_an_anchor_whose_stored_copy_differs_is_detected(dossier, app, verify_cli):
    assert app.test_cli_runner().invoke(args=["audit", "anchor"]).exit_code == 0
    assert verify_cli().exit_code == 0
    anchor = latest_anchor()
    stored = json.loads(b"".join(get_storage().open(anchor.storage_key)))
    forged = json.dumps({**stored, "event_count": stored["event_count"] + 1}).encode()
    copy = get_storage().put_stream(io.BytesIO(forged), allowed_types=["text/plain"], max_bytes=64 * 1024)
    db.session.execute(
        text("UPDATE audit_anchors SET storage_key = :key WHERE id = :id"), {"key": copy.key, "id": anchor.id}
    )
    result = verify_cli()
    assert result.exit_code == 1
    assert f"anchor #{anchor.id}" in result.output and "object store differs" in result.output


def test_an_anchor_rewritten_in_the_database_alone_is_detected(dossier, app, verify_cli):
    assert app.test_cli_runner().invoke(args=["audit", "anchor"]).exit_code == 0
    db.session.execute(
        text("UPDATE audit_anchors SET event_count = event_count - 1 WHERE id = :id"),
        {"id": latest_anchor().id},
    )
    result = verify_cli()
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_the_admin_runs_a_verification_and_sees_its_result(dossier, signed_in, app, monkeypatch):
    monkeypatch.delitem(app.extensions, "redis")  # the job runs in this process after the commit
    admin = signed_in("admin")
    from tests.web import csrf_token

    token = csrf_token(admin, "/admin/audit/history")
    assert admin.post("/admin/audit/history/verify", data={"csrf_token": token}).status_code == 303
    html = admin.get("/admin/audit/history").get_data(as_text=True)
    assert "Toàn vẹn" in html and "Lượt kiểm tra gần nhất" in html
    last = db.session.scalar(select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1))
    assert last.status == "ok" and last.events_checked >= 4
