"""S3 backend against a real S3 server (SeaweedFS under ``make test``), through the minio SDK."""

from __future__ import annotations

import io
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from flask import Flask

from app.storage import S3Storage, StorageUnavailableError, download_response

MB = 1024 * 1024
PDF_ONLY = ["application/pdf"]


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    assert urlsplit(url).scheme in {"http", "https"}
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - scheme checked above
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_presigned_url_downloads_the_file_under_its_original_name(s3_storage, samples, key_prefix):
    stored = s3_storage.put_stream(
        io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB, prefix=key_prefix
    )
    url = s3_storage.download_url(stored.key, "Giấy chứng nhận QSDĐ.pdf", stored.content_type, 60)
    assert "X-Amz-Expires=60" in url
    status, headers, body = fetch(url)
    assert status == 200 and body == samples["pdf"]
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == (
        'attachment; filename="Giay chung nhan QSDD.pdf"; '
        "filename*=UTF-8''Gi%E1%BA%A5y%20ch%E1%BB%A9ng%20nh%E1%BA%ADn%20QSD%C4%90.pdf"
    )


def test_presigned_url_stops_working_when_it_expires(s3_storage, samples, key_prefix):
    stored = s3_storage.put_stream(
        io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB, prefix=key_prefix
    )
    url = s3_storage.download_url(stored.key, "a.pdf", stored.content_type, 1)
    time.sleep(2.1)
    status, _, _ = fetch(url)
    assert status == 403


def test_tampered_presigned_url_is_refused(s3_storage, samples, key_prefix):
    stored = s3_storage.put_stream(
        io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB, prefix=key_prefix
    )
    other = s3_storage.put_stream(
        io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB, prefix=key_prefix
    )
    url = s3_storage.download_url(stored.key, "a.pdf", stored.content_type, 60)
    status, _, _ = fetch(url.replace(stored.key, other.key))
    assert status == 403


def test_download_response_redirects_to_a_presigned_url(s3_storage, samples, key_prefix):
    stored = s3_storage.put_stream(
        io.BytesIO(samples["png"]), allowed_types=["image/png"], max_bytes=MB, prefix=key_prefix
    )
    app = Flask(__name__)
    app.config["DOWNLOAD_URL_SECONDS"] = 120
    app.extensions["storage"] = s3_storage
    with app.test_request_context():
        response = download_response(stored.key, "anh.png", "image/png")
    assert response.status_code == 302
    assert "X-Amz-Expires=120" in response.location
    assert fetch(response.location)[2] == samples["png"]


def test_stored_object_carries_its_sha256_and_sniffed_type(s3_storage, samples, key_prefix):
    stored = s3_storage.put_stream(
        io.BytesIO(samples["jpeg"]), allowed_types=["image/jpeg"], max_bytes=MB, prefix=key_prefix
    )
    stat = s3_storage.client.stat_object(s3_storage.bucket, stored.key)
    assert stat.content_type == "image/jpeg"
    assert stat.metadata["x-amz-meta-sha256"] == stored.sha256


def test_ensure_ready_creates_a_missing_bucket_and_can_repeat(new_bucket_storage):
    storage = new_bucket_storage()
    assert not storage.client.bucket_exists(storage.bucket)
    storage.ensure_ready()
    storage.ensure_ready()
    assert storage.client.bucket_exists(storage.bucket)


def test_first_put_creates_the_bucket(new_bucket_storage, samples):
    storage = new_bucket_storage()
    stored = storage.put_stream(io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB)
    assert storage.exists(stored.key)


def test_unreachable_store_is_a_503_within_seconds(samples):
    storage = S3Storage("127.0.0.1:1", "access", "secret-key", "dossiers")
    for attempt in (
        lambda: storage.put_stream(io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB),
        lambda: storage.open("documents/2025/01/" + "0" * 32),
        lambda: storage.exists("documents/2025/01/" + "0" * 32),
        lambda: storage.delete("documents/2025/01/" + "0" * 32),
        storage.ensure_ready,
    ):
        started = time.monotonic()
        with pytest.raises(StorageUnavailableError) as caught:
            attempt()
        assert time.monotonic() - started < 5
        assert caught.value.status == 503 and caught.value.code == "storage_unavailable"
        assert "127.0.0.1" not in caught.value.message  # the cause is logged, not sent to clients


def test_wrong_credentials_are_a_503_not_a_crash(s3_settings, s3_storage, samples):
    settings = {**s3_settings, "secret_key": "not-the-secret"}
    storage = S3Storage(bucket=s3_storage.bucket, **settings)
    with pytest.raises(StorageUnavailableError):
        storage.put_stream(io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB)
