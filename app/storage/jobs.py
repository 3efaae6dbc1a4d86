"""The periodic orphan sweep (``sweep_orphan_objects``), declared in ``app.storage.init_app``."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.jobs import QUICK, job
from app.storage.orphans import sweep_orphans


def orphan_grace() -> timedelta:
    return timedelta(hours=float(current_app.config.get("STORAGE_ORPHAN_GRACE_HOURS", 24)))


@job(queue=QUICK, timeout=3600, retry=(300, 1800))
def sweep_orphan_objects() -> str:
    """Delete stored objects no row names and abort incomplete uploads, older than the grace period.

    Idempotent: a second run finds nothing left; a run cut short leaves the rest to the next one."""
    from app.storage import get_storage

    return sweep_orphans(get_storage(), grace=orphan_grace()).summary()
