"""Local-folder backend, the embedded default (``make run``): one file per key under ``root``.

Keys are checked against ``KEY_RE`` before they touch the filesystem, so no key can name a path
outside ``root``. A put writes a hidden temporary file in the destination folder and renames it into
place, so readers see either the whole file or nothing.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from app.core.errors import NotFoundError
from app.storage.base import (
    CHUNK_BYTES,
    Ingest,
    InvalidKeyError,
    ListedObject,
    Storage,
    StorageUnavailableError,
    check_key,
)
from app.storage.sniff import UploadChecks

log = logging.getLogger(__name__)


def not_found(key: str) -> NotFoundError:
    return NotFoundError("Không tìm thấy tệp đính kèm.", {"message_en": "The stored file was not found."})


class FileChunks(Iterator[bytes]):
    """Chunks of an open file; ``close()`` releases it even if iteration never started."""

    def __init__(self, file: BinaryIO, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._file = file
        self._chunk_bytes = chunk_bytes

    def __next__(self) -> bytes:
        chunk = self._file.read(self._chunk_bytes)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        self._file.close()


class LocalStorage(Storage):
    def __init__(self, root: str | os.PathLike[str], *, checks: UploadChecks | None = None) -> None:
        self.root = Path(root).resolve()
        self.checks = checks or UploadChecks()

    def describe(self) -> str:
        return f"local folder {self.root}"

    def path_for(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def ensure_ready(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.error("cannot create storage folder %s: %s", self.root, exc)
            raise StorageUnavailableError() from exc

    def _write(self, key: str, spool: BinaryIO, ingest: Ingest, content_type: str) -> None:
        path = self.path_for(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".part")
        except OSError as exc:
            log.error("cannot prepare %s: %s", path.parent, exc)
            raise StorageUnavailableError() from exc
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := spool.read(CHUNK_BYTES):
                    self._guarded(out.write, chunk)
                self._guarded(out.flush)
                self._guarded(os.fsync, out.fileno())
            self._guarded(os.replace, tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    @staticmethod
    def _guarded(func: Callable[..., object], *args: object) -> None:
        try:
            func(*args)
        except OSError as exc:
            log.error("local storage write failed: %s", exc)
            raise StorageUnavailableError() from exc

    def open(self, key: str) -> FileChunks:
        path = self.path_for(key)
        try:
            return FileChunks(path.open("rb"))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise not_found(key) from exc
        except OSError as exc:
            log.error("cannot open %s: %s", path, exc)
            raise StorageUnavailableError() from exc

    def delete(self, key: str) -> None:
        path = self.path_for(key)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.error("cannot delete %s: %s", path, exc)
            raise StorageUnavailableError() from exc

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def list_objects(self, prefix: str = "") -> Iterator[ListedObject]:
        start = self.root.joinpath(*prefix.strip("/").split("/")) if prefix.strip("/") else self.root
        for folder, dirs, files in os.walk(start):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder, name)
                try:
                    mtime = path.stat().st_mtime
                except FileNotFoundError:  # deleted meanwhile
                    continue
                yield ListedObject(
                    name=path.relative_to(self.root).as_posix(),
                    modified_at=datetime.fromtimestamp(mtime, UTC),
                    is_partial=name.startswith(".upload-") and name.endswith(".part"),
                )

    def delete_many(self, names: Sequence[str]) -> None:
        for name in names:
            path = self.root.joinpath(*name.split("/"))
            if self.root not in path.resolve().parents:
                raise InvalidKeyError(f"not a stored object: {name!r}")
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.error("cannot delete %s: %s", path, exc)
                raise StorageUnavailableError() from exc

    def download_url(
        self, key: str, filename: str, content_type: str, expires_seconds: int, *, inline: bool = False
    ) -> None:
        check_key(key)
        return None  # no direct URL: an authorised view streams the file (see ``send_local``)
