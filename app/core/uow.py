"""The unit of work: one transaction per request, job and CLI command, committed here and nowhere else.

A unit is opened in exactly three places:

- **a request**: `init_app` commits once the view has returned a response below 400 and rolls back
  on any error answer or exception, so an answer that says "no" has written nothing;
- **a job**: `app.jobs.job` runs every job inside `unit_of_work()`;
- **a CLI command**: commands of a `CommandGroup` run inside `unit_of_work()`.

The workflow engine, services and helpers only add and flush. Around them:

- `after_commit(callback)`: work that must happen only once the transaction is durable (push a job
  to Redis, delete a stored object that no row names any more). A callback that fails is logged and
  does not change the answer: the periodic sweeps find whatever it left undone;
- `on_rollback(callback)`: compensation for a side effect already done outside the database (an
  object uploaded for rows that will not exist);
- `even_on_failure(write)`: a write that must stand whatever the unit's outcome (a failed sign-in
  counts even though the answer is an error);
- `attempt()`: a view that shows a service's error inside its own page instead of an error page;
  the unit is rolled back there and then, so the page reads the database as it was;
- `savepoint()`: a part of a use case that may be refused on its own while the rest stands (a
  counter dossier is registered even when its immediate acceptance is refused).

Jobs and commands that work through many independent items (delivery lanes, batches of alerts, a
long render that reports its progress) open one `unit_of_work()` per item; each commits alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, Response
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import AppError
from app.extensions import db

log = logging.getLogger(__name__)

Callback = Callable[[], Any]
_AFTER_COMMIT = "uow_after_commit"
_ON_ROLLBACK = "uow_on_rollback"
_EVEN_ON_FAILURE = "uow_even_on_failure"


def _callbacks(key: str) -> list[Callback]:
    return db.session.info.setdefault(key, [])


def _drain(key: str) -> list[Callback]:
    return db.session.info.pop(key, [])


def after_commit(callback: Callback) -> None:
    """Run `callback` once the surrounding unit commits; dropped if it rolls back."""
    _callbacks(_AFTER_COMMIT).append(callback)


def on_rollback(callback: Callback) -> None:
    """Undo an outside side effect if the surrounding unit rolls back; dropped once it commits."""
    _callbacks(_ON_ROLLBACK).append(callback)


def even_on_failure(write: Callback) -> None:
    """Make `write` (adds and flushes) stand whatever the unit's outcome: it is part of the commit
    when the unit succeeds, and written in a transaction of its own after a rollback."""
    _callbacks(_EVEN_ON_FAILURE).append(write)


def commit() -> None:
    """Commit the session, then run the after-commit callbacks. On failure everything is rolled back
    (compensations included) and the error is raised again. If the connection breaks during the
    COMMIT itself, the database may have committed all the same, and its rows may name the objects
    the compensations would delete: those are kept, and what no row names is left to the orphan sweep."""
    writes = _drain(_EVEN_ON_FAILURE)
    flushed = False
    try:
        for write in writes:
            write()
        db.session.flush()
        flushed = True
        db.session.commit()
    except BaseException as exc:
        if flushed and getattr(exc, "connection_invalidated", False):
            kept = _drain(_ON_ROLLBACK)
            log.warning("connection lost at COMMIT: %d compensation(s) left to the orphan sweep", len(kept))
        _callbacks(_EVEN_ON_FAILURE)[:0] = writes  # they must still stand: rollback writes them
        rollback()
        raise
    _drain(_ON_ROLLBACK)
    _run_after_commit()


def _run_after_commit() -> None:
    """Callbacks may register more (a job run in-process enqueues the next one): run until none is left."""
    while callbacks := _drain(_AFTER_COMMIT):
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the transaction is committed; the sweeps redo what this left undone
                log.exception("after-commit work failed and is left to the periodic sweeps")


def rollback() -> None:
    """Discard the unit: roll back, run the compensations, then write what must stand even on failure."""
    db.session.rollback()
    _drain(_AFTER_COMMIT)
    for callback in reversed(_drain(_ON_ROLLBACK)):
        try:
            callback()
        except Exception:  # compensation is best effort; the original error is what matters
            log.exception("rollback compensation failed")
    writes = _drain(_EVEN_ON_FAILURE)
    if writes:
        try:
            for write in writes:
                write()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("a write meant to stand even on failure could not be made")


@contextmanager
def unit_of_work() -> Iterator[None]:
    """A unit of work outside a request: committed at the end of the block, rolled back on any
    exception (which goes on). Jobs and CLI commands run in one; so do test factories."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


@dataclass
class Attempt:
    """What `attempt()` caught: the service's error, or None when it went through."""

    error: AppError | None = None

    def __bool__(self) -> bool:
        return self.error is not None


@contextmanager
def attempt(*kinds: type[AppError]) -> Iterator[Attempt]:
    """For a view that shows a refused use case inside its own page: an error of `kinds` (any
    AppError by default) from the block is caught, the unit rolled back at once (the page then reads
    the database as it was, and objects stored for the refused change are deleted), and the error
    handed to the view. Other errors go on to the error pages."""
    outcome, caught = Attempt(), kinds or (AppError,)
    try:
        yield outcome
    except caught as exc:
        rollback()
        outcome.error = exc


@contextmanager
def savepoint() -> Iterator[None]:
    """A part of a use case that may be refused on its own: on an AppError its writes (and the
    callbacks it registered) are undone and the error goes on; what came before stands."""
    marks = {key: len(_callbacks(key)) for key in (_AFTER_COMMIT, _ON_ROLLBACK, _EVEN_ON_FAILURE)}
    nested = db.session.begin_nested()
    try:
        yield
    except AppError:
        nested.rollback()
        undo = _callbacks(_ON_ROLLBACK)[marks[_ON_ROLLBACK] :]
        for key, mark in marks.items():
            del _callbacks(key)[mark:]
        for callback in reversed(undo):
            try:
                callback()
            except Exception:
                log.exception("rollback compensation failed")
        raise
    nested.commit()  # releases the savepoint; the enclosing unit still decides


class CommandGroup(AppGroup):
    """A Flask CLI group whose commands each run in one unit of work."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:
        decorate = super().command(*args, **kwargs)

        def wrap(callback: Callable[..., Any]) -> click.Command:
            from functools import wraps

            @wraps(callback)
            def in_unit(*a: Any, **kw: Any) -> Any:
                with unit_of_work():
                    return callback(*a, **kw)

            return decorate(in_unit)

        return wrap


# --- the request boundary -----------------------------------------------------------------------


def _commit_failure(exc: Exception) -> Response:
    """The answer when the request's own commit fails: nothing of it was saved."""
    from app.core.errors import DATABASE_UNAVAILABLE, respond

    if isinstance(exc, StaleDataError):
        return respond(409, "conflict", "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại")
    if isinstance(exc, IntegrityError):
        return respond(409, "conflict", "Dữ liệu vừa được thay đổi đồng thời; vui lòng thử lại")
    return respond(503, "service_unavailable", DATABASE_UNAVAILABLE)


def init_app(app: Flask) -> None:
    """Commit each request's unit of work after its view, or roll it back. Registered before every
    other after-request hook, so it runs last (Flask runs them in reverse order)."""

    @app.after_request
    def _finish_unit(response: Response) -> Response:
        if response.status_code >= 400:
            rollback()
            return response
        try:
            commit()
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            log.warning("commit of %s failed: %s", getattr(response, "status", ""), exc)
            return _commit_failure(exc)
        return response

    @app.teardown_request
    def _discard_unit(exc: BaseException | None) -> None:
        if exc is not None:  # an exception no handler turned into an answer
            rollback()
