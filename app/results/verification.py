"""Checking the signatures of a PDF (pyHanko, pyhanko-certvalidator), offline.

Every signature must be intact (the signed bytes unchanged), cryptographically valid, made with a
certificate that chains to the trust list (app.results.keys), valid at the time of checking and not
revoked by a configured CRL; the last one must cover the whole file, and an earlier one may be
followed only by changes the PDF rules allow after signing (more signatures, form filling). The
answer is a `Verdict` whose `problem` says, in Vietnamese, the first thing that is wrong.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.results import keys

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureInfo:
    subject: str  # the signer certificate's subject (the agency)
    issuer: str
    serial: str
    signed_at: datetime | None  # the signing time the signature states
    has_timestamp: bool
    common_name: str


@dataclass(frozen=True)
class Verdict:
    readable: bool  # parsed as a PDF
    is_signed: bool = False  # it carries at least one signature
    signatures: list[SignatureInfo] = field(default_factory=list)  # those that could be read
    problem: str | None = None  # None: every signature is valid and trusted

    @property
    def is_valid(self) -> bool:
        return self.readable and self.is_signed and self.problem is None


def page_count(data: bytes) -> int | None:
    """Pages of the PDF, or None when it does not parse."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        return int(reader.root["/Pages"]["/Count"])
    except Exception:  # noqa: BLE001 (any parse failure of an untrusted file means "not a PDF")
        return None


def has_signatures(data: bytes) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return bool(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except Exception:  # noqa: BLE001 (an unreadable file has no signature we could use)
        return False


def _name(name: Any) -> str:
    return name.human_friendly if name is not None else ""


def _common_name(name: Any) -> str:
    try:
        return name.native.get("common_name") or _name(name)
    except AttributeError:
        return _name(name)


def _info(status: Any) -> SignatureInfo:
    cert = status.signing_cert
    return SignatureInfo(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        serial=format(cert.serial_number, "x"),
        signed_at=status.signer_reported_dt,
        has_timestamp=status.timestamp_validity is not None,
        common_name=_common_name(cert.subject),
    )


_TRUST_PROBLEMS = {
    "EXPIRED": "chứng thư số của người ký đã hết hạn",
    "OUT_OF_BOUNDS_NO_POE": "chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực",
    "OUT_OF_BOUNDS_NOT_REVOKED": "chứng thư số của người ký đã hết hạn hoặc chưa có hiệu lực",
    "NOT_YET_VALID": "chứng thư số của người ký chưa có hiệu lực",
    "REVOKED": "chứng thư số của người ký đã bị thu hồi",
    "REVOKED_NO_POE": "chứng thư số của người ký đã bị thu hồi",
    "REVOKED_CA_NO_POE": "chứng thư số của tổ chức cấp đã bị thu hồi",
    "NO_CERTIFICATE_CHAIN_FOUND": "chứng thư số không do tổ chức nào trong danh sách tin cậy cấp",
    "CHAIN_CONSTRAINTS_FAILURE": "chuỗi chứng thư số tới tổ chức tin cậy không hợp lệ",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "chuỗi chứng thư số tới tổ chức tin cậy không hợp lệ",
}


def _problem(status: Any, *, is_last: bool) -> str | None:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    who = _common_name(status.signing_cert.subject)
    if not status.intact:
        return f"Chữ ký của '{who}' không còn khớp: nội dung tệp đã bị thay đổi sau khi ký"
    if not status.valid:
        return f"Chữ ký của '{who}' không hợp lệ về mặt mật mã"
    if status.revocation_details is not None:
        return f"Chữ ký của '{who}' không được chấp nhận: chứng thư số đã bị thu hồi"
    if not status.trusted:
        indication = getattr(status.trust_problem_indic, "name", "")
        reason = _TRUST_PROBLEMS.get(indication, "chứng thư số không chứng minh được là tin cậy")
        return f"Chữ ký của '{who}' không được tin cậy: {reason}"
    if is_last and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return f"Tệp có phần được thêm sau chữ ký của '{who}' mà chữ ký không bao trùm"
    if not status.bottom_line:
        return f"Tệp đã bị sửa đổi sau chữ ký của '{who}' theo cách không được phép"
    return None


def _context() -> Any:
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=keys.trust_roots(),
        crls=keys.crls(),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def verify_pdf(data: bytes) -> Verdict:
    """Check every signature of `data` against the trust list (see the module docstring)."""
    from app.results.signing import outside_event_loop

    return outside_event_loop(lambda: _verify_pdf(data))


def _verify_pdf(data: bytes) -> Verdict:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 (an untrusted upload that does not parse is simply not a PDF)
        return Verdict(readable=False, problem="Tệp không đọc được như một tệp PDF")
    if not embedded:
        return Verdict(readable=True, problem="Tệp không có chữ ký số")
    if not keys.trust_roots():
        return Verdict(
            True, True, problem="Chưa cấu hình danh sách tổ chức cung cấp dịch vụ chứng thực tin cậy"
        )
    signatures, problem = [], None
    for index, signature in enumerate(embedded):
        try:
            status = validate_pdf_signature(signature, _context())
        except Exception as exc:  # noqa: BLE001 (pyHanko refuses malformed signatures in many ways)
            log.info("signature %s could not be validated: %s: %s", index, type(exc).__name__, exc)
            return Verdict(True, True, signatures, "Chữ ký số trong tệp bị hỏng, không kiểm tra được")
        signatures.append(_info(status))
        problem = problem or _problem(status, is_last=index == len(embedded) - 1)
    return Verdict(True, True, signatures, problem)


@dataclass(frozen=True)
class UploadCheck:
    """A PDF someone uploaded to a result's verification page, compared with that result."""

    sha256: str
    is_same: bool  # byte for byte the issued result
    verdict: Verdict
    problem: str | None = None  # the file could not be checked at all (too large, empty)


def check_upload(expected_sha256: str, stream: Any, max_mb: int) -> UploadCheck:
    import hashlib

    data = stream.read(max_mb * 1024 * 1024 + 1)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > max_mb * 1024 * 1024:
        return UploadCheck(digest, False, Verdict(False), f"Tệp lớn hơn {max_mb} MB")
    if not data:
        return UploadCheck(digest, False, Verdict(False), "Tệp rỗng")
    return UploadCheck(digest, digest == expected_sha256, verify_pdf(data))
