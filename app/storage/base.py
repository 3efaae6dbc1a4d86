"""The storage interface every backend implements, and the upload checks they all share.

An upload is read once, in chunks: the first bytes decide the content type, a running sha256 and
byte count are kept, and the size limit is enforced as the bytes arrive. A backend only decides
where the bytes go; it never keeps a partial object when a put fails. Keys are generated here
(``{prefix}/{yyyy}/{mm}/{uuid4 hex}``); a client filename never becomes part of a path or key.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO
from urllib.parse import quote

from app.core.errors import PayloadTooLargeError, ServiceUnavailableError, ValidationError
from app.storage.sniff import HEAD_BYTES, check_type

CHUNK_BYTES = 1024 * 1024

_PREFIX_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}(?:/[a-z0-9][a-z0-9_-]{0,62}){0,3}")
KEY_RE = re.compile(_PREFIX_RE.pattern + r"/[0-9]{4}/[0-9]{2}/[0-9a-f]{32}")


class StorageUnavailableError(ServiceUnavailableError):
    """The object store cannot be reached or refused the operation (HTTP 503)."""

    code = "storage_unavailable"

    def __init__(
        self, message: str | None = None, details: dict | None = None, *, code: str | None = None
    ) -> None:
        super().__init__(
            message or "Kho lưu trữ tệp tạm thời không truy cập được. Vui lòng thử lại sau.",
            {
                "message_en": "The file store is temporarily unavailable. Please try again later.",
                **(details or {}),
            },
            code=code,
        )


class InvalidKeyError(ValueError):
    """A key that this module could never have generated: a bug or tampering, not user input."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    sha256: str  # hex digest of the stored bytes
    content_type: str  # sniffed from the bytes, never the client's claim


def new_key(prefix: str = "documents", *, now: datetime | None = None) -> str:
    if not _PREFIX_RE.fullmatch(prefix):
        raise InvalidKeyError(f"invalid storage prefix {prefix!r}")
    now = now or datetime.now(UTC)
    return f"{prefix}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise InvalidKeyError(f"invalid storage key {key!r}")
    return key


def read_head(stream: BinaryIO, size: int = HEAD_BYTES) -> bytes:
    """Read up to ``size`` bytes, looping over short reads (sockets, raw streams)."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


class Ingest:
    """One pass over an upload: yields its chunks while hashing, counting and enforcing the limit."""

    def __init__(self, stream: BinaryIO, head: bytes, max_bytes: int, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._stream = stream
        self._head = head
        self._max_bytes = max_bytes
        self._chunk_bytes = chunk_bytes
        self._hash = hashlib.sha256()
        self.size = 0

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def chunks(self) -> Iterator[bytes]:
        chunk = self._head
        while chunk:
            self.size += len(chunk)
            if self.size > self._max_bytes:
                raise too_large(self._max_bytes)
            self._hash.update(chunk)
            yield chunk
            chunk = self._stream.read(self._chunk_bytes)


def too_large(max_bytes: int) -> PayloadTooLargeError:
    mb = f"{max_bytes / (1024 * 1024):g}"
    return PayloadTooLargeError(
        f"Tệp vượt quá dung lượng tối đa cho phép ({mb} MB).",
        {
            "max_bytes": max_bytes,
            "max_mb": mb,
            "message_en": f"The file exceeds the maximum size of {mb} MB.",
        },
    )


class Storage(ABC):
    """Where documents' bytes live. Two backends: a local folder and S3 (through the minio SDK).

    All methods take keys returned by ``put_stream``; a malformed key raises ``InvalidKeyError``.
    Backend failures raise ``StorageUnavailableError`` (503); a missing object on ``open`` raises
    ``NotFoundError`` (404).
    """

    def put_stream(
        self,
        stream: BinaryIO,
        *,
        allowed_types: Sequence[str],
        max_bytes: int,
        prefix: str = "documents",
    ) -> StoredObject:
        """Store an upload under a new key, or raise and leave nothing behind.

        Raises ValidationError (empty file), UnsupportedMediaError (type not in ``allowed_types``,
        or an executable), PayloadTooLargeError (more than ``max_bytes``), StorageUnavailableError.
        Error ``details`` are always a dict, so a caller may add the form field that failed.
        """
        key = new_key(prefix)
        head = read_head(stream)
        if not head:
            raise ValidationError(
                "Tệp rỗng (0 byte), vui lòng chọn lại tệp.", {"message_en": "The file is empty."}
            )
        content_type = check_type(head, allowed_types)
        ingest = Ingest(stream, head, max_bytes)
        self._write(key, ingest, content_type)
        return StoredObject(key=key, size=ingest.size, sha256=ingest.sha256, content_type=content_type)

    @abstractmethod
    def _write(self, key: str, ingest: Ingest, content_type: str) -> None:
        """Consume ``ingest.chunks()`` into ``key``; on any exception nothing may remain under ``key``."""

    @abstractmethod
    def open(self, key: str) -> Iterator[bytes]:
        """The object's bytes in chunks. Raises NotFoundError before the first chunk if it is missing.

        The returned iterator has ``close()``; a streaming response calls it when done.
        """

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def download_url(
        self, key: str, filename: str, content_type: str, expires_seconds: int, *, inline: bool = False
    ) -> str | None:
        """A short-lived URL the browser can fetch directly, or None: stream through an authorised view.
        ``inline``: Content-Disposition inline (preview) instead of attachment."""

    @abstractmethod
    def ensure_ready(self) -> None:
        """Create what the backend needs (folder, bucket); safe to call repeatedly."""

    @abstractmethod
    def describe(self) -> str:
        """Where objects go, for logs and the CLI (never includes secrets)."""


def ascii_filename(filename: str) -> str:
    """A plain-ASCII stand-in for old clients: Vietnamese letters lose their marks, unsafe characters go."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = name.replace("đ", "d").replace("Đ", "D")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", name).strip(" ._")
    return name[:150] or "tep-dinh-kem"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266 header value with an ASCII fallback and the exact UTF-8 name (RFC 5987 ``filename*``)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".") or "tep-dinh-kem"
    return f"{disposition}; filename=\"{ascii_filename(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
