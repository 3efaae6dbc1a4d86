"""Virus scan of an upload through clamd (ClamAV's daemon) on a Unix socket, when ``CLAMD_SOCKET`` is set.

The spooled file is streamed with clamd's INSTREAM command: ``zINSTREAM\\0``, then chunks each
preceded by its length (4 bytes, big-endian), then a zero length; clamd answers ``stream: OK`` or
``stream: <signature> FOUND``. An infected file is refused (422). When clamd is configured but does
not answer, or answers with an error, the upload is refused with a 503: a scan that did not happen
never lets a file through. clamd refuses streams longer than its ``StreamMaxLength`` (25 MB by
default): set it at least to ``MAX_UPLOAD_MB``.
"""

from __future__ import annotations

import logging
import socket
import struct
from typing import BinaryIO

from app.core.errors import ServiceUnavailableError, ValidationError

log = logging.getLogger(__name__)

CHUNK_BYTES = 256 * 1024
_MAX_REPLY_BYTES = 4096


class ScannerUnavailableError(ServiceUnavailableError):
    """clamd is configured but cannot scan now (HTTP 503)."""

    code = "virus_scan_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "Dịch vụ quét vi-rút tạm thời không hoạt động nên chưa nhận được tệp. Vui lòng thử lại sau.",
            {
                "message_en": "The virus scanner is temporarily unavailable, so the file was not accepted. "
                "Please try again later."
            },
        )


def scan(spool: BinaryIO, socket_path: str, *, timeout: float) -> str | None:
    """The signature clamd found in the file, or None when it is clean.

    Raises ScannerUnavailableError when clamd cannot be reached or does not give a verdict.
    """
    spool.seek(0)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(socket_path)
            reply = _instream(conn, spool)
    except OSError as exc:  # missing socket, refused, timed out, reset
        log.error("clamd at %s did not scan the upload: %r", socket_path, exc)
        raise ScannerUnavailableError() from exc
    return _verdict(reply, socket_path)


def _instream(conn: socket.socket, spool: BinaryIO) -> bytes:
    conn.sendall(b"zINSTREAM\0")
    try:
        while chunk := spool.read(CHUNK_BYTES):
            conn.sendall(struct.pack(">I", len(chunk)) + chunk)
        conn.sendall(struct.pack(">I", 0))
    except (BrokenPipeError, ConnectionResetError):
        pass  # clamd stops reading when a stream is over its limit; its reply says why
    return _read_reply(conn)


def _read_reply(conn: socket.socket) -> bytes:
    reply = b""
    while b"\0" not in reply and len(reply) < _MAX_REPLY_BYTES:
        data = conn.recv(_MAX_REPLY_BYTES)
        if not data:
            break
        reply += data
    return reply.split(b"\0", 1)[0].strip()


def _verdict(reply: bytes, socket_path: str) -> str | None:
    text = reply.decode("utf-8", "replace")
    if text == "stream: OK":
        return None
    if text.startswith("stream: ") and text.endswith(" FOUND"):
        return text[len("stream: ") : -len(" FOUND")].strip()
    log.error(
        "clamd at %s gave no verdict: %r (is StreamMaxLength below the upload size?)", socket_path, text
    )
    raise ScannerUnavailableError()


def check_clean(spool: BinaryIO, socket_path: str, *, timeout: float) -> None:
    """Raise ValidationError (422) naming the signature if clamd finds a virus in the file."""
    signature = scan(spool, socket_path, timeout=timeout)
    if signature is None:
        return
    log.warning("upload refused: clamd found %s", signature)
    raise ValidationError(
        f"Tệp bị phát hiện nhiễm mã độc ({signature}) nên không được chấp nhận. Vui lòng kiểm tra "
        "máy tính của bạn và gửi lại bản sạch.",
        {
            "signature": signature,
            "message_en": f"The file contains malware ({signature}) and is not "
            "accepted. Check your computer and send a clean copy.",
        },
        code="infected_file",
    )
