"""The storage interface every backend implements, and the upload checks they all share.

An upload is read once, in chunks: the first bytes decide the content type, a running sha256 and
byte count are kept, and the size limit is enforced as the bytes arrive. A backend only decides
where the bytes go; it never keeps a partial object when a put fails. Keys are generated here
(``{prefix}/{yyyy}/{mm}/{uuid4 hex}``); a client filename never becomes part of a path or key.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import unicodedata
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO
from urllib.parse import quote

from app.core.errors import PayloadTooLargeError, ServiceUnavailableError, ValidationError
from app.storage.sniff import HEAD_BYTES, UploadChecks, check_type

log = logging.getLogger(__name__)

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

    checks: UploadChecks = UploadChecks()
    spool_dir: str | None = None  # where uploads are spooled before the checks; None: the system's

    def put_stream(
        self,
        stream: BinaryIO,
        *,
        allowed_types: Sequence[str],
        max_bytes: int,
        prefix: str = "documents",
    ) -> StoredObject:
        """Store an upload under a new key, or raise and leave nothing behind.

        The upload is spooled to a temporary file first (bounded memory) and its whole content
        checked there (``UploadChecks.inspect``: active content, PDF structure, image pixel count,
        virus scan) before the store is touched.

        Raises ValidationError (empty file, image too large, virus found), UnsupportedMediaError
        (type not in ``allowed_types``, an executable, active content, not a PDF),
        PayloadTooLargeError (more than ``max_bytes``), StorageUnavailableError, and a 503 when
        the configured virus scanner does not answer. Error ``details`` are always a dict, so a
        caller may add the form field that failed.
        """
        key = new_key(prefix)
        head = read_head(stream)
        if not head:
            raise ValidationError(
                "Tệp rỗng (0 byte), vui lòng chọn lại tệp.", {"message_en": "The file is empty."}
            )
        content_type = check_type(head, allowed_types)
        ingest = Ingest(stream, head, max_bytes)
        with self._spooled(ingest) as spool:
            self.checks.inspect(spool, content_type)
            self._write(key, spool, ingest, content_type)
        return StoredObject(key=key, size=ingest.size, sha256=ingest.sha256, content_type=content_type)

    @contextmanager
    def _spooled(self, ingest: Ingest) -> Iterator[BinaryIO]:
        """The whole upload in an anonymous temporary file (gone when closed, even after a crash)."""
        try:
            spool = tempfile.TemporaryFile(dir=self.spool_dir)
        except OSError as exc:
            log.error("cannot create upload spool in %s: %s", self.spool_dir or tempfile.gettempdir(), exc)
            raise StorageUnavailableError() from exc
        with spool:
            # Errors reading the client's stream propagate as they are; a full disk here is a 503.
            for chunk in ingest.chunks():
                try:
                    spool.write(chunk)
                except OSError as exc:
                    log.error("cannot spool an upload: %s", exc)
                    raise StorageUnavailableError() from exc
            spool.seek(0)
            yield spool

    @abstractmethod
    def _write(self, key: str, spool: BinaryIO, ingest: Ingest, content_type: str) -> None:
        """Copy the checked ``spool`` (``ingest.size`` bytes, positioned at 0) to ``key``; on any
        exception nothing may remain under ``key``."""

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

    @abstractmethod
    def list_objects(self, prefix: str = "") -> Iterator[ListedObject]:
        """Every stored object (and leftover partial write) under ``prefix``, read page by page,
        so a million objects never sit in memory at once."""

    @abstractmethod
    def delete_many(self, names: Sequence[str]) -> None:
        """Remove these listed objects (names as ``list_objects`` gave them), in one batch where the
        backend can."""

    def abort_incomplete_uploads(self, older_than: datetime, prefix: str = "") -> int:
        """Abort multipart uploads started before ``older_than`` and never completed; how many.
        Backends without multipart uploads have none."""
        return 0


@dataclass(frozen=True, slots=True)
class ListedObject:
    name: str  # a key from ``new_key``, or anything else found in the store (never deleted as orphan)
    modified_at: datetime  # timezone-aware
    is_partial: bool = False  # a write that never finished (the local backend's hidden temporary file)


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
