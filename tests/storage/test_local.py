"""Local-folder backend specifics, the Flask wiring, and the streaming download helpers."""

from __future__ import annotations

import io
import os

import pytest
from flask import Flask

from app.core.errors import NotFoundError, register_error_handlers
from app.storage import (
    LocalStorage,
    S3Storage,
    StorageUnavailableError,
    build_storage,
    download_response,
    init_app,
    send_local,
)

MB = 1024 * 1024
PDF_ONLY = ["application/pdf"]


@pytest.fixture
def storage_app(tmp_path):
    app = Flask(__name__)
    app.config.update(
        STORAGE_BACKEND="local", STORAGE_LOCAL_DIR=str(tmp_path / "files"), DOWNLOAD_URL_SECONDS=60
    )
    register_error_handlers(app)
    init_app(app)

    @app.get("/download/<path:key>")
    def download(key: str):
        return download_response(key, "Giấy khai sinh.pdf", "application/pdf")

    return app


def test_init_app_creates_the_folder_and_registers_the_backend(storage_app, tmp_path):
    assert isinstance(storage_app.extensions["storage"], LocalStorage)
    assert (tmp_path / "files").is_dir()


def test_build_storage_s3_needs_its_settings():
    with pytest.raises(RuntimeError, match="S3_ACCESS_KEY, S3_SECRET_KEY"):
        build_storage({"STORAGE_BACKEND": "s3", "S3_ENDPOINT": "127.0.0.1:9000", "S3_BUCKET": "dossiers"})


def test_build_storage_s3_accepts_an_endpoint_with_scheme():
    storage = build_storage(
        {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT": "https://s3.example.vn:9000",
            "S3_ACCESS_KEY": "a",
            "S3_SECRET_KEY": "b",
            "S3_BUCKET": "dossiers",
            "S3_REGION": "us-east-1",
        }
    )
    assert isinstance(storage, S3Storage) and storage.endpoint == "s3.example.vn:9000"
    assert storage.client._base_url.is_https


def test_unknown_backend_stops_start_up():
    with pytest.raises(RuntimeError, match="'local' or 's3'"):
        build_storage({"STORAGE_BACKEND": "ftp"})


def test_authorised_view_streams_the_file_as_a_safe_attachment(storage_app, samples):
    with storage_app.app_context():
        stored = storage_app.extensions["storage"].put_stream(
            io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB
        )
    response = storage_app.test_client().get(f"/download/{stored.key}")
    assert response.status_code == 200
    assert response.data == samples["pdf"]
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Giay khai sinh.pdf\"; filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh.pdf"
    )
    assert "no-store" in response.headers["Cache-Control"]


def test_missing_file_download_is_a_404_before_any_byte(storage_app):
    response = storage_app.test_client().get(
        "/download/documents/2025/01/" + "0" * 32, headers={"Accept": "application/json"}
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_send_local_sets_the_length_when_known(storage_app, samples):
    with storage_app.test_request_context():
        stored = storage_app.extensions["storage"].put_stream(
            io.BytesIO(samples["png"]), allowed_types=["image/png"], max_bytes=MB
        )
        response = send_local(stored.key, "anh-the.png", "image/png", size=stored.size)
        assert response.content_length == len(samples["png"])
        assert b"".join(response.response) == samples["png"]
        response.close()


def test_local_backend_has_no_direct_url(local_storage, samples):
    stored = local_storage.put_stream(io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB)
    assert local_storage.download_url(stored.key, "a.pdf", "application/pdf", 60) is None


def test_unopened_download_releases_its_file(local_storage, samples):
    stored = local_storage.put_stream(io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB)
    chunks = local_storage.open(stored.key)
    chunks.close()
    assert chunks._file.closed


def test_unwritable_folder_is_a_503_and_leaves_nothing(tmp_path, samples):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    storage = LocalStorage(blocker / "attachments")
    with pytest.raises(StorageUnavailableError) as caught:
        storage.put_stream(io.BytesIO(samples["pdf"]), allowed_types=PDF_ONLY, max_bytes=MB)
    assert caught.value.status == 503
    assert "message_en" in caught.value.details
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_write_failure_midway_removes_the_temporary_file(local_storage, lazy_upload, monkeypatch):
    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(StorageUnavailableError):
        local_storage.put_stream(lazy_upload(3 * MB), allowed_types=PDF_ONLY, max_bytes=10 * MB)
    assert [p for p in local_storage.root.rglob("*") if p.is_file()] == []


def test_files_are_written_through_a_hidden_temporary_name(local_storage, lazy_upload, monkeypatch):
    seen: list[str] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(os.path.basename(src))
        assert os.path.dirname(src) == os.path.dirname(dst)
        assert not os.path.exists(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    stored = local_storage.put_stream(lazy_upload(2 * MB), allowed_types=PDF_ONLY, max_bytes=10 * MB)
    assert len(seen) == 1 and seen[0].startswith(".upload-")
    assert local_storage.exists(stored.key)


def test_open_of_missing_file_is_not_found_with_a_vietnamese_message(local_storage):
    with pytest.raises(NotFoundError) as caught:
        local_storage.open("documents/2025/01/" + "f" * 32)
    assert "Không tìm thấy" in caught.value.message


def test_storage_init_command_reports_the_ready_store(storage_app, tmp_path):
    result = storage_app.test_cli_runner().invoke(args=["storage", "init"])
    assert result.exit_code == 0, result.output
    assert f"ready: local folder {tmp_path / 'files'}" in result.output


def test_storage_init_command_fails_clearly_when_the_store_is_down():
    app = Flask(__name__)
    app.config.update(
        STORAGE_BACKEND="s3",
        S3_ENDPOINT="127.0.0.1:1",
        S3_ACCESS_KEY="a",
        S3_SECRET_KEY="b",
        S3_BUCKET="dossiers",
    )
    init_app(app)
    result = app.test_cli_runner().invoke(args=["storage", "init"])
    assert result.exit_code == 1
    assert "S3 bucket 'dossiers' at 127.0.0.1:1" in result.output and "không truy cập được" in result.output
