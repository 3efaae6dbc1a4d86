"""What an upload is, judged from its bytes: the type from its first bytes, then its whole content.

The declared MIME type and the filename of an upload are never trusted: the type is read from the
bytes. Executables and scripts are recognised first, so a Windows program renamed ``giay-to.pdf`` (or
a PE file with ``%PDF-`` further in, a polyglot) is classified as an executable and always refused.

Once the upload is spooled to a temporary file, ``UploadChecks.inspect`` reads it again, in bounded
chunks, before the store is touched: a PDF or image must carry no HTML a browser would run, a PDF
must parse and hold no scripts, launch actions or embedded files (``app.storage.pdf``), an image's
declared pixel count must stay under ``UPLOAD_MAX_IMAGE_PIXELS`` (read from its header, nothing is
decoded), and with ``CLAMD_SOCKET`` set clamd scans every file (``app.storage.clamd``). Every
upload path (dossier documents, drafts, result files, generated forms and reports) goes through
``Storage.put_stream`` and so through these checks.
"""

from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import filetype

from app.core.errors import UnsupportedMediaError, ValidationError

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


# --- the whole content, read from the spooled upload -----------------------------------------------

PDF = "application/pdf"
SCAN_CHUNK_BYTES = 1024 * 1024
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000

# An HTML tag a browser would act on, wherever it is in the bytes: a polyglot hides a page behind a
# %PDF header or in an image's data. The tag name must be followed by what ends a tag name in HTML
# (white space, "/" or ">"), which keeps random compressed bytes from matching by chance.
_MARKUP_RE = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|frameset|frame|svg|object|embed|meta|base"
    rb"|form|style|link|math)[\s/>]",
    re.IGNORECASE,
)
_MARKUP_OVERLAP = 32  # longer than any match, so a tag split between two chunks is still seen


def scan_chunks(spool: BinaryIO, pattern: re.Pattern[bytes], overlap: int) -> Iterator[re.Match[bytes]]:
    """Every match of ``pattern`` in the file, read ``SCAN_CHUNK_BYTES`` at a time from the start.

    Each chunk is searched together with the last ``overlap`` bytes of the one before, so memory
    stays at about one chunk whatever the file size; a match lying wholly in the overlap is not
    reported twice.
    """
    spool.seek(0)
    tail = b""
    while chunk := spool.read(SCAN_CHUNK_BYTES):
        window = tail + chunk
        for match in pattern.finditer(window):
            if match.end() > len(tail):
                yield match
        tail = window[-overlap:]


def check_no_markup(spool: BinaryIO, content_type: str) -> None:
    """Raise UnsupportedMediaError (415) if the file holds an HTML tag a browser would run."""
    match = next(scan_chunks(spool, _MARKUP_RE, _MARKUP_OVERLAP), None)
    if match is None:
        return
    tag = match.group(0)[:-1].decode("ascii", "replace").lower()
    raise UnsupportedMediaError(
        f"Tệp {content_type} có chứa mã HTML ({tag}) mà trình duyệt có thể chạy, nên không được "
        "chấp nhận. Vui lòng xuất lại tệp từ ứng dụng gốc hoặc quét lại giấy tờ.",
        {
            "detected_type": content_type,
            "found": tag,
            "message_en": f"The {content_type} file contains HTML markup ({tag}) a browser could run; "
            "it is not accepted. Export or scan the document again.",
        },
        code="active_content",
    )


def image_size(spool: BinaryIO, content_type: str) -> tuple[int, int] | None:
    """Width and height declared by a PNG, JPEG or GIF header, read without decoding the image.

    None for other image types. Raises UnsupportedMediaError when the header cannot be read.
    """
    spool.seek(0)
    if content_type == "image/png":
        head = spool.read(24)
        if len(head) == 24 and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
    elif content_type == "image/gif":
        head = spool.read(10)
        if len(head) == 10:
            return struct.unpack("<HH", head[6:10])
    elif content_type == "image/jpeg":
        size = _jpeg_frame_size(spool)
        if size is not None:
            return size
    else:
        return None
    raise _unreadable_image(content_type)


