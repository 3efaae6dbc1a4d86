"""The orphan sweep against the real database and S3 server: objects no row names and incomplete
multipart uploads older than the grace period go; referenced and young objects stay."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

from app.storage import get_storage
from app.storage.orphans import key_columns, sweep_orphans
from tests.factories import PDF

GRACE = timedelta(seconds=3)


def _put(prefix: str = "documents") -> str:
    return (
        get_storage()
        .put_stream(io.BytesIO(PDF), allowed_types=["application/pdf"], max_bytes=10**6, prefix=prefix)
        .key
    )


def _object_names(storage) -> set[str]:
    return {o.name for o in storage.list_objects()}


def test_every_table_with_attachments_is_checked():
    tables = {c.table.name for c in key_columns()}
    assert {"dossier_documents", "draft_documents", "monthly_reports"} <= tables


def test_sweep_deletes_old_orphans_and_keeps_referenced_and_young_objects(make_user):
    from tests.factories import submit

    storage = get_storage()
    dossier = submit(make_user("citizen"), "1.001193")  # its documents are rows naming their keys
    referenced = {d.storage_key for d in dossier.documents}
    orphan = _put()
    time.sleep(GRACE.total_seconds() + 1.5)
    young = _put()

    dry = sweep_orphans(storage, grace=GRACE, dry_run=True)
    assert orphan in dry.deleted_names and orphan in _object_names(storage)

    report = sweep_orphans(storage, grace=GRACE)
    names = _object_names(storage)
    assert orphan in report.deleted_names and orphan not in names
    assert referenced <= names and young in names
    assert report.referenced >= len(referenced) and report.young >= 1


def test_sweep_aborts_an_incomplete_multipart_upload():
    storage = get_storage()
    key = "documents/2025/01/" + "a" * 32
    upload_id = storage.client._create_multipart_upload(
        storage.bucket, key, {"Content-Type": "application/pdf"}
    )
    storage.client._upload_part(storage.bucket, key, b"x" * (5 * 1024 * 1024), None, upload_id, 1)

    def pending() -> set[str]:
        return {u.upload_id for u in storage._incomplete_uploads("documents/2025/01/")}

    assert upload_id in pending()
    assert sweep_orphans(storage, grace=timedelta(hours=24)).aborted_uploads == 0  # in flight: kept
    assert upload_id in pending()
    report = sweep_orphans(storage, grace=timedelta(0), now=datetime.now(UTC) + timedelta(seconds=5))
    assert report.aborted_uploads >= 1 and upload_id not in pending()


def test_cli_prints_the_counts(app):
    result = app.test_cli_runner().invoke(args=["storage", "sweep-orphans", "--older-than", "1", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would delete" in result.output and "listed" in result.output
