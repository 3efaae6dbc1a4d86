"""The Storage contract, run against both backends: the local folder and a real S3 server."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from app.core.errors import NotFoundError, PayloadTooLargeError, UnsupportedMediaError, ValidationError
from app.storage import InvalidKeyError, LocalStorage, S3Storage, Storage

MB = 1024 * 1024
PDF_ONLY = ["application/pdf"]
SCANS = ["application/pdf", "image/png", "image/jpeg"]


def stored_keys(storage: Storage, prefix: str) -> list[str]:
    """Everything under ``prefix``, including any temporary or partial file a backend might leave."""
    if isinstance(storage, LocalStorage):
        root = storage.root / prefix
        return sorted(str(p.relative_to(storage.root)) for p in root.rglob("*") if p.is_file())
    assert isinstance(storage, S3Storage)
    objects = storage.client.list_objects(storage.bucket, prefix=prefix + "/", recursive=True)
    uploads = storage.client._list_multipart_uploads(storage.bucket, prefix=prefix + "/").uploads
    return sorted([o.object_name for o in objects] + [u.object_name for u in uploads])


def read_all(storage: Storage, key: str) -> bytes:
    chunks = storage.open(key)
    try:
        return b"".join(chunks)
    finally:
        chunks.close()


@pytest.mark.parametrize("sample", ["pdf", "png", "jpeg"])
def test_allowed_file_is_stored_with_its_hash_size_and_sniffed_type(storage, samples, sample, key_prefix):
    data = samples[sample]
    stored = storage.put_stream(io.BytesIO(data), allowed_types=SCANS, max_bytes=MB, prefix=key_prefix)
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.content_type == {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}[sample]
    assert stored.key.startswith(key_prefix + "/") and len(stored.key.rsplit("/", 1)[1]) == 32
    assert storage.exists(stored.key)
    assert read_all(storage, stored.key) == data
    assert stored_keys(storage, key_prefix) == [stored.key]


def test_large_file_round_trips_in_chunks(storage, lazy_upload, key_prefix):
    upload = lazy_upload(12 * MB + 123)
    stored = storage.put_stream(upload, allowed_types=PDF_ONLY, max_bytes=20 * MB, prefix=key_prefix)
    assert stored.sha256 == upload.sha256
    digest, size = hashlib.sha256(), 0
    for chunk in storage.open(stored.key):
        assert len(chunk) <= MB
        digest.update(chunk)
        size += len(chunk)
    assert (size, digest.hexdigest()) == (12 * MB + 123, upload.sha256)


@pytest.mark.parametrize(
    ("sample", "allowed"),
    [
        ("windows_exe", PDF_ONLY),  # a program renamed "to-khai.pdf": the name is never consulted
        ("pe_pdf_polyglot", PDF_ONLY),
        ("elf", PDF_ONLY),
        ("shell_script", ["text/plain", "text/x-shellscript"]),
        ("text", PDF_ONLY),
        ("png", PDF_ONLY),
    ],
)
def test_refused_type_is_a_415_and_leaves_nothing(storage, samples, sample, allowed, key_prefix):
    with pytest.raises(UnsupportedMediaError) as caught:
        storage.put_stream(
            io.BytesIO(samples[sample]), allowed_types=allowed, max_bytes=MB, prefix=key_prefix
        )
    assert caught.value.status == 415
    assert stored_keys(storage, key_prefix) == []


def test_empty_file_is_refused(storage, key_prefix):
    with pytest.raises(ValidationError) as caught:
        storage.put_stream(io.BytesIO(b""), allowed_types=PDF_ONLY, max_bytes=MB, prefix=key_prefix)
    assert "rỗng" in caught.value.message
    assert stored_keys(storage, key_prefix) == []


def test_oversize_file_is_a_413_naming_the_limit_and_leaves_nothing(storage, lazy_upload, key_prefix):
    with pytest.raises(PayloadTooLargeError) as caught:
        storage.put_stream(lazy_upload(7 * MB), allowed_types=PDF_ONLY, max_bytes=5 * MB, prefix=key_prefix)
    assert "5 MB" in caught.value.message
    assert caught.value.details["max_bytes"] == 5 * MB
    assert stored_keys(storage, key_prefix) == []


def test_file_of_exactly_the_limit_is_accepted(storage, lazy_upload, key_prefix):
    stored = storage.put_stream(lazy_upload(MB), allowed_types=PDF_ONLY, max_bytes=MB, prefix=key_prefix)
    assert stored.size == MB


def test_upload_broken_off_by_the_client_leaves_nothing(storage, lazy_upload, key_prefix):
    with pytest.raises(OSError, match="client connection reset"):
        storage.put_stream(
            lazy_upload(8 * MB, fail_after=6 * MB),
            allowed_types=PDF_ONLY,
            max_bytes=20 * MB,
            prefix=key_prefix,
        )
    assert stored_keys(storage, key_prefix) == []


def test_delete_removes_the_object_and_is_idempotent(storage, samples, key_prefix):
    stored = storage.put_stream(
        io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB, prefix=key_prefix
    )
    storage.delete(stored.key)
    assert not storage.exists(stored.key)
    storage.delete(stored.key)
    with pytest.raises(NotFoundError):
        storage.open(stored.key)
    assert stored_keys(storage, key_prefix) == []


def test_missing_object_is_not_found(storage):
    key = "documents/2025/01/" + "0" * 32
    assert not storage.exists(key)
    with pytest.raises(NotFoundError):
        storage.open(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "documents/2025/01/../../../../etc/passwd"])
def test_malformed_key_never_reaches_the_store(storage, key):
    for call in (storage.open, storage.delete, storage.exists):
        with pytest.raises(InvalidKeyError):
            call(key)
    with pytest.raises(InvalidKeyError):
        storage.download_url(key, "x.pdf", "application/pdf", 60)


def test_two_uploads_of_the_same_file_get_distinct_keys(storage, samples, key_prefix):
    first, second = (
        storage.put_stream(
            io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB, prefix=key_prefix
        )
        for _ in range(2)
    )
    assert first.key != second.key and first.sha256 == second.sha256


def test_local_store_keeps_only_the_key_as_the_path(local_storage, samples):
    stored = local_storage.put_stream(io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB)
    path = local_storage.path_for(stored.key)
    assert path == local_storage.root.joinpath(*stored.key.split("/"))
    assert Path(path).read_bytes() == samples["pdf"]
