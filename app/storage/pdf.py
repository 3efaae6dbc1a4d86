"""A PDF upload must be a PDF and must hold nothing a reader would run.

Refused: a file that does not parse as a PDF (pypdf reads its trailer and cross-reference table,
nothing else), a password-protected PDF (officers could not read it), and any of these names,
wherever they occur as PDF names (also spelled with ``#xx`` escapes, and inside compressed object
streams): ``/JavaScript`` (document scripts, script actions), ``/Launch`` (start a program),
``/EmbeddedFile`` and ``/EmbeddedFiles`` (a file inside the file: an attachment is uploaded as a
document of its own), ``/RichMedia`` and ``/Rendition`` (embedded players that carry scripts).
Links (``/URI``) and forms are allowed.

Memory stays bounded for a 200 MB file: the raw bytes are scanned in chunks, pypdf reads the file
through ``_BoundedFile`` (a read of more than ``MAX_READ_BYTES`` at once, as pypdf does when it
rebuilds a damaged cross-reference table in memory, stops the parse), and only object streams are
decoded, by pypdf within its own output limits.
"""

from __future__ import annotations

import logging
import re
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject, StreamObject

from app.core.errors import UnsupportedMediaError
from app.storage.sniff import PDF, scan_chunks

log = logging.getLogger(__name__)

MAX_READ_BYTES = 16 * 1024 * 1024
ACTIVE_NAMES = ("JavaScript", "Launch", "EmbeddedFile", "RichMedia", "Rendition")


def _name_pattern(name: str) -> bytes:
    """A regex for ``/name`` where each letter may also be written as ``#xx`` (PDF name escapes)."""
    parts = []
    for ch in name:
        code = f"{ord(ch):02x}"
        parts.append(
            rb"(?:"
            + re.escape(ch.encode())
            + rb"|#"
            + code[0].encode()
            + b"["
            + code[1].encode()
            + code[1].upper().encode()
            + b"])"
        )
    return b"".join(parts)


# The whole name is captured (``/EmbeddedFiles``, not just the listed prefix), for the message.
_ACTIVE_RE = re.compile(
    rb"/((?:"
    + b"|".join(_name_pattern(n) for n in ACTIVE_NAMES)
    + rb")(?:[A-Za-z0-9]|#[0-9A-Fa-f]{2}){0,16})"
)
_ACTIVE_OVERLAP = 3 * (max(len(n) for n in ACTIVE_NAMES) + 16) + 1  # escaped names: 3 bytes a letter
_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")


class _TooLargeRead(BaseException):
    """pypdf asked for more than ``MAX_READ_BYTES`` at once.

    A BaseException, so that pypdf's own recovery (``except Exception``) cannot swallow it and read
    the whole file anyway."""


class _BoundedFile:
    """The spooled upload as pypdf sees it: reads, seeks and tells, each read at most MAX_READ_BYTES."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # the rest of the file: fine when the rest is small
            here = self._file.tell()
            size = self._file.seek(0, 2) - here
            self._file.seek(here)
        if size > MAX_READ_BYTES:
            raise _TooLargeRead()
        return self._file.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()


def check_pdf(spool: BinaryIO) -> None:
    """Raise UnsupportedMediaError (415) unless the spooled file is a PDF without active content."""
    _refuse_active_names(_active_names(spool))
    reader = _open(spool)
    if reader.is_encrypted:
        raise _refused(
            "Tệp PDF được đặt mật khẩu nên cán bộ không mở được; vui lòng gỡ mật khẩu rồi gửi lại.",
            "The PDF is password-protected, so officers could not open it; remove the password "
            "and send it again.",
            "encrypted_pdf",
        )
    found: set[str] = set()
    for data in _object_streams(reader):
        found |= _names_in(data)
    _refuse_active_names(found)


def _active_names(spool: BinaryIO) -> set[str]:
    return {_decode_name(m.group(1)) for m in scan_chunks(spool, _ACTIVE_RE, _ACTIVE_OVERLAP)}


def _names_in(data: bytes) -> set[str]:
    return {_decode_name(m.group(1)) for m in _ACTIVE_RE.finditer(data)}


def _decode_name(raw: bytes) -> str:
    return _ESCAPE_RE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def _refuse_active_names(found: set[str]) -> None:
    if not found:
        return
    names = ", ".join(f"/{n}" for n in sorted(found))
    raise UnsupportedMediaError(
        f"Tệp PDF có chứa nội dung tự chạy ({names}: mã JavaScript, lệnh mở chương trình hoặc tệp "
        "đính kèm bên trong) nên không được chấp nhận. Vui lòng in lại ra PDF thường hoặc quét lại "
        "giấy tờ.",
        {
            "detected_type": PDF,
            "found": sorted(found),
            "message_en": f"The PDF contains active content ({names}: JavaScript, launch actions or "
            "embedded files) and is not accepted. Print it to a plain PDF or scan the document again.",
        },
        code="active_content",
    )


def _open(spool: BinaryIO) -> PdfReader:
    """A reader on the trailer and cross-reference table; raises when the file is not a usable PDF
    (a file without them, hand-made or cut short, is refused: a reader would have to guess)."""
    spool.seek(0)
    try:
        reader = PdfReader(_BoundedFile(spool), strict=False)  # type: ignore[arg-type]
        root = reader.trailer["/Root"].get_object()
    except _TooLargeRead as exc:
        log.info("PDF upload refused: its cross-reference table would have to be rebuilt in memory")
        raise _not_a_pdf() from exc
    except PyPdfError as exc:
        log.info("PDF upload does not parse: %s", exc)
        raise _not_a_pdf() from exc
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        log.info("PDF upload does not parse: %r", exc)
        raise _not_a_pdf() from exc
    if not isinstance(root, DictionaryObject):
        raise _not_a_pdf()
    return reader


def _object_streams(reader: PdfReader):  # noqa: ANN202 - an iterator of decoded bytes
    """The decoded data of every compressed object stream the cross-reference table names."""
    numbers = sorted({stream_number for stream_number, _ in reader.xref_objStm.values()})
    for number in numbers:
        try:
            stream = reader.get_object(number)
            if not isinstance(stream, StreamObject):
                raise _not_a_pdf()
            yield stream.get_data()
        except _TooLargeRead as exc:
            raise _not_a_pdf() from exc
        except (PyPdfError, KeyError, ValueError, TypeError, AttributeError, RecursionError) as exc:
            log.info("PDF object stream %s does not decode: %r", number, exc)
            raise _not_a_pdf() from exc


def _not_a_pdf() -> UnsupportedMediaError:
    return _refused(
        "Tệp có phần đầu của PDF nhưng không đọc được như một tệp PDF (bị hỏng hoặc là loại tệp "
        "khác); vui lòng xuất lại tệp PDF hoặc quét lại giấy tờ.",
        "The file starts like a PDF but does not parse as one (damaged, or another kind of file); "
        "export the PDF again or scan the document again.",
        "invalid_pdf",
    )


def _refused(message: str, message_en: str, code: str) -> UnsupportedMediaError:
    return UnsupportedMediaError(message, {"detected_type": PDF, "message_en": message_en}, code=code)
