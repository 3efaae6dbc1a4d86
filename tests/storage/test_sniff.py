"""Pure logic: what a file is judged to be from its bytes, and the names and keys we derive."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from app.core.errors import UnsupportedMediaError
from app.storage.base import InvalidKeyError, ascii_filename, check_key, content_disposition, new_key
from app.storage.sniff import check_type, sniff


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("pdf", "application/pdf"),
        ("pdf_with_preamble", "application/pdf"),
        ("png", "image/png"),
        ("jpeg", "image/jpeg"),
        ("windows_exe", "application/x-msdownload"),
        ("pe_pdf_polyglot", "application/x-msdownload"),
        ("elf", "application/x-executable"),
        ("macho", "application/x-mach-binary"),
        ("shell_script", "text/x-shellscript"),
        ("text", "text/plain"),
        ("html", "text/html"),
    ],
)
def test_type_is_judged_from_the_bytes(samples, sample, expected):
    assert sniff(samples[sample]) == expected


def test_unknown_binary_is_octet_stream():
    assert sniff(bytes([0x01, 0x02, 0xFE, 0x00]) * 100) == "application/octet-stream"


def test_utf8_character_cut_at_the_end_of_the_head_is_still_text():
    head = ("Giấy tờ " * 2000).encode()[:8191]
    assert sniff(head) == "text/plain"


@pytest.mark.parametrize("sample", ["windows_exe", "elf", "macho", "shell_script", "pe_pdf_polyglot"])
def test_executables_are_refused_even_when_listed(samples, sample):
    listed = ["application/pdf", sniff(samples[sample])]
    with pytest.raises(UnsupportedMediaError) as caught:
        check_type(samples[sample], listed)
    assert "không bao giờ được chấp nhận" in caught.value.message
    assert "never accepted" in caught.value.details["message_en"]


def test_refusal_names_the_sniffed_and_the_allowed_types(samples):
    with pytest.raises(UnsupportedMediaError) as caught:
        check_type(samples["text"], ["application/pdf", "image/jpeg"])
    error = caught.value
    assert error.status == 415
    assert "text/plain" in error.message and "application/pdf, image/jpeg" in error.message
    assert error.details["detected_type"] == "text/plain"
    assert error.details["allowed_types"] == ["application/pdf", "image/jpeg"]
    assert "not allowed" in error.details["message_en"]


def test_common_spellings_of_allowed_types_are_understood(samples):
    assert check_type(samples["jpeg"], ["image/jpg"]) == "image/jpeg"
    assert check_type(samples["pdf"], [" Application/PDF "]) == "application/pdf"


def test_keys_follow_prefix_year_month_uuid():
    key = new_key("documents", now=datetime(2025, 3, 9, tzinfo=UTC))
    prefix, year, month, name = key.split("/")
    assert (prefix, year, month, len(name)) == ("documents", "2025", "03", 32)
    assert check_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "documents/2025/03/../../../etc/passwd",
        "/documents/2025/03/" + "a" * 32,
        "documents/2025/03/" + "A" * 32,
        "documents/2025/03/giay-khai-sinh.pdf",
        "documents\\2025\\03\\" + "a" * 32,
        "documents/2025/03/" + "a" * 32 + "\n",
        "",
    ],
)
def test_malformed_keys_are_rejected(key):
    with pytest.raises(InvalidKeyError):
        check_key(key)


@pytest.mark.parametrize("prefix", ["", "../x", "Documents", "a/../b", "x/"])
def test_malformed_prefixes_are_rejected(prefix):
    with pytest.raises(InvalidKeyError):
        new_key(prefix)


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [
        ("Giấy khai sinh - Đỗ Đức.pdf", "Giay khai sinh - Do Duc.pdf"),
        ('a"b;c\r\nd.pdf', "a_b_cd.pdf"),
        ("..", "tep-dinh-kem"),
        ("C:\\Users\\an\\..\\to-khai.pdf", "to-khai.pdf"),
        ("../../etc/passwd", "passwd"),
        ("", "tep-dinh-kem"),
    ],
)
def test_content_disposition_is_safe_and_keeps_the_unicode_name(filename, fallback):
    header = content_disposition(filename)
    assert header.startswith(f"attachment; filename=\"{fallback}\"; filename*=UTF-8''")
    assert "\r" not in header and "\n" not in header
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert all(ch.isascii() and ch not in ' ";\\' for ch in encoded)
    assert "/" not in unquote(encoded)


def test_ascii_fallback_of_vietnamese_name():
    assert ascii_filename("Tờ khai đăng ký hộ kinh doanh.docx") == "To khai dang ky ho kinh doanh.docx"
