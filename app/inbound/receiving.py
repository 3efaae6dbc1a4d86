"""Receiving dossiers filed on the National Public Service Portal: use cases within the caller's unit
of work (the push endpoint's request, the polling and import jobs, an officer's page).

1. `record_envelope`: an envelope that keeps the contract becomes an `InboundFiling` (pending), and
   its import is asked for once the unit commits. The same national code again creates nothing: the
   row counts the duplicate (a rejected or given-up filing sent again is tried again).
2. `import_filing`: the filing becomes a dossier through `submit_dossier`, exactly as a citizen's
   online submission: the procedure version in force today (the localised code mapped by
   app.national.catalogue), the applicant's verified account (the portal's electronic identification,
   as a VNeID sign-in here would make it), the form, the documents streamed from the portal's URLs
   into the store and checked like any upload. The dossier enters the reception queue of its
   receiving unit with channel "national_portal"; its submission and every later change go back to
   the portal through the outbound sync (app.sync). Everything happens in a savepoint: a document
   that fails to download leaves no dossier, no account and no stored object, and the filing is
   tried again with backoff. A procedure that cannot be mapped holds the filing (no workflow, so no
   dossier); a unit that cannot be mapped sends the dossier to the provincial centre's dispatch queue.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.citizen_id import citizen_id_problem
from app.auth.models import User
from app.core import uow
from app.core.db import utcnow
from app.core.errors import AppError, ConflictError, ServiceUnavailableError, ValidationError
from app.core.time import to_local
from app.dossiers.models import Dossier
from app.extensions import db
from app.identity.claims import VerifiedIdentity
from app.identity.models import ORGANISATION, PERSON, Identity
from app.identity.oidc import SignInError
from app.identity.services import sign_in_verified
from app.inbound.permissions import require_can_resolve
from app.jobs import enqueue
from app.national import inbound
from app.national.catalogue import ProcedureMapping, get_map, resolve_procedure
from app.national.documents import RemoteDocument, check_url
from app.national.models import FAILED, HELD, PENDING, RECEIVED, REJECTED, InboundFiling
from app.org.models import Unit
from app.org.queries import find_unit_by_code, successors
from app.procedures import get_registry
from app.procedures.definitions import Procedure
from app.workflow.submission import PortalFiling, Submission, Upload, submit_dossier

log = logging.getLogger(__name__)
KEEP_NATIONAL_CODE = "national"
DEFAULT_ISSUER = "https://dichvucong.gov.vn"
EARLY = timedelta(seconds=5)  # a scheduled retry may start this much before its time


# --- recording -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    filing: InboundFiling
    is_duplicate: bool


def _fresh(document: dict[str, Any], parsed: inbound.InboundFiling, transport: str) -> InboundFiling:
    return InboundFiling(
        national_code=parsed.national_code,
        message_id=parsed.message_id,
        transport=transport,
        state=PENDING,
        envelope=document,
        localised_code=parsed.localised_code[:64],
        unit_code=parsed.unit_code[:40],
        applicant_name=parsed.applicant.name[:255],
        filed_at=parsed.filed_at,
        next_attempt_at=utcnow(),
    )


def _again(filing: InboundFiling, document: dict[str, Any], parsed: inbound.InboundFiling) -> bool:
    """The same national code once more: counted; a refused or given-up filing is tried again with
    what was sent now. True when nothing is to be done (a duplicate)."""
    filing.duplicates += 1
    filing.last_seen_at = utcnow()
    if filing.state not in (REJECTED, FAILED):
        return True
    filing.envelope, filing.message_id = document, parsed.message_id
    filing.localised_code, filing.unit_code = parsed.localised_code[:64], parsed.unit_code[:40]
    filing.applicant_name, filing.filed_at = parsed.applicant.name[:255], parsed.filed_at
    _requeue(filing)
    return False


def record_envelope(document: Any, transport: str) -> Recorded:
    """Record one envelope (flush only); inbound.InboundError if it breaks the contract."""
    parsed = inbound.parse_envelope(document)
    existing = db.session.scalar(
        select(InboundFiling).where(InboundFiling.national_code == parsed.national_code).with_for_update()
    )
    if existing is not None:
        return Recorded(existing, _again(existing, document, parsed))
    filing = _fresh(document, parsed, transport)
    nested = db.session.begin_nested()
    try:
        db.session.add(filing)
        db.session.flush()
    except IntegrityError:  # the same code recorded meanwhile by another request or poll
        nested.rollback()
        existing = db.session.scalar(
            select(InboundFiling).where(InboundFiling.national_code == parsed.national_code)
        )
        return Recorded(existing, _again(existing, document, parsed))
    nested.commit()
    _ask_import(filing)
    return Recorded(filing, False)


def _ask_import(filing: InboundFiling, delay: timedelta | None = None) -> None:
    from app.inbound.jobs import import_filing_job

    suffix = f"-{filing.attempts}" if delay else ""
    enqueue(
        import_filing_job, filing.id, job_id=f"inbound-{filing.id}{suffix}", delay=delay, skip_if_live=True
    )


def _requeue(filing: InboundFiling) -> None:
    filing.state, filing.reason = PENDING, None
    filing.attempts, filing.first_failed_at = 0, None
    filing.next_attempt_at = utcnow()
    _ask_import(filing)


# --- importing -------------------------------------------------------------------------------------


def import_filing(filing_id: int, now: datetime | None = None) -> str | None:
    """Make the pending filing a dossier (or hold, reject it, or schedule its retry); its state after,
    None when there is no such filing. Idempotent: any other state is left as it is."""
    now = now or utcnow()
    filing = db.session.get(InboundFiling, filing_id, with_for_update=True, populate_existing=True)
    if filing is None or filing.state != PENDING:
        return filing.state if filing is not None else None
    if filing.next_attempt_at > now + EARLY:  # its retry is not due yet (a sweep or a stray job)
        return PENDING
    try:
        parsed = inbound.parse_envelope(filing.envelope)
    except inbound.InboundError as exc:
        return _reject(filing, f"Hồ sơ không đúng khuôn dạng: {exc}")
    today = to_local(now).date()
    procedure, mapping, problem = _procedure(filing, parsed, today)
    if procedure is None:
        filing.state, filing.reason = HELD, problem
        log.info("national filing %s held: %s", filing.national_code, problem)
        return HELD
    try:
        with uow.savepoint():
            dossier = _submit(parsed, procedure, mapping, today)
    except ServiceUnavailableError as exc:  # a document URL, the store: may work later
        return _failed(filing, _reason(exc), now)
    except AppError as exc:
        return _reject(filing, _reason(exc))
    filing.state, filing.dossier_id, filing.imported_at, filing.reason = RECEIVED, dossier.id, now, None
    log.info("national filing %s received as dossier %s", filing.national_code, dossier.code)
    return RECEIVED


def _procedure(
    filing: InboundFiling, parsed: inbound.InboundFiling, today: date
) -> tuple[Procedure | None, ProcedureMapping, str | None]:
    """The procedure an officer named for a held filing, else the mapping of its localised code."""
    if filing.procedure_code is None:
        return resolve_procedure(parsed.localised_code, today)
    listed = get_map().procedure(parsed.localised_code)
    mapping = (
        listed
        if listed.code == filing.procedure_code
        else ProcedureMapping(parsed.localised_code, filing.procedure_code)
    )
    procedure = get_registry().find_current(filing.procedure_code, today)
    return procedure, mapping, None if procedure else f"Thủ tục {filing.procedure_code} không còn hiệu lực"


def _submit(
    parsed: inbound.InboundFiling, procedure: Procedure, mapping: ProcedureMapping, today: date
) -> Dossier:
    code = parsed.national_code if current_app.config["INBOUND_DOSSIER_CODE"] == KEEP_NATIONAL_CODE else None
    if code and db.session.scalar(select(Dossier.id).where(Dossier.code == code)) is not None:
        raise ConflictError("Mã hồ sơ đã được dùng cho một hồ sơ khác", {"MaHoSo": code})
    unit_code, unit_problem = receiving_unit_for(parsed.unit_code, procedure, today)
    applicant = applicant_account(parsed.applicant)
    submission = Submission(
        procedure.code,
        inbound.form_data(parsed, mapping.fields),
        uploads=_uploads(parsed, mapping),
        unit_code=unit_code,
        portal=PortalFiling(code=code, unit_problem=unit_problem, summary=parsed.summary),
    )
    return submit_dossier(applicant, submission)


def _uploads(parsed: inbound.InboundFiling, mapping: ProcedureMapping) -> list[Upload]:
    timeout = float(current_app.config["INBOUND_FILE_TIMEOUT_SECONDS"])
    uploads = []
    for file in parsed.files:
        key = mapping.documents.get(file.code, file.code)
        check_url(file, key)
        uploads.append(Upload(key, file.name, RemoteDocument(file, timeout)))
    return uploads


def _reason(exc: AppError) -> str:
    details = exc.details if isinstance(exc.details, dict) else {}
    parts = [f"{key}: {value}" for key, value in details.items() if key not in ("message_en", "url")]
    return (exc.message + (" (" + "; ".join(map(str, parts)) + ")" if parts else ""))[:2000]


def _reject(filing: InboundFiling, reason: str) -> str:
    filing.state, filing.reason = REJECTED, reason[:2000]
    log.info("national filing %s rejected: %s", filing.national_code, reason)
    return REJECTED


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter, as the outbound deliveries: half of min(max, base·2ⁿ⁻¹) plus
    up to the other half."""
    config = current_app.config
    ceiling = min(
        config["INBOUND_BACKOFF_MAX_SECONDS"], config["INBOUND_BACKOFF_BASE_SECONDS"] * 2 ** (attempt - 1)
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _failed(filing: InboundFiling, reason: str, now: datetime) -> str:
    """A failure that may pass: retried after the backoff, until the retry horizon; then failed."""
    filing.attempts += 1
    filing.reason = reason[:2000]
    filing.first_failed_at = filing.first_failed_at or now
    if now - filing.first_failed_at >= timedelta(hours=current_app.config["INBOUND_RETRY_HOURS"]):
        filing.state = FAILED
        log.warning("national filing %s given up: %s", filing.national_code, reason)
        return FAILED
    delay = timedelta(seconds=backoff_seconds(filing.attempts))
    filing.next_attempt_at = now + delay
    log.info(
        "national filing %s failed (%s), retry at %s", filing.national_code, reason, filing.next_attempt_at
    )
    _ask_import(filing, delay)
    return PENDING


def record_job_failure(filing_id: int, exc: BaseException) -> None:
    """An import job that raised (not a refusal, not a download): its retry waits like a failed one."""
    filing = db.session.get(InboundFiling, filing_id)
    if filing is not None and filing.state == PENDING:
        _failed(filing, f"{type(exc).__name__}: {exc}", utcnow())


# --- the receiving unit and the applicant -----------------------------------------------------------


def _receives(unit: Unit, procedure: Procedure, today: date) -> bool:
    return unit.is_active and unit.exists_on(today) and procedure.receives_at(unit.level, unit.kind)


def _children(unit: Unit) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code)))


