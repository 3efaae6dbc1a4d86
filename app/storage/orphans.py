"""Orphan objects: stored bytes that no row points at, and multipart uploads never completed.

They are what a crash leaves between the store and the database: an S3 server or app server killed
mid-upload (parts stored, no object), a process killed after the put but before its transaction
committed or its ``on_rollback`` ran. The sweep lists the store page by page, keeps everything younger
than the grace period (``STORAGE_ORPHAN_GRACE_HOURS``: an upload in flight is seconds old, a unit of
work commits within minutes), checks the older keys against every ``storage_key`` column in batches,
and deletes what no row names. Objects whose names ``new_key`` could not have made are never touched.

The key columns are found in the model metadata (every column named ``storage_key``), so a new table
with attachments is covered without touching this module. Each batch is checked with one statement,
so a key that moves from one table to another in the same transaction (a draft becoming a dossier)
is seen in one of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import Column, literal_column, select, union_all

from app.extensions import db
from app.storage.base import KEY_RE, ListedObject, Storage

log = logging.getLogger(__name__)

KEY_COLUMN = "storage_key"
BATCH_SIZE = 1000  # S3's page size and the most keys one DeleteObjects request takes


@dataclass
class SweepReport:
    listed: int = 0
    young: int = 0  # within the grace period
    referenced: int = 0
    foreign: int = 0  # not a name this application makes: left alone
    deleted: int = 0  # orphans removed (or, in a dry run, that would be)
    partial: int = 0  # leftover partial writes removed (local backend)
    aborted_uploads: int = 0  # incomplete multipart uploads aborted (S3)
    dry_run: bool = False
    deleted_names: list[str] = field(default_factory=list, repr=False)

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        return (
            f"listed {self.listed}, kept {self.young} young, {self.referenced} referenced, "
            f"{self.foreign} foreign; {verb} {self.deleted} orphan(s), {self.partial} partial write(s); "
            f"aborted {self.aborted_uploads} incomplete upload(s)"
        )


def key_columns() -> list[Column]:
    """Every ``storage_key`` column of the mapped tables."""
    return [table.c[KEY_COLUMN] for table in db.metadata.sorted_tables if KEY_COLUMN in table.c]


def referenced_keys(keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` some row names, in one statement over all key tables (one snapshot)."""
    columns = key_columns()
    if not keys or not columns:
        return set()
    query = union_all(*(select(column.label("key")).where(column.in_(keys)) for column in columns))
    return set(db.session.scalars(select(literal_column("key")).select_from(query.subquery())))


def sweep_orphans(
    storage: Storage,
    *,
    grace: timedelta,
    now: datetime | None = None,
    dry_run: bool = False,
    prefix: str = "",
    batch_size: int = BATCH_SIZE,
) -> SweepReport:
    """Delete the objects older than ``grace`` that no row names; abort older incomplete uploads."""
    cutoff = (now or datetime.now(UTC)) - grace
    report = SweepReport(dry_run=dry_run)
    for batch in _batches(_old_candidates(storage.list_objects(prefix), cutoff, report), batch_size):
        partial = [o.name for o in batch if o.is_partial]
        keys = [o.name for o in batch if not o.is_partial]
        kept = referenced_keys(keys)
        orphans = [k for k in keys if k not in kept]
        report.referenced += len(kept)
        report.deleted += len(orphans)
        report.partial += len(partial)
        report.deleted_names.extend(orphans)
        if not dry_run and (orphans or partial):
            storage.delete_many(orphans + partial)
    if not dry_run:
        report.aborted_uploads = storage.abort_incomplete_uploads(cutoff, prefix)
    log.info("orphan sweep of %s: %s", storage.describe(), report.summary())
    return report


def _old_candidates(
    objects: Iterable[ListedObject], cutoff: datetime, report: SweepReport
) -> Iterator[ListedObject]:
    for obj in objects:
        report.listed += 1
        if obj.modified_at >= cutoff:
            report.young += 1
        elif obj.is_partial or KEY_RE.fullmatch(obj.name):
            yield obj
        else:
            report.foreign += 1


def _batches(items: Iterable[ListedObject], size: int) -> Iterator[list[ListedObject]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
