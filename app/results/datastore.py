"""Pushing signed results to the citizen's personal data store (Kho quản lý dữ liệu điện tử).

When a dossier's result is ready (its `completed_at` is set) and it has signed electronic results,
the outbox handler writes one `DataStorePush` per result, in the transaction that marks the outbox
message processed, so each exists once; the push job sends it after that commit. Retried like the
deliveries to the national portal (app.sync): a claim with a lease (`FOR UPDATE SKIP LOCKED`; a
dead worker's claim runs out and the sweep hands it on), exponential backoff with jitter
(`DELIVERY_BACKOFF_*`), `dead` after `DELIVERY_RETRY_HOURS` of failures until an admin replays it;
every try is logged (`DataStorePushAttempt`). No transaction is open while a request is on the wire.

The call: `POST DATA_STORE_URL` with `Authorization: Bearer DATA_STORE_TOKEN` (when set), the
webhook headers `X-Message-Id` (stable across retries), `X-Timestamp` and `X-Signature` (HMAC-SHA256
under `DATA_STORE_HMAC_KEY`, when set), and the JSON body of `build_body`. Any 2xx is delivered.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.core import uow
from app.core.db import utcnow
from app.core.time import local_iso
from app.dossiers.models import Dossier
from app.extensions import db
from app.jobs import QUICK, enqueue, job
from app.outbox.models import OutboxMessage
from app.results.models import DataStorePush, DataStorePushAttempt, SignedResult
from app.results.services import verify_url
from app.storage import get_storage
from app.sync.services import backoff_seconds
from app.sync.transport import Outcome, post_json, signed_headers

log = logging.getLogger(__name__)
TOPIC = "dossier.transitioned"


def is_enabled() -> bool:
    return bool(current_app.config.get("DATA_STORE_URL"))


def wants(_payload: dict) -> bool:
    """The outbox writes the handler's rows only where a data store is configured."""
    return is_enabled()


# --- Writing pushes (outbox handler) --------------------------------------------------------------


def create_pushes(message: OutboxMessage) -> list[DataStorePush]:
    """Outbox handler: a push for each signed result of a dossier whose result is ready and whose
    applicant has a citizen ID (the store is the citizen's); flush only, sent after the commit."""
    dossier = db.session.get(Dossier, message.dossier_id) if message.dossier_id else None
    if dossier is None or dossier.completed_at is None or not dossier.applicant_citizen_id:
        return []
    pushed = select(DataStorePush.signed_result_id)
    results = db.session.scalars(
        select(SignedResult).where(SignedResult.dossier_id == dossier.id, SignedResult.id.not_in(pushed))
    ).all()
    rows = [
        DataStorePush(signed_result_id=r.id, dossier_id=dossier.id, message_id=f"kq-{r.token[:16]}-{r.id}")
        for r in results
    ]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        enqueue(push_result, row.id, job_id=f"data-store-{row.id}")
    return rows


def build_body(push: DataStorePush) -> bytes:
    """The message: which citizen, which result (number, procedure, agency, time, SHA-256, the
    verification page) and the signed file itself (base64)."""
    result = push.signed_result
    document = result.document
    dossier = db.session.get(Dossier, push.dossier_id)
    content = b"".join(get_storage().open(document.storage_key))
    message = {
        "MaBanTin": push.message_id,
        "SoDinhDanh": dossier.applicant_citizen_id,
        "HoTen": dossier.applicant_name,
        "MaHoSo": dossier.code,
        "MaTTHC": result.procedure_code,
        "TenTTHC": result.procedure_name,
        "TenGiayTo": result.result_name,
        "SoKetQua": result.number,
        "CoQuanBanHanh": result.issuer_name,
        "NgayKy": local_iso(result.signed_at),
        "MaBam": result.sha256,
        "DuongDanXacThuc": verify_url(result.token),
        "TenTep": document.original_name,
        "LoaiTep": document.content_type,
        "NoiDungTep": base64.b64encode(content).decode("ascii"),
    }
    return json.dumps(message, ensure_ascii=False).encode("utf-8")


# --- Claiming, sending, recording ---------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    push_id: int
    attempt: int
    url: str
    body: bytes
    headers: dict[str, str]


def _lease() -> timedelta:
    config = current_app.config
    return timedelta(seconds=config["DELIVERY_TIMEOUT_SECONDS"] + config["DELIVERY_LEASE_MARGIN_SECONDS"])


def _is_due(push: DataStorePush, now: datetime) -> bool:
    if push.state == "pending":
        return push.next_attempt_at <= now
    return push.state == "in_flight" and (push.lease_until is None or push.lease_until <= now)


