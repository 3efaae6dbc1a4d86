"""Storage domain: where documents' bytes live (a local folder or S3 through the minio SDK).

Other domains use ``get_storage()`` to put and delete objects, and ``download_response`` (or
``send_local``) in their own, already authorised, download views. Keys come from ``put_stream``;
a client filename is only ever used in the Content-Disposition header of a download.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
from flask import Flask, Response, current_app, redirect

from app.core.uow import CommandGroup
from app.storage.base import (
    InvalidKeyError,
    Storage,
    StorageUnavailableError,
    StoredObject,
    content_disposition,
)
from app.storage.local import LocalStorage
from app.storage.s3 import S3Storage
from app.storage.sniff import UploadChecks

__all__ = [
    "InvalidKeyError",
    "LocalStorage",
    "S3Storage",
    "Storage",
    "StorageUnavailableError",
    "StoredObject",
    "UploadChecks",
    "build_storage",
    "download_response",
    "get_storage",
    "init_app",
    "send_local",
]

_S3_REQUIRED = ("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET")


def build_storage(config: Mapping[str, Any]) -> Storage:
    """The backend named by ``STORAGE_BACKEND``; a misconfiguration stops start-up with its reason."""
    backend = str(config.get("STORAGE_BACKEND") or "local").strip().lower()
    checks = UploadChecks.from_config(config)
    if backend == "local":
        return LocalStorage(config["STORAGE_LOCAL_DIR"], checks=checks)
    if backend == "s3":
        missing = [name for name in _S3_REQUIRED if not config.get(name)]
        if missing:
            raise RuntimeError("STORAGE_BACKEND=s3 needs " + ", ".join(missing))
        return S3Storage(
            config["S3_ENDPOINT"],
            config["S3_ACCESS_KEY"],
            config["S3_SECRET_KEY"],
            config["S3_BUCKET"],
            secure=bool(config.get("S3_SECURE")),
            region=config.get("S3_REGION") or "us-east-1",
            checks=checks,
        )
    raise RuntimeError(f"STORAGE_BACKEND must be 'local' or 's3', not {backend!r}")


def init_app(app: Flask) -> None:
    """Build the backend. No network call here: the S3 bucket is checked on the first put
    (or by ``flask storage init``), so start-up and CLI commands do not depend on the store."""
    storage = build_storage(app.config)
    if isinstance(storage, LocalStorage):
        storage.ensure_ready()
    app.extensions["storage"] = storage
    app.cli.add_command(storage_cli)

    from app.jobs.schedule import periodic
    from app.storage.jobs import sweep_orphan_objects

    periodic(
        app, sweep_orphan_objects, every=lambda config: config.get("STORAGE_ORPHAN_SWEEP_HOURS", 6) * 3600
    )


def get_storage() -> Storage:
    return current_app.extensions["storage"]


def send_local(
    key: str, filename: str, content_type: str, *, size: int | None = None, inline: bool = False
) -> Response:
    """Stream a stored object as an attachment (or ``inline``, for a preview in a frame of this
    site). Call only after the caller's permission check.

    Raises NotFoundError before any byte is sent if the object is missing.
    """
    response = Response(get_storage().open(key), mimetype=content_type, direct_passthrough=True)
    response.headers["Content-Disposition"] = content_disposition(
        filename, "inline" if inline else "attachment"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if inline:  # a browser's PDF viewer does not run in a sandboxed document; scripts stay off
        response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; object-src 'self'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    if size is not None:
        response.content_length = size
    return response


def download_response(
    key: str, filename: str, content_type: str, *, size: int | None = None, inline: bool = False
) -> Response:
    """Redirect to a short-lived presigned URL (S3), or stream the file (local folder).
    ``inline`` asks the browser to show the file (preview) instead of saving it."""
    seconds = int(current_app.config.get("DOWNLOAD_URL_SECONDS", 300))
    url = get_storage().download_url(key, filename, content_type, seconds, inline=inline)
    if url is None:
        return send_local(key, filename, content_type, size=size, inline=inline)
    response = redirect(url, code=302)
    response.headers["Cache-Control"] = "private, no-store"
    return response


storage_cli = CommandGroup("storage", help="File storage (local folder or S3).")


@storage_cli.command("init")
def init_command() -> None:
    """Create the storage folder or S3 bucket if missing and check that the store answers."""
    storage = get_storage()
    try:
        storage.ensure_ready()
    except StorageUnavailableError as exc:
        raise click.ClickException(f"{storage.describe()}: {exc.message}") from exc
    click.echo(f"ready: {storage.describe()}")


@storage_cli.command("sweep-orphans")
@click.option("--older-than", "hours", type=float, default=None, help="Grace period in hours.")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
def sweep_orphans_command(hours: float | None, dry_run: bool) -> None:
    """Delete stored objects no row names and incomplete uploads older than the grace period
    (``STORAGE_ORPHAN_GRACE_HOURS`` unless ``--older-than``)."""
    from datetime import timedelta

    from app.storage.jobs import orphan_grace
    from app.storage.orphans import sweep_orphans

    grace = timedelta(hours=hours) if hours is not None else orphan_grace()
    storage = get_storage()
    try:
        report = sweep_orphans(storage, grace=grace, dry_run=dry_run)
    except StorageUnavailableError as exc:
        raise click.ClickException(f"{storage.describe()}: {exc.message}") from exc
    click.echo(report.summary())
