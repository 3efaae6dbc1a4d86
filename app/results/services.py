"""Issuing electronic results: a result file is signed by the issuing unit (or, uploaded already
signed, verified) before it is stored, and recorded as a `SignedResult`.

Called by the workflow engine for every result file a transition brings (normally the leader's
approval), inside the transition's unit of work; nothing is stored when it refuses:

- a file that carries signatures must pass `verification.verify_pdf` (trust list, integrity, not
  revoked), else 422 naming the reason; it is then countersigned with the unit's key, so it carries
  the QR code of its verification page too (its own signatures stay valid);
- an unsigned PDF is signed with the key of the unit of the officer who brings it (app.results.keys);
- with no key configured, an unsigned file is stored as it is, not an original electronic result
  (and not counted as one), unless `RESULT_SIGNING_REQUIRED` (the default in production): then 503.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import PayloadTooLargeError, ValidationError
from app.dossiers.models import Dossier, DossierDocument
from app.extensions import db
from app.procedures.definitions import Procedure
from app.results import keys, signing, verification
from app.results.models import SIGNED_HERE, SIGNED_UPLOAD, SignedResult

VERIFY_PATH = "/ket-qua/<token>"  # the public verification page (app.results.views)
FIELD = "result_file"


def verify_url(token: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + VERIFY_PATH.replace("<token>", token)


@dataclass
class PreparedResult:
    """The bytes to store for one result file, and how to record its signature once stored."""

    stream: BinaryIO
    record: Callable[[DossierDocument], SignedResult] | None = None


def _read(stream: BinaryIO, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLargeError(
            f"Tệp kết quả vượt quá {max_bytes // (1024 * 1024)} MB", {FIELD: "Tệp quá lớn"}
        )
    return data


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, {FIELD: message})


def prepare_result(
    procedure: Procedure, dossier: Dossier, user: User, stream: BinaryIO, *, max_bytes: int
) -> PreparedResult:
    """What to store for a result file the officer `user` brings (see the module docstring)."""
    data = _read(stream, max_bytes)
    if not data.startswith(b"%PDF-"):
        if keys.is_configured() or _required():
            raise _refuse("Kết quả điện tử phải là tệp PDF để được ký số")
        return PreparedResult(io.BytesIO(data))
    upload_verdict = None
    if verification.has_signatures(data):
        upload_verdict = verification.verify_pdf(data)
        if not upload_verdict.is_valid:
            raise _refuse(f"Tệp kết quả đã ký số không được chấp nhận: {upload_verdict.problem}")
        if not keys.is_configured():  # verified, kept byte for byte
            return _prepared(data, procedure, dossier, user, upload_verdict, SIGNED_UPLOAD)
    elif not keys.is_configured():
        if _required():
            raise keys.SigningUnavailableError(
                "Chưa cấu hình khóa ký số của cơ quan: không thể phát hành kết quả điện tử",
                {FIELD: "RESULT_SIGNING_PKCS12"},
            )
        return PreparedResult(io.BytesIO(data))
    pages = verification.page_count(data)
    if pages is None:
        raise _refuse("Tệp kết quả không phải là tệp PDF đọc được")
    if pages == 0:
        raise _refuse("Tệp kết quả không có trang nào để ký")
    return _sign(data, procedure, dossier, user, SIGNED_UPLOAD if upload_verdict else SIGNED_HERE)


def _required() -> bool:
    return bool(current_app.config.get("RESULT_SIGNING_REQUIRED"))


def _sign(data: bytes, procedure: Procedure, dossier: Dossier, user: User, origin: str) -> PreparedResult:
    unit = user.unit
    if unit is None:
        raise _refuse("Chỉ cán bộ của cơ quan giải quyết mới phát hành được kết quả")
    signer = keys.signer_for(unit.code, unit.name)
    token, number, now = secrets.token_urlsafe(24), _next_number(dossier), utcnow()
    request = signing.SigningRequest(
        agency=unit.name,
        signer=user.full_name or user.username,
        number=number,
        url=verify_url(token),
        reason=f"Phát hành {(procedure.result_name or procedure.name).vi}",
        location=unit.name,
        signed_at=now,
    )
    try:
        signed = signing.sign_pdf(data, signer, request)
    except Exception as exc:  # noqa: BLE001 (pyHanko refuses a damaged or locked PDF in many ways)
        raise _refuse(
            f"Không ký số được tệp kết quả này ({type(exc).__name__}): hãy xuất lại tệp PDF"
        ) from exc
    verdict = verification.verify_pdf(signed)
    if not verdict.is_valid:  # the key itself is not trusted, expired or revoked: never issue that
        raise _refuse(f"Chữ ký số của cơ quan không kiểm tra được: {verdict.problem}")
    return _prepared(signed, procedure, dossier, user, verdict, origin, token=token, number=number)


def _prepared(
    data: bytes,
    procedure: Procedure,
    dossier: Dossier,
    user: User,
    verdict: verification.Verdict,
    origin: str,
    *,
    token: str | None = None,
    number: str | None = None,
) -> PreparedResult:
    """The file and the record of its signature: the issuer's (first) signature, and ours if any."""
    issuer, last = verdict.signatures[0], verdict.signatures[-1]
    token, number = token or secrets.token_urlsafe(24), number or _next_number(dossier)
    unit = user.unit

    def record(document: DossierDocument) -> SignedResult:
        row = SignedResult(
            document=document,
            dossier_id=dossier.id,
            number=number,
            token=token,
            sha256=document.sha256,
            origin=origin,
            issuer_unit_id=unit.id if unit else None,
            issuer_name=unit.name if unit else issuer.common_name,
            signer_name=(user.full_name or user.username) if origin == SIGNED_HERE else issuer.common_name,
            certificate_subject=issuer.subject[:500],
            certificate_issuer=issuer.issuer[:500],
            certificate_serial=issuer.serial[:80],
            signed_at=(last.signed_at or utcnow()),
            has_timestamp=any(s.has_timestamp for s in verdict.signatures),
            procedure_code=procedure.code,
            procedure_name=procedure.name.vi[:500],
            result_name=(procedure.result_name or procedure.name).vi[:500],
        )
        return row  # in the session with its document (SignedResult.document's backref)

    return PreparedResult(io.BytesIO(data), record)


def _next_number(dossier: Dossier) -> str:
    """The result number: the dossier code and the result's rank in it (one result: "…/KQ1")."""
    with db.session.no_autoflush:  # a result row of this transition may not have its dossier yet
        count = db.session.scalar(select(func.count()).where(SignedResult.dossier_id == dossier.id)) or 0
    pending = sum(
        1 for obj in db.session.new if isinstance(obj, SignedResult) and obj.dossier_id == dossier.id
    )
    return f"{dossier.code}/KQ{count + pending + 1}"