def receiving_unit_for(code: str, procedure: Procedure, today: date) -> tuple[str | None, str | None]:
    """(the code of the unit that receives the dossier, None), or (None, why none can): the unit the
    portal named (through the map's `units`), or the receiving section under it, or under its
    successor when it has ended (a 2025 merger)."""
    mapped = get_map().units.get(code, code)
    unit = find_unit_by_code(mapped)
    if unit is None:
        return None, f"Cổng DVC quốc gia chuyển đến đơn vị '{code}' không có trong hệ thống"
    places = [unit, *_children(unit)]
    if not unit.exists_on(today):
        for successor in successors(unit):
            places += [successor, *_children(successor)]
    found = next((u for u in places if _receives(u, procedure, today)), None)
    if found is not None:
        return found.code, None
    return None, f"Đơn vị '{unit.name}' ({code}) không tiếp nhận thủ tục {procedure.code} tại thời điểm này"


def _verified(applicant: inbound.Applicant) -> VerifiedIdentity:
    config = current_app.config
    issuer = config.get("INBOUND_IDENTITY_ISSUER") or config.get("OIDC_ISSUER") or DEFAULT_ISSUER
    number = applicant.tax_code if applicant.is_organisation else applicant.personal_id
    return VerifiedIdentity(
        issuer=issuer,
        subject=applicant.subject or f"{'mst' if applicant.is_organisation else 'cccd'}:{number}",
        kind=ORGANISATION if applicant.is_organisation else PERSON,
        full_name=applicant.name,
        assurance_level=applicant.assurance_level,
        phone=applicant.phone,
        email=applicant.email,
        personal_id=applicant.personal_id,
        birth_date=applicant.birth_date,
        tax_code=applicant.tax_code,
        representative_name=applicant.representative_name,
        representative_personal_id=applicant.representative_personal_id,
    )