def claim(push_id: int, now: datetime | None = None) -> Claim | None:
    """Claim the push if it is due (the caller commits the claim before sending); None otherwise."""
    now = now or utcnow()
    push = db.session.scalar(
        select(DataStorePush).where(DataStorePush.id == push_id).with_for_update(skip_locked=True)
    )
    if push is None or not _is_due(push, now) or not is_enabled():
        return None
    body = build_body(push)
    config = current_app.config
    headers = {"X-Message-Id": push.message_id}
    if config.get("DATA_STORE_HMAC_KEY"):
        headers = signed_headers(config["DATA_STORE_HMAC_KEY"], push.message_id, body)
    if config.get("DATA_STORE_TOKEN"):
        headers["Authorization"] = f"Bearer {config['DATA_STORE_TOKEN']}"
    push.state, push.lease_until = "in_flight", now + _lease()
    push.attempts += 1
    return Claim(push.id, push.attempts, config["DATA_STORE_URL"], body, headers)


def send(claimed: Claim) -> Outcome:
    return post_json(
        claimed.url, claimed.body, claimed.headers, current_app.config["DELIVERY_TIMEOUT_SECONDS"]
    )


def record(claimed: Claim, outcome: Outcome, now: datetime | None = None) -> DataStorePush | None:
    """Write the attempt; ignored (None) when the claim was lost meanwhile (its lease ran out)."""
    now = now or utcnow()
    push = db.session.get(DataStorePush, claimed.push_id, with_for_update=True, populate_existing=True)
    if push is None or push.state != "in_flight" or push.attempts != claimed.attempt:
        return None
    db.session.add(
        DataStorePushAttempt(
            push_id=push.id,
            started_at=now,
            duration_ms=outcome.duration_ms,
            http_status=outcome.status,
            error=outcome.error,
            is_success=outcome.is_success,
        )
    )
    push.lease_until, push.last_status = None, outcome.status
    if outcome.is_success:
        push.state, push.delivered_at, push.last_error = "delivered", now, None
        return push
    push.last_error = (outcome.error or f"HTTP {outcome.status}")[:2000]
    push.first_failed_at = push.first_failed_at or now
    if now - push.first_failed_at >= timedelta(hours=current_app.config["DELIVERY_RETRY_HOURS"]):
        push.state, push.dead_at = "dead", now
        log.warning("data store push %s is dead: %s", push.id, push.last_error)
    else:
        push.state = "pending"
        push.next_attempt_at = now + timedelta(seconds=backoff_seconds(push.attempts))
    return push


@job(queue=QUICK, timeout=180, retry=(10, 60))
def push_result(push_id: int) -> str | None:
    """Send one push if it is due; a failure schedules its retry (or leaves it to the sweep)."""
    with uow.unit_of_work():
        claimed = claim(push_id)
    if claimed is None:
        return None
    outcome = send(claimed)
    with uow.unit_of_work():
        push = record(claimed, outcome)
        state, retry_at = (push.state, push.next_attempt_at) if push is not None else (None, None)
    if state == "pending" and current_app.extensions.get("redis") is not None:
        with uow.unit_of_work():
            enqueue(
                push_result,
                push_id,
                job_id=f"data-store-{push_id}-{claimed.attempt}",
                delay=retry_at - utcnow(),
            )
    return state


def due_pushes(now: datetime, limit: int = 1000) -> list[int]:
    return list(
        db.session.scalars(
            select(DataStorePush.id)
            .where(
                or_(
                    and_(DataStorePush.state == "pending", DataStorePush.next_attempt_at <= now),
                    and_(DataStorePush.state == "in_flight", DataStorePush.lease_until <= now),
                )
            )
            .order_by(DataStorePush.id)
            .limit(limit)
        )
    )


def sweep_once(now: datetime | None = None) -> int:
    """Enqueue every due push; the number enqueued."""
    ids = due_pushes(now or utcnow())
    for push_id in ids:
        enqueue(push_result, push_id, job_id=f"data-store-{push_id}", skip_if_live=True)
    return len(ids)


@job(queue=QUICK, timeout=120)
def sweep_data_store() -> int:
    """Periodic: pushes that are due (a lost job, a dead worker, a retry without Redis)."""
    return sweep_once()


def replay(push_ids: list[int] | None = None) -> int:
    """Dead pushes back to pending, due now (all of them without ids); enqueued after the commit."""
    condition = [DataStorePush.state == "dead"]
    if push_ids is not None:
        condition.append(DataStorePush.id.in_(push_ids))
    ids = list(db.session.scalars(select(DataStorePush.id).where(*condition)))
    if ids:
        db.session.execute(
            update(DataStorePush)
            .where(DataStorePush.id.in_(ids))
            .values(state="pending", next_attempt_at=utcnow(), first_failed_at=None, dead_at=None)
            .execution_options(synchronize_session=False)
        )
        for push_id in ids:
            enqueue(push_result, push_id, job_id=f"data-store-{push_id}-replay", skip_if_live=True)
    return len(ids)