# Start-of-frame markers (baseline, progressive, lossless, arithmetic ...); not DHT, JPG or DAC.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})  # TEM, RSTn, SOI: no length follows


def _jpeg_frame_size(spool: BinaryIO) -> tuple[int, int] | None:
    """Walk the marker segments up to the first start of frame; APPn data (EXIF thumbnails) is
    skipped by its length, so a thumbnail's own header is never mistaken for the image's."""
    if spool.read(2) != b"\xff\xd8":
        return None
    while True:
        byte = spool.read(1)
        if byte != b"\xff":
            return None
        marker = spool.read(1)
        while marker == b"\xff":  # fill bytes before a marker
            marker = spool.read(1)
        if not marker:
            return None
        code = marker[0]
        if code in _JPEG_STANDALONE:
            continue
        if code in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            return None
        length_bytes = spool.read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if length < 2:
            return None
        if code in _JPEG_SOF:
            frame = spool.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return (width, height) if width and height else None
        spool.seek(length - 2, 1)


def _unreadable_image(content_type: str) -> UnsupportedMediaError:
    return UnsupportedMediaError(
        f"Không đọc được kích thước ảnh trong phần đầu tệp {content_type}; tệp bị hỏng hoặc không "
        "phải ảnh hợp lệ.",
        {
            "detected_type": content_type,
            "message_en": f"The {content_type} header does not give the image's size; the file is "
            "damaged or not a valid image.",
        },
        code="invalid_image",
    )


def check_image_pixels(spool: BinaryIO, content_type: str, max_pixels: int) -> None:
    """Refuse (422) an image whose header declares more than ``max_pixels`` pixels: a
    decompression bomb is a few kilobytes that a viewer or thumbnailer would inflate to gigabytes."""
    size = image_size(spool, content_type)
    if size is None:
        return
    width, height = size
    if width * height <= max_pixels:
        return
    limit = f"{max_pixels / 1_000_000:g}"
    raise ValidationError(
        f"Ảnh có kích thước {width}×{height} điểm ảnh, vượt quá giới hạn {limit} triệu điểm ảnh; "
        "vui lòng giảm độ phân giải rồi gửi lại.",
        {
            "width": width,
            "height": height,
            "max_pixels": max_pixels,
            "message_en": f"The image is {width}×{height} pixels, more than the limit of {limit} "
            "megapixels; reduce its resolution and send it again.",
        },
        code="image_too_large",
    )


@dataclass(frozen=True, slots=True)
class UploadChecks:
    """The content checks of every upload, configured once per storage backend."""

    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
    clamd_socket: str | None = None  # a Unix socket path; None: no virus scan
    clamd_timeout: float = 60.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> UploadChecks:
        return cls(
            max_image_pixels=int(config.get("UPLOAD_MAX_IMAGE_PIXELS") or DEFAULT_MAX_IMAGE_PIXELS),
            clamd_socket=config.get("CLAMD_SOCKET") or None,
            clamd_timeout=float(config.get("CLAMD_TIMEOUT_SECONDS") or 60.0),
        )

    def inspect(self, spool: BinaryIO, content_type: str) -> None:
        """Read the spooled upload again and raise an AppError (4xx, or 503 when clamd is
        configured but does not answer) if it must not be stored. Cheap checks come first."""
        from app.storage import clamd, pdf

        if content_type.startswith("image/"):
            check_image_pixels(spool, content_type, self.max_image_pixels)
        if content_type == PDF or content_type.startswith("image/"):
            check_no_markup(spool, content_type)
        if content_type == PDF:
            pdf.check_pdf(spool)
        if self.clamd_socket:
            clamd.check_clean(spool, self.clamd_socket, timeout=self.clamd_timeout)
        spool.seek(0)
