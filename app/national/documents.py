"""Documents of a national filing, read from the portal's file URLs as a stream the object store
takes like any upload (app.storage: spooled, type sniffed, size limit, PDF and image checks, virus
scan): nothing is kept in memory and nothing trusts what the portal says the file is.

A download that breaks off (connection reset, fewer bytes than its Content-Length or than the
filing's `KichThuoc`, another SHA-256 than its `MaBam`) raises `DocumentFetchError` from the read
itself, so the store keeps nothing of it and the submission that was reading it writes nothing; the
filing is retried later. Only URLs under the configured prefixes are fetched (NATIONAL_FILE_URL_PREFIXES,
by default the portal's own addresses): a filing cannot make this server fetch anything else.
"""

from __future__ import annotations

import hashlib
import http.client
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from flask import current_app

from app.core.errors import ServiceUnavailableError, ValidationError
from app.national.inbound import RemoteFile
from app.national.transport import portal_headers


class DocumentFetchError(ServiceUnavailableError):
    """A document could not be read from the portal now (the filing is tried again later)."""

    code = "national_document_unavailable"


def allowed_prefixes() -> list[str]:
    """URL prefixes documents may be fetched from: the configured ones, else the origins of the
    portal's addresses this system already talks to."""
    config = current_app.config
    configured = [p.strip() for p in (config.get("NATIONAL_FILE_URL_PREFIXES") or "").split(",") if p.strip()]
    if configured:
        return configured
    origins = []
    for url in (config.get("NATIONAL_PORTAL_URL"), config.get("INBOUND_POLL_URL")):
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}/")
    return origins


def check_url(file: RemoteFile, key: str) -> None:
    """A ValidationError naming the document when its URL is outside the allowed prefixes."""
    if not any(file.url.startswith(prefix) for prefix in allowed_prefixes()):
        raise ValidationError(
            "Địa chỉ tải giấy tờ không thuộc Cổng DVC quốc gia",
            {key: f"Không tải tệp từ '{urlsplit(file.url).netloc or file.url[:60]}'"},
        )


class RemoteDocument:
    """A file-like stream over one document URL, opened on the first read, checked as it is read."""

    def __init__(self, file: RemoteFile, timeout: float) -> None:
        self.file = file
        self.timeout = timeout
        self._response: http.client.HTTPResponse | None = None
        self._expected: int | None = file.size
        self._read = 0
        self._hash = hashlib.sha256()
        self._done = False

    def _fail(self, why: str) -> DocumentFetchError:
        self.close()
        return DocumentFetchError(
            f"Không tải được giấy tờ '{self.file.name}' từ Cổng DVC quốc gia: {why}",
            {"document": self.file.code, "url": self.file.url},
        )

    def _open(self) -> http.client.HTTPResponse:
        request = urllib.request.Request(self.file.url, headers=portal_headers(self.file.url))  # noqa: S310
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)  # noqa: S310 (prefix-checked)
        except urllib.error.HTTPError as exc:
            raise self._fail(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise self._fail(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
        length = response.headers.get("Content-Length")
        if length and length.isdigit():
            if self._expected is not None and int(length) != self._expected:
                raise self._fail(f"{length} byte thay vì {self._expected}")
            self._expected = int(length)
        return response

    def read(self, size: int = -1) -> bytes:
        if self._done:
            return b""
        if self._response is None:
            self._response = self._open()
        try:
            chunk = self._response.read(size if size and size > 0 else None)
        except (http.client.HTTPException, OSError) as exc:
            raise self._fail(f"{type(exc).__name__}: {exc}") from exc
        if chunk:
            self._read += len(chunk)
            self._hash.update(chunk)
            if self._expected is not None and self._read > self._expected:
                raise self._fail(f"quá {self._expected} byte")
            return chunk
        self._finish()
        return b""

    def _finish(self) -> None:
        """At the end of the stream: every byte announced came, and they are the ones announced."""
        self._done = True
        self.close()
        if self._expected is not None and self._read != self._expected:
            raise self._fail(f"đứt kết nối sau {self._read}/{self._expected} byte")
        if self.file.sha256 and self._hash.hexdigest() != self.file.sha256:
            raise self._fail("mã băm SHA-256 không khớp")

    def close(self) -> None:
        if self._response is not None:
            self._response.close()
            self._response = None
