"""Content-type sniffing from the first bytes of an upload.

The declared MIME type and the filename of an upload are never trusted: the type is read from the
bytes. Executables and scripts are recognised first, so a Windows program renamed ``giay-to.pdf`` (or
a PE file with ``%PDF-`` further in, a polyglot) is classified as an executable and always refused.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence

import filetype

from app.core.errors import UnsupportedMediaError

#: How many leading bytes the sniffer looks at (what ``filetype`` reads from a file).
HEAD_BYTES = 8192

OCTET_STREAM = "application/octet-stream"
TEXT_PLAIN = "text/plain"

# Checked before anything else, on the first bytes only.
_EXECUTABLE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "application/x-msdownload"),  # Windows PE / DOS
    (b"\x7fELF", "application/x-executable"),  # Linux / BSD
    (b"\xfe\xed\xfa\xce", "application/x-mach-binary"),  # Mach-O 32-bit
    (b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),  # Mach-O 64-bit
    (b"\xce\xfa\xed\xfe", "application/x-mach-binary"),  # Mach-O 32-bit, little endian
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),  # Mach-O 64-bit, little endian
    (b"\xca\xfe\xba\xbe", "application/x-mach-binary"),  # Mach-O universal (also Java class)
    (b"#!", "text/x-shellscript"),  # any interpreter script
    (b"\x00asm", "application/wasm"),
    (b"dex\n", "application/vnd.android.dex"),
)

#: Types that are refused even if a procedure lists them: programs, scripts, installers.
NEVER_ALLOWED: frozenset[str] = frozenset(
    {mime for _, mime in _EXECUTABLE_MAGIC}
    | {
        "application/x-sharedlib",
        "application/vnd.microsoft.portable-executable",
        "application/x-shockwave-flash",
        "application/x-google-chrome-extension",
        "application/x-deb",
        "application/x-rpm",
        "application/x-msi",
    }
)

# Common spellings people write in procedure files, mapped to what the sniffer reports.
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/x-pdf": "application/pdf"}

_HTML_STARTS = (b"<!doctype html", b"<html", b"<script", b"<head", b"<body", b"<iframe")


def sniff(head: bytes) -> str:
    """The MIME type of a file, judged from its first bytes (at least ``HEAD_BYTES`` when available).

    Unknown binary data is ``application/octet-stream``; readable UTF-8 without NUL bytes is
    ``text/plain`` (or ``text/html`` when it opens like a page).
    """
    for magic, mime in _EXECUTABLE_MAGIC:
        if head.startswith(magic):
            return mime
    kind = filetype.guess_mime(head)
    if kind:
        return kind
    # The PDF format allows junk before the header within the first 1024 bytes; readers accept it.
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    if _looks_like_text(head):
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return "text/html" if start.startswith(_HTML_STARTS) else TEXT_PLAIN
    return OCTET_STREAM


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        # final=False: a multi-byte character cut at the end of the head is not an error.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\n\r\f" for ch in text)


def normalise_types(allowed_types: Sequence[str]) -> list[str]:
    return [_ALIASES.get(t.strip().lower(), t.strip().lower()) for t in allowed_types]


def check_type(head: bytes, allowed_types: Sequence[str]) -> str:
    """Return the sniffed type if ``allowed_types`` admits it, else raise UnsupportedMediaError (415)."""
    detected = sniff(head)
    allowed = normalise_types(allowed_types)
    shown = ", ".join(allowed) or "(không có / none)"
    details = {"detected_type": detected, "allowed_types": allowed}
    if detected in NEVER_ALLOWED:
        raise UnsupportedMediaError(
            f"Tệp là chương trình thực thi hoặc tập lệnh ({detected}) và không bao giờ được chấp nhận.",
            {**details, "message_en": f"Executable files and scripts ({detected}) are never accepted."},
        )
    if detected not in allowed:
        raise UnsupportedMediaError(
            f"Loại tệp {detected} không được chấp nhận; chỉ chấp nhận: {shown}.",
            {**details, "message_en": f"File type {detected} is not allowed; allowed types: {shown}."},
        )
    return detected
