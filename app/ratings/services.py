"""Rating a dossier: one rating per dossier, created by its owner after the result is returned and
editable for EDIT_WINDOW after it was first given (later changes would distort the indicators)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ConflictError, ValidationError
from app.dossiers.models import Dossier
from app.extensions import db
from app.ratings.models import CONDUCT_CHOICES, CONTACT_CHOICES, OVERALL_RANGE, TIME_CHOICES, Rating
from app.ratings.permissions import require_can_rate
from app.ratings.queries import find_rating

EDIT_WINDOW = timedelta(days=7)
COMMENT_MAX = 1000
CHOICES = {"time_vs_statutory": TIME_CHOICES, "contacts": CONTACT_CHOICES, "conduct": CONDUCT_CHOICES}


def editable_until(rating: Rating) -> datetime:
    return rating.created_at + EDIT_WINDOW


def is_editable(rating: Rating | None, now: datetime | None = None) -> bool:
    """No rating yet, or the first one was given less than EDIT_WINDOW ago."""
    return rating is None or (now or utcnow()) <= editable_until(rating)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Every problem at once, keyed by field."""
    problems: dict[str, str] = {}
    overall = fields.get("overall")
    low, high = OVERALL_RANGE
    if isinstance(overall, bool) or not isinstance(overall, int) or not low <= overall <= high:
        problems["overall"] = f"Chọn mức hài lòng từ {low} đến {high}"
    for name, choices in CHOICES.items():
        if fields.get(name) not in choices:
            problems[name] = "Chọn một trong: " + ", ".join(choices)
    comment = (fields.get("comment") or "").strip()
    if len(comment) > COMMENT_MAX:
        problems["comment"] = f"Góp ý tối đa {COMMENT_MAX} ký tự"
    if problems:
        raise ValidationError("Phiếu đánh giá chưa hợp lệ", problems)
    return {"overall": overall, **{n: fields[n] for n in CHOICES}, "comment": comment or None}


def rate_dossier(dossier: Dossier, user: User, fields: dict[str, Any]) -> Rating:
    """Create or (within EDIT_WINDOW of the first rating) change the dossier's rating.

    403 for anyone but the owner; 409 before the result is returned or once the window has closed;
    422 naming each invalid field.
    """
    require_can_rate(user, dossier)
    values = _clean(fields)
    now = utcnow()
    rating = find_rating(dossier)
    if not is_editable(rating, now):
        raise ConflictError(
            "Đã quá 7 ngày kể từ lần đánh giá đầu tiên nên không thể sửa đánh giá nữa", code="rating_locked"
        )
    if rating is None:
        rating = Rating(dossier_id=dossier.id, user_id=user.id, created_at=now)
        db.session.add(rating)
    for name, value in values.items():
        setattr(rating, name, value)
    rating.updated_at = now
    try:
        db.session.flush()
    except IntegrityError:  # two first ratings of the same dossier at once: the other one won
        raise ConflictError("Hồ sơ này vừa được đánh giá; vui lòng tải lại trang") from None
    return rating
