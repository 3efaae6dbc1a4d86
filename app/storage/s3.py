"""S3 backend through the ``minio`` SDK (MinIO in production, SeaweedFS in tests).

An upload is spooled to a temporary file on local disk and checked there first (``Storage.put_stream``:
bounded memory, and the size, type, content and sha256 are known before the store is touched), then
sent with a known length:
one PUT for small files, a multipart upload in 5 MiB parts otherwise (minio aborts it on failure).
The HTTP client has short timeouts and at most one retry, so a dead store becomes a 503 in seconds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import BinaryIO
from urllib.parse import urlsplit

import certifi
import urllib3
from minio import Minio
from minio.datatypes import Upload
from minio.deleteobjects import DeleteObject
from minio.error import MinioException, S3Error
from urllib3.util import Retry, Timeout

from app.storage.base import (
    CHUNK_BYTES,
    Ingest,
    ListedObject,
    Storage,
    StorageUnavailableError,
    check_key,
    content_disposition,
)
from app.storage.local import not_found
from app.storage.sniff import UploadChecks

log = logging.getLogger(__name__)

PART_BYTES = 5 * 1024 * 1024  # the S3 minimum; bounds the memory a multipart upload holds per part
_MISSING = {"NoSuchKey", "NoSuchObject", "NoSuchBucket", "ResourceNotFound"}
_BACKEND_ERRORS = (MinioException, urllib3.exceptions.HTTPError, OSError)


def http_client(
    *, connect_timeout: float, read_timeout: float, max_connections: int = 10
) -> urllib3.PoolManager:
    return urllib3.PoolManager(
        timeout=Timeout(connect=connect_timeout, read=read_timeout),
        retries=Retry(
            total=1,
            connect=1,
            read=0,
            backoff_factor=0.2,
            status_forcelist=(502, 503, 504),
            raise_on_status=False,
        ),
        maxsize=max_connections,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
    )


def _split_endpoint(endpoint: str, secure: bool) -> tuple[str, bool]:
    """Accept ``host:port`` (the documented form) and, leniently, ``http(s)://host:port``."""
    if "://" in endpoint:
        parts = urlsplit(endpoint)
        return parts.netloc, parts.scheme == "https"
    return endpoint.rstrip("/"), secure


class ObjectChunks(Iterator[bytes]):
    """Chunks of a GET response; ``close()`` returns the connection to the pool."""

    def __init__(self, response: urllib3.BaseHTTPResponse, key: str) -> None:
        self._response = response
        self._chunks = response.stream(CHUNK_BYTES)
        self._key = key

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            self.close()
            raise
        except urllib3.exceptions.HTTPError as exc:
            self.close()
            log.warning("s3 read of %s broke off: %s", self._key, exc)
            raise StorageUnavailableError() from exc

    def close(self) -> None:
        self._response.close()
        self._response.release_conn()


