from __future__ import annotations

from sqlalchemy import select

from app.core.errors import NotFoundError
from app.dossiers.models import Dossier
from app.extensions import db
from app.ratings.models import Rating


def find_rating(dossier: Dossier) -> Rating | None:
    return db.session.scalar(select(Rating).where(Rating.dossier_id == dossier.id))


def get_rating(dossier: Dossier) -> Rating:
    rating = find_rating(dossier)
    if rating is None:
        raise NotFoundError(f"Hồ sơ {dossier.code} chưa được đánh giá")
    return rating
