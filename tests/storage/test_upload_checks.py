"""What an upload must not carry, checked on both backends before anything is stored: HTML behind a
PDF header, PDF scripts and launch actions, a file that only looks like a PDF, image decompression
bombs, and (with clamd configured) viruses."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import time
import uuid
import zlib
from pathlib import Path

import pytest

from app.core.errors import ServiceUnavailableError, UnsupportedMediaError, ValidationError
from app.storage import LocalStorage, S3Storage, UploadChecks, build_storage
from tests.storage.clamd_server import EICAR, SIGNATURE, ClamdServer, answers
from tests.storage.conftest import real_pdf
from tests.storage.test_contract import stored_keys

MB = 1024 * 1024
PDF_ONLY = ["application/pdf"]
SCANS = ["application/pdf", "image/png", "image/jpeg"]


def put(storage, data: bytes, key_prefix: str, allowed=SCANS):
    return storage.put_stream(io.BytesIO(data), allowed_types=allowed, max_bytes=20 * MB, prefix=key_prefix)


def png_declaring(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int, *, exif_thumbnail: bool = False) -> bytes:
    """A JPEG whose frame header declares ``width``×``height``; optionally behind an APP1 segment
    holding a small thumbnail with a frame header of its own (as cameras write)."""
    segments = b""
    if exif_thumbnail:
        thumb = b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03" + b"\x01\x11\x00" * 3 + b"\xff\xd9"
        app1 = b"Exif\0\0" + thumb
        segments += b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    sof = b"\x08" + struct.pack(">HH", height, width) + b"\x03" + b"\x01\x11\x00\x02\x11\x01\x03\x11\x01"
    segments += b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
        + segments
        + b"\xff\xda\x00\x02"
        + b"\0" * 64
    )


POLYGLOT = real_pdf(b"<html><body><script>fetch('/api/v1/me').then(r => r.text())</script></body></html>")


def test_pdf_html_polyglot_is_refused_and_leaves_nothing(storage, key_prefix):
    with pytest.raises(UnsupportedMediaError) as caught:
        put(storage, POLYGLOT, key_prefix)
    assert caught.value.status == 415 and caught.value.code == "active_content"
    assert "mã HTML (<html)" in caught.value.message
    assert stored_keys(storage, key_prefix) == []


@pytest.mark.parametrize("tag", [b"<SCRIPT>", b"<svg onload=alert(1)>", b"<iframe src=x>", b"<Body\n"])
def test_html_anywhere_in_a_large_pdf_is_found_also_across_chunk_borders(local_storage, key_prefix, tag):
    for offset in (MB - 3, 3 * MB + 17):  # one straddles the scanner's first chunk border
        data = real_pdf(size=4 * MB)
        data = data[:offset] + tag + data[offset + len(tag) :]
        with pytest.raises(UnsupportedMediaError, match="mã HTML"):
            put(local_storage, data, key_prefix)


def test_html_hidden_in_an_image_is_refused(local_storage, key_prefix):
    with pytest.raises(UnsupportedMediaError, match="image/png có chứa mã HTML"):
        put(local_storage, png_declaring(10, 10) + b"<script>alert(1)</script>", key_prefix)


@pytest.mark.parametrize(
    ("extra", "name"),
    [
        (b"4 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj", "/JavaScript"),
        (b"4 0 obj << /S /J#61va#53cript /JS (app.alert(1)) >> endobj", "/JavaScript"),  # escaped name
        (b"4 0 obj << /S /Launch /F (cmd.exe) >> endobj", "/Launch"),
        (b"4 0 obj << /EmbeddedFiles 5 0 R >> endobj", "/EmbeddedFiles"),
    ],
)
def test_pdf_with_scripts_launch_actions_or_embedded_files_is_refused(storage, key_prefix, extra, name):
    with pytest.raises(UnsupportedMediaError) as caught:
        put(storage, real_pdf(extra), key_prefix)
    assert caught.value.code == "active_content" and name in caught.value.message
    assert stored_keys(storage, key_prefix) == []


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 64,  # a header and then anything
        b"%PDF-1.4\nnot really\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",  # no xref, no startxref
        b"%PDF-1.7\n1 0 obj\n<< /Type /Pages >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",  # no catalog
    ],
)
def test_file_that_only_starts_like_a_pdf_is_refused(local_storage, key_prefix, data):
    with pytest.raises(UnsupportedMediaError) as caught:
        put(local_storage, data, key_prefix, PDF_ONLY)
    assert caught.value.code == "invalid_pdf" and "không đọc được như một tệp PDF" in caught.value.message


def test_normal_pdfs_are_accepted(storage, samples, key_prefix):
    from tests.factories import PDF  # the PDF every dossier test uploads

    for data in (PDF, samples["pdf"], samples["pdf_with_preamble"], real_pdf(size=MB)):
        assert put(storage, data, key_prefix).content_type == "application/pdf"


def test_png_declaring_ten_gigapixels_is_refused_before_decoding(storage, key_prefix):
    with pytest.raises(ValidationError) as caught:
        put(storage, png_declaring(100_000, 100_000), key_prefix)
    error = caught.value
    assert error.status == 422 and error.code == "image_too_large"
    assert "100000×100000" in error.message and "50 triệu điểm ảnh" in error.message
    assert stored_keys(storage, key_prefix) == []


def test_jpeg_bomb_is_refused_and_a_camera_jpeg_with_a_thumbnail_is_judged_by_its_frame(
    local_storage, key_prefix
):
    with pytest.raises(ValidationError, match="65535×65535"):
        put(local_storage, jpeg_declaring(65_535, 65_535, exif_thumbnail=True), key_prefix)
    assert put(local_storage, jpeg_declaring(4000, 3000, exif_thumbnail=True), key_prefix)


def test_pixel_limit_comes_from_the_configuration(tmp_path, samples, key_prefix):
    storage = build_storage(
        {"STORAGE_BACKEND": "local", "STORAGE_LOCAL_DIR": str(tmp_path), "UPLOAD_MAX_IMAGE_PIXELS": 100}
    )
    with pytest.raises(ValidationError, match="0.0001 triệu"):
        put(storage, samples["png"], key_prefix)  # 32×24 = 768 pixels
    assert put(storage, png_declaring(10, 10), key_prefix)


def test_image_header_that_gives_no_size_is_refused(local_storage, key_prefix):
    with pytest.raises(UnsupportedMediaError) as caught:
        put(local_storage, b"\xff\xd8\xff\xe0\x00\x10JFIF\0" + b"\0" * 200, key_prefix)
    assert caught.value.code == "invalid_image"


# --- virus scanning through clamd -------------------------------------------------------------------


def short_socket_path(kind: str) -> Path:
    """A Unix socket path in the system's temporary folder: pytest's tmp_path is too long for AF_UNIX."""
    return Path(tempfile.gettempdir()) / f"clamd-{kind}-{uuid.uuid4().hex[:8]}.sock"


@pytest.fixture
def clamd_socket(tmp_path):
    path = short_socket_path("test")
    with ClamdServer(path):
        assert answers(path)
        yield str(path)


def scanning(storage, socket_path: str | None, **kwargs):
    storage.checks = UploadChecks(clamd_socket=socket_path, clamd_timeout=5, **kwargs)
    return storage


def test_eicar_is_refused_when_clamd_is_configured(storage, clamd_socket, key_prefix):
    with pytest.raises(ValidationError) as caught:
        put(scanning(storage, clamd_socket), EICAR, key_prefix, ["text/plain"])
    assert caught.value.code == "infected_file" and SIGNATURE in caught.value.message
    assert stored_keys(storage, key_prefix) == []
    assert put(storage, b"Don de nghi\n", key_prefix, ["text/plain"])  # a clean file goes through
    storage.checks = UploadChecks()


def test_eicar_inside_a_large_pdf_is_found(local_storage, clamd_socket, key_prefix):
    data = real_pdf(size=3 * MB)
    data = data[: 2 * MB] + EICAR + data[2 * MB + len(EICAR) :]
    with pytest.raises(ValidationError, match="nhiễm mã độc"):
        put(scanning(local_storage, clamd_socket), data, key_prefix)


def test_clamd_down_refuses_the_upload_with_a_503(local_storage, tmp_path, samples, key_prefix):
    with pytest.raises(ServiceUnavailableError) as caught:
        put(scanning(local_storage, str(tmp_path / "no-clamd.sock")), samples["pdf"], key_prefix)
    assert caught.value.status == 503 and caught.value.code == "virus_scan_unavailable"
    assert "quét vi-rút" in caught.value.message and "no-clamd" not in caught.value.message
    assert stored_keys(local_storage, key_prefix) == []


def test_clamd_that_never_answers_is_a_503_within_its_timeout(local_storage, tmp_path, samples, key_prefix):
    import socket

    path = str(short_socket_path("mute"))
    with socket.socket(socket.AF_UNIX) as mute:  # accepts connections, never replies
        mute.bind(path)
        mute.listen()
        storage = scanning(local_storage, path)
        storage.checks = UploadChecks(clamd_socket=path, clamd_timeout=1)
        started = time.monotonic()
        with pytest.raises(ServiceUnavailableError):
            put(storage, samples["pdf"], key_prefix)
        assert time.monotonic() - started < 5
    Path(path).unlink()


def test_no_clamd_socket_means_no_scan(local_storage, key_prefix):
    assert isinstance(local_storage, LocalStorage) and local_storage.checks.clamd_socket is None
    assert put(local_storage, EICAR, key_prefix, ["text/plain"])


@pytest.mark.skipif(shutil.which("clamd") is None, reason="Debian's clamav-daemon is not installed")
def test_real_clamd_with_a_local_signature_finds_eicar(tmp_path, local_storage, key_prefix):
    """Debian's clamd itself, with a one-line signature database of our own (freshclam cannot reach
    the internet here): the client speaks the protocol clamd really speaks."""
    import hashlib

    (tmp_path / "db").mkdir()
    md5 = hashlib.md5(EICAR).hexdigest()  # noqa: S324 - clamd's hash signature format
    (tmp_path / "db" / "eicar.hdb").write_text(f"{md5}:{len(EICAR)}:Local.EICAR\n")
    sock = str(short_socket_path("real"))
    (tmp_path / "clamd.conf").write_text(
        f"DatabaseDirectory {tmp_path / 'db'}\nLocalSocket {sock}\nForeground yes\n"
        f"LogFile {tmp_path / 'log'}\n"
    )
    daemon = subprocess.Popen(["clamd", "-c", str(tmp_path / "clamd.conf")], stdout=subprocess.DEVNULL)  # noqa: S603, S607
    try:
        deadline = time.monotonic() + 30
        while not answers(Path(sock)):
            assert time.monotonic() < deadline and daemon.poll() is None, "clamd did not start"
            time.sleep(0.1)
        with pytest.raises(ValidationError, match="Local.EICAR"):
            put(scanning(local_storage, sock), EICAR, key_prefix, ["text/plain"])
        assert put(local_storage, real_pdf(), key_prefix)
    finally:
        daemon.terminate()
        daemon.wait(10)
        Path(sock).unlink(missing_ok=True)


def test_s3_storage_built_from_the_configuration_scans(s3_settings, s3_storage, clamd_socket, key_prefix):
    storage = build_storage(
        {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT": s3_settings["endpoint"],
            "S3_ACCESS_KEY": s3_settings["access_key"],
            "S3_SECRET_KEY": s3_settings["secret_key"],
            "S3_BUCKET": s3_storage.bucket,
            "CLAMD_SOCKET": clamd_socket,
        }
    )
    assert isinstance(storage, S3Storage)
    with pytest.raises(ValidationError, match=SIGNATURE):
        put(storage, EICAR, key_prefix, ["text/plain"])
