"""Fixtures for the storage domain: sample files, a local store in tmp_path, a real S3 bucket.

The S3 fixtures talk to a real S3 server (SeaweedFS ``weed mini`` under ``make test``) named by
``S3_ENDPOINT`` / ``S3_ACCESS_KEY`` / ``S3_SECRET_KEY``. Without them the S3 tests fail: they are
part of the suite, not optional.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid

import pytest
from minio.deleteobjects import DeleteObject
from PIL import Image

from app.storage import LocalStorage, S3Storage

MB = 1024 * 1024


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture(scope="session")
def samples() -> dict[str, bytes]:
    """Real file heads of each kind, keyed by what they are (not by what a client might claim)."""
    pe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 52 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"
    return {
        "pdf": PDF,
        "pdf_with_preamble": b"\r\n" * 10 + PDF,  # junk before the header, as some scanners write
        "png": _image("PNG"),
        "jpeg": _image("JPEG"),
        "windows_exe": pe + b"\x00" * 4096,
        "pe_pdf_polyglot": pe + b"%PDF-1.7\n" + b"\x00" * 1024,
        "elf": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 1024,
        "macho": b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 1024,
        "shell_script": b"#!/bin/sh\nrm -rf ~\n",
        "text": "Đơn đề nghị cấp giấy khai sinh\nHọ và tên: Nguyễn Văn A\n".encode(),
        "html": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    }


def pdf_layout(total: int) -> tuple[bytes, int, bytes]:
    """A well-formed PDF of exactly ``total`` bytes: its head, the length of the stream data that
    follows it, and its tail (end of the stream, cross-reference table, trailer)."""
    objects = [
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n",
    ]
    header = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = [len(header), len(header) + len(objects[0])]
    offsets.append(offsets[1] + len(objects[1]))
    body = total
    for _ in range(3):  # the lengths written in the file change its length; settle them
        head = header + b"".join(objects) + b"3 0 obj\n<< /Length %d >>\nstream\n" % body
        xref_at = len(head) + body + len(b"\nendstream\nendobj\n")
        tail = (
            b"\nendstream\nendobj\nxref\n0 4\n0000000000 65535 f \n"
            + b"".join(b"%010d 00000 n \n" % o for o in offsets)
            + b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
        )
        body = total - len(head) - len(tail)
    assert body >= 0, "too small for a PDF"
    return head, body, tail


def real_pdf(extra: bytes = b"", size: int = 4096) -> bytes:
    head, body, tail = pdf_layout(size)
    return head + (extra + b"0" * body)[:body] + tail


PDF = real_pdf(size=2100)  # a small well-formed PDF: catalog, page tree, cross-reference table


class LazyUpload:
    """A file-like upload of ``total`` bytes produced on demand (a well-formed PDF whose one stream
    is a repeating pattern), never all in memory.

    It hashes what it hands out, so a test can compare with what the store computed.
    """

    _PATTERN = (bytes(range(256)) * 4096)[:MB]

    def __init__(self, total: int, *, fail_after: int | None = None):
        self.total = total
        self.position = 0
        self.fail_after = fail_after
        self._sha = hashlib.sha256()
        self._head, body, self._tail = pdf_layout(total)
        self._body_end = len(self._head) + body

    def _bytes_at(self, position: int, size: int) -> bytes:
        if position < len(self._head):
            return self._head[position : position + size]
        if position >= self._body_end:
            start = position - self._body_end
            return self._tail[start : start + size]
        start = (position - len(self._head)) % len(self._PATTERN)
        return self._PATTERN[start : start + min(size, self._body_end - position)]

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()

    def read(self, size: int = -1) -> bytes:
        if self.fail_after is not None and self.position >= self.fail_after:
            raise OSError("client connection reset")
        size = MB if size is None or size < 0 else size
        chunk = self._bytes_at(self.position, min(size, self.total - self.position))
        self.position += len(chunk)
        self._sha.update(chunk)
        return chunk


@pytest.fixture(autouse=True)
def app_ctx():
    """Storage tests need no database: this replaces the suite-wide fixture that seeds and cleans one.

    They build their own minimal Flask app where they need one, and clean up their own objects.
    """
    yield


@pytest.fixture
def lazy_upload() -> type[LazyUpload]:
    return LazyUpload


@pytest.fixture
def local_storage(tmp_path) -> LocalStorage:
    storage = LocalStorage(tmp_path / "attachments")
    storage.ensure_ready()
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request):
    """Each backend in turn, for tests of the contract they share."""
    return request.getfixturevalue(f"{request.param}_storage")


_S3_ENV = ("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY")


@pytest.fixture(scope="session")
def s3_settings() -> dict[str, object]:
    missing = [name for name in _S3_ENV if not os.environ.get(name)]
    if missing:
        pytest.fail(
            f"S3 integration tests need {', '.join(missing)}: run `make test`, which starts SeaweedFS "
            "(weed mini) and exports them, or point them at a running S3 server.",
            pytrace=False,
        )
    return {
        "endpoint": os.environ["S3_ENDPOINT"],
        "access_key": os.environ["S3_ACCESS_KEY"],
        "secret_key": os.environ["S3_SECRET_KEY"],
        "secure": os.environ.get("S3_SECURE", "").lower() in {"1", "true", "yes", "on"},
        "region": os.environ.get("S3_REGION") or "us-east-1",
    }


def remove_bucket(storage: S3Storage) -> None:
    client = storage.client
    if not client.bucket_exists(storage.bucket):
        return
    objects = client.list_objects(storage.bucket, recursive=True)
    errors = list(client.remove_objects(storage.bucket, (DeleteObject(o.object_name) for o in objects)))
    assert not errors, errors
    client.remove_bucket(storage.bucket)


@pytest.fixture(scope="session")
def s3_storage(s3_settings) -> S3Storage:
    """An S3Storage on a fresh bucket for this test session, emptied and removed at the end."""
    storage = S3Storage(bucket=f"test-storage-{uuid.uuid4().hex[:12]}", **s3_settings)
    storage.ensure_ready()
    yield storage
    remove_bucket(storage)


@pytest.fixture
def new_bucket_storage(s3_settings):
    """Factory: an S3Storage on a bucket that does not exist yet; the bucket is removed afterwards."""
    made: list[S3Storage] = []

    def make(**overrides) -> S3Storage:
        storage = S3Storage(bucket=f"test-bucket-{uuid.uuid4().hex[:12]}", **{**s3_settings, **overrides})
        made.append(storage)
        return storage

    yield make
    for storage in made:
        remove_bucket(S3Storage(bucket=storage.bucket, **s3_settings))


@pytest.fixture
def key_prefix() -> str:
    """A prefix of its own for each test, so a test can list exactly the objects it left."""
    return f"t{uuid.uuid4().hex[:12]}"