def _check_applicant(applicant: inbound.Applicant) -> None:
    minimum = int(current_app.config.get("OIDC_MIN_ASSURANCE", 2))
    if applicant.assurance_level < minimum:
        raise ValidationError(
            "Chủ hồ sơ chưa được định danh điện tử ở mức độ pháp luật yêu cầu",
            {"ChuHoSo.MucDoDinhDanh": f"Cần mức {minimum}, hồ sơ ghi mức {applicant.assurance_level}"},
        )
    if applicant.personal_id and citizen_id_problem(applicant.personal_id):
        raise ValidationError(
            "Số định danh cá nhân của chủ hồ sơ không hợp lệ",
            {"ChuHoSo.SoDinhDanh": citizen_id_problem(applicant.personal_id)},
        )


def applicant_account(applicant: inbound.Applicant) -> User:
    """The applicant's account here, from the identity the portal verified: the account of that
    verified identity when there is one; else created (or a password account with the same ID number
    taken over by its verified owner) exactly as a first VNeID sign-in would. Flush only."""
    _check_applicant(applicant)
    if applicant.is_organisation:
        found = db.session.scalar(select(Identity).where(Identity.tax_code == applicant.tax_code))
    else:
        found = db.session.scalar(select(Identity).where(Identity.personal_id == applicant.personal_id))
    if found is not None:
        return found.user
    if applicant.personal_id:
        holder = db.session.scalar(select(User).where(User.citizen_id == applicant.personal_id))
        if holder is not None and holder.is_staff:
            raise ValidationError(
                "Số định danh của chủ hồ sơ đang gắn với một tài khoản cán bộ",
                {"ChuHoSo.SoDinhDanh": "Liên hệ quản trị hệ thống"},
            )
    try:
        user = sign_in_verified(_verified(applicant))
    except SignInError as exc:
        raise ValidationError("Không dùng được tài khoản của chủ hồ sơ", {"ChuHoSo": exc.reason}) from exc
    if applicant.address and not user.address:
        user.address = applicant.address[:255]
    return user


# --- officers and administrators -------------------------------------------------------------------


def name_procedure(filing: InboundFiling, officer: User, code: str) -> InboundFiling:
    """An officer of the provincial centre names the procedure of a held filing; it is imported
    with that procedure (and the map's names for it, if it has some) once the unit commits."""
    require_can_resolve(officer)
    if filing.state != HELD:
        raise ConflictError("Hồ sơ này không còn chờ xác định thủ tục", {"state": filing.state})
    procedure = get_registry().find_current(code, to_local(utcnow()).date())
    if procedure is None or "online" not in procedure.channels:
        raise ValidationError(
            "Thủ tục không hợp lệ", {"procedure": "Chọn một thủ tục đang hiệu lực, nhận hồ sơ trực tuyến"}
        )
    filing.procedure_code, filing.resolved_by_id = procedure.code, officer.id
    _requeue(filing)
    return filing


def retry_filing(filing: InboundFiling) -> InboundFiling:
    """Try a held, rejected or given-up filing again (after the map or the portal was fixed)."""
    if filing.state not in (HELD, REJECTED, FAILED):
        raise ConflictError("Hồ sơ này không cần thử lại", {"state": filing.state})
    _requeue(filing)
    return filing
