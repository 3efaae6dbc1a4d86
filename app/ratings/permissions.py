"""Who may rate: the citizen who owns the dossier, once its result has been returned."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import ConflictError, PermissionDeniedError
from app.dossiers.models import Dossier

RETURNED_NATIONAL_STATUS = 10  # national status: result returned


def is_returned(dossier: Dossier) -> bool:
    return dossier.national_status == RETURNED_NATIONAL_STATUS or dossier.returned_at is not None


def can_rate(user: User, dossier: Dossier) -> bool:
    return user.is_citizen and dossier.applicant_id == user.id and is_returned(dossier)


def require_can_rate(user: User, dossier: Dossier) -> None:
    if not user.is_citizen or dossier.applicant_id != user.id:
        raise PermissionDeniedError("Chỉ người nộp hồ sơ mới được đánh giá hồ sơ này")
    if not is_returned(dossier):
        raise ConflictError(
            "Bạn chỉ có thể đánh giá sau khi đã nhận kết quả giải quyết hồ sơ", code="not_returned"
        )
