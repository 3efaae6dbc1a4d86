"""Petitions of the demo history (phản ánh, kiến nghị): a demo citizen writes about their own
returned dossier of the new era (about one in 25, as the history's plan says); the unit that
finished it answers (in time, late, or not yet) and the citizen rates the answer. Through the
petition service's demo entry (`app.petitions.services.record_demo_petition`), one unit of work."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.auth.models import User
from app.core.errors import AppError
from app.core.uow import unit_of_work
from app.dossiers.models import Dossier
from app.extensions import db
from app.petitions.models import FEEDBACK, PETITION
from app.petitions.permissions import can_work_petitions
from app.petitions.services import DemoAnswer, PetitionInput, record_demo_petition, route_for

if TYPE_CHECKING:
    from app.demo.walk import MovableClock

TOPICS = [
    (
        FEEDBACK,
        "Thời gian chờ tại quầy tiếp nhận",
        "Tôi phải chờ hơn một giờ tại quầy để được tiếp nhận hồ sơ.",
    ),
    (
        FEEDBACK,
        "Hướng dẫn chưa rõ giấy tờ cần nộp",
        "Cán bộ chưa hướng dẫn đầy đủ nên tôi phải bổ sung hai lần.",
    ),
    (
        PETITION,
        "Đề nghị trả kết quả qua bưu chính",
        "Đề nghị cơ quan trả kết quả qua bưu chính cho người ở xa.",
    ),
    (
        PETITION,
        "Đề nghị thanh toán lệ phí trực tuyến",
        "Đề nghị cho phép nộp lệ phí trực tuyến khi nộp hồ sơ.",
    ),
    (FEEDBACK, "Kết quả được trả sớm hơn hẹn", "Xin cảm ơn cán bộ đã giải quyết hồ sơ nhanh hơn ngày hẹn."),
]
SEED = "an-giang-demo-2025:pakn"
ANSWER = (
    "Cơ quan đã tiếp thu ý kiến, chấn chỉnh việc hướng dẫn và tiếp nhận hồ sơ; "
    "cảm ơn ông/bà đã góp ý để việc giải quyết thủ tục hành chính ngày càng tốt hơn."
)


def _officer(unit_id: int, rng: random.Random) -> User | None:
    users = db.session.scalars(select(User).where(User.unit_id == unit_id).order_by(User.id))
    able = [u for u in users if can_work_petitions(u)]
    return rng.choice(able) if able else None


def petition_about(dossier: Dossier, clock: MovableClock, real_now: datetime, problems: list[str]) -> int:
    """A petition of the dossier's applicant about it, filed some days after its return (if that is
    before now), answered by the unit that finished it (if before now) and rated; 1 if filed."""
    rng = random.Random(f"{SEED}:{dossier.code}")
    filed_at = dossier.returned_at + timedelta(days=rng.uniform(0.5, 10))
    if filed_at >= real_now:
        return 0
    kind, title, content = rng.choice(TOPICS)
    data = PetitionInput(kind=kind, title=title, content=content, dossier_code=dossier.code)
    petitioner = db.session.get(User, dossier.applicant_id)
    clock.now = filed_at
    answer = None
    answered_at = filed_at + timedelta(days=rng.choice((2, 5, 9, 13, 20)))
    officer = _officer(route_for(petitioner, data).id, rng)
    if answered_at < real_now and officer is not None:
        public = rng.random() < 0.6
        answer = DemoAnswer(
            officer=officer,
            at=answered_at,
            text=ANSWER,
            is_public=public,
            public_summary=f"Phản ánh, kiến nghị về việc: {title.lower()}" if public else None,
            rating=rng.choices((5, 4, 3, 2, None), weights=(40, 25, 10, 5, 20))[0]
            if answered_at + timedelta(days=1) < real_now
            else None,
        )
    try:
        with unit_of_work():
            record_demo_petition(petitioner, data, filed_at, answer)
    except AppError as exc:
        problems.append(f"petition about {dossier.code}: {exc.message} {exc.details}")
        return 0
    return 1