class S3Storage(Storage):
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        region: str = "us-east-1",
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 30.0,
        spool_dir: str | None = None,
        parallel_uploads: int = 2,
        checks: UploadChecks | None = None,
    ) -> None:
        host, secure = _split_endpoint(endpoint, secure)
        self.endpoint = host
        self.bucket = bucket
        self.region = region
        self.spool_dir = spool_dir
        self.checks = checks or UploadChecks()
        self.parallel_uploads = parallel_uploads
        # region is passed so that presigning never needs a round trip to ask the server for it.
        self.client = Minio(
            host,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http_client(connect_timeout=connect_timeout, read_timeout=read_timeout),
        )
        self._is_ready = False

    def describe(self) -> str:
        return f"S3 bucket {self.bucket!r} at {self.endpoint}"

    @contextmanager
    def _backend(self, action: str, key: str = "") -> Iterator[None]:
        """Turn any store or network failure into a 503, logging the cause (never sent to clients)."""
        try:
            yield
        except _BACKEND_ERRORS as exc:
            log.warning("s3 %s %s/%s failed at %s: %r", action, self.bucket, key, self.endpoint, exc)
            raise StorageUnavailableError() from exc

    def ensure_ready(self) -> None:
        with self._backend("ensure bucket"):
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket, location=self.region)
                except S3Error as exc:  # created concurrently by another process
                    if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                        raise
                log.info("created bucket %s at %s", self.bucket, self.endpoint)
        self._is_ready = True

    def _write(self, key: str, spool: BinaryIO, ingest: Ingest, content_type: str) -> None:
        if not self._is_ready:
            self.ensure_ready()
        self._upload(key, spool, ingest, content_type)

    def _upload(self, key: str, spool: BinaryIO, ingest: Ingest, content_type: str) -> None:
        try:
            with self._backend("put", key):
                self.client.put_object(
                    self.bucket,
                    key,
                    spool,
                    length=ingest.size,
                    content_type=content_type,
                    metadata={"sha256": ingest.sha256},
                    part_size=PART_BYTES,
                    num_parallel_uploads=self.parallel_uploads,
                )
        except BaseException:
            self._discard(key)  # a timed-out PUT may still have completed on the server
            raise

    def _discard(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)
        except _BACKEND_ERRORS as exc:
            log.error("could not remove %s/%s after a failed put: %r", self.bucket, key, exc)

    def open(self, key: str) -> ObjectChunks:
        check_key(key)
        with self._backend("get", key):
            try:
                response = self.client.get_object(self.bucket, key)
            except S3Error as exc:
                if exc.code in _MISSING:
                    raise not_found(key) from exc
                raise
        return ObjectChunks(response, key)

    def delete(self, key: str) -> None:
        check_key(key)
        with self._backend("delete", key):
            try:
                self.client.remove_object(self.bucket, key)
            except S3Error as exc:
                if exc.code not in _MISSING:
                    raise

    def exists(self, key: str) -> bool:
        check_key(key)
        with self._backend("stat", key):
            try:
                self.client.stat_object(self.bucket, key)
            except S3Error as exc:
                if exc.code in _MISSING:
                    return False
                raise
        return True

    def list_objects(self, prefix: str = "") -> Iterator[ListedObject]:
        # The SDK's generator fetches one page of (at most) 1000 keys per request as it is consumed.
        with self._backend("list", prefix):
            for obj in self.client.list_objects(self.bucket, prefix=prefix or None, recursive=True):
                if obj.object_name and not obj.is_dir and obj.last_modified is not None:
                    yield ListedObject(name=obj.object_name, modified_at=obj.last_modified)

    def delete_many(self, names: Sequence[str]) -> None:
        with self._backend("delete batch"):
            errors = list(self.client.remove_objects(self.bucket, (DeleteObject(n) for n in names)))
        if errors:
            log.error("s3 delete batch in %s: %d failed, first %r", self.bucket, len(errors), errors[0])
            raise StorageUnavailableError()

    def abort_incomplete_uploads(self, older_than: datetime, prefix: str = "") -> int:
        aborted = 0
        for upload in self._incomplete_uploads(prefix):
            if upload.initiated_time is not None and upload.initiated_time < older_than:
                with self._backend("abort upload", upload.object_name):
                    self.client._abort_multipart_upload(self.bucket, upload.object_name, upload.upload_id)
                aborted += 1
        return aborted

    def _incomplete_uploads(self, prefix: str) -> Iterator[Upload]:
        """ListMultipartUploads page by page. The SDK has no public call for it (its own multipart
        code uses these), and its result drops NextUploadIdMarker: the last upload of a page is
        the marker instead."""
        key_marker = upload_id_marker = None
        while True:
            with self._backend("list uploads", prefix):
                page = self.client._list_multipart_uploads(
                    self.bucket,
                    prefix=prefix or None,
                    key_marker=key_marker,
                    upload_id_marker=upload_id_marker,
                )
            yield from page.uploads
            if not page.is_truncated or not page.uploads:
                return
            key_marker, upload_id_marker = page.uploads[-1].object_name, page.uploads[-1].upload_id

    def download_url(
        self, key: str, filename: str, content_type: str, expires_seconds: int, *, inline: bool = False
    ) -> str:
        check_key(key)
        with self._backend("presign", key):
            return self.client.presigned_get_object(
                self.bucket,
                key,
                expires=timedelta(seconds=max(1, expires_seconds)),
                response_headers={
                    "response-content-disposition": content_disposition(
                        filename, "inline" if inline else "attachment"
                    ),
                    "response-content-type": content_type,
                },
            )
