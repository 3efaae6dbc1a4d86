"""The rating form of the dossier page: radio groups rendered as fieldsets with legends."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.ratings.services import COMMENT_MAX

_PICK = _l("Vui lòng chọn một mức")


class RatingForm(FlaskForm):
    overall = RadioField(
        _l("Nhìn chung, bạn hài lòng thế nào với việc giải quyết hồ sơ này?"),
        choices=[
            SelectChoice(5, _l("Rất hài lòng")),
            SelectChoice(4, _l("Hài lòng")),
            SelectChoice(3, _l("Bình thường")),
            SelectChoice(2, _l("Không hài lòng")),
            SelectChoice(1, _l("Rất không hài lòng")),
        ],
        coerce=int,
        validators=[InputRequired(_PICK)],
    )
    time_vs_statutory = RadioField(
        _l("Thời gian giải quyết so với thời hạn quy định"),
        choices=[
            SelectChoice("faster", _l("Sớm hơn thời hạn")),
            SelectChoice("on_time", _l("Đúng thời hạn")),
            SelectChoice("late", _l("Chậm hơn thời hạn")),
        ],
        validators=[InputRequired(_PICK)],
    )
    contacts = RadioField(
        _l("Số lần bạn phải đến cơ quan hoặc liên hệ để hoàn thành hồ sơ"),
        choices=[
            SelectChoice("once", _l("1 lần")),
            SelectChoice("twice", _l("2 lần")),
            SelectChoice("three_or_more", _l("Từ 3 lần trở lên")),
        ],
        validators=[InputRequired(_PICK)],
    )
    conduct = RadioField(
        _l("Thái độ, cách ứng xử của cán bộ"),
        choices=[
            SelectChoice("good", _l("Lịch sự, tận tình")),
            SelectChoice("acceptable", _l("Bình thường")),
            SelectChoice("poor", _l("Chưa tốt, gây khó khăn")),
        ],
        validators=[InputRequired(_PICK)],
    )
    comment = TextAreaField(
        _l("Góp ý thêm (không bắt buộc)"), validators=[Optional(), Length(max=COMMENT_MAX)]
    )

    def values(self) -> dict[str, Any]:
        return {
            name: getattr(self, name).data
            for name in ("overall", "time_vs_statutory", "contacts", "conduct", "comment")
        }
