"""Transaction boundary for services: commit, then run what must happen only after commit.

Services call ``commit()`` once per use case; helpers only flush. Side effects (enqueueing jobs,
deleting stored objects) are registered with ``after_commit`` and run only if the commit succeeds;
a rollback discards them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.extensions import db

log = logging.getLogger(__name__)
_KEY = "after_commit_callbacks"


def after_commit(callback: Callable[[], None]) -> None:
    db.session.info.setdefault(_KEY, []).append(callback)


def on_rollback(callback: Callable[[], None]) -> None:
    """Compensation to run if the transaction fails (e.g. delete objects already uploaded)."""
    db.session.info.setdefault("rollback_callbacks", []).append(callback)


def _drain(key: str) -> list[Callable[[], None]]:
    return db.session.info.pop(key, [])


def commit() -> None:
    try:
        db.session.commit()
    except BaseException:
        rollback()
        raise
    _drain("rollback_callbacks")
    for callback in _drain(_KEY):
        callback()


def rollback() -> None:
    db.session.rollback()
    _drain(_KEY)
    for callback in _drain("rollback_callbacks"):
        try:
            callback()
        except Exception:  # compensation is best effort; the original error is what matters
            log.exception("rollback compensation failed")
