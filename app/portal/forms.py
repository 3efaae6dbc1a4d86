"""Page forms of the citizen's dossier pages: withdrawal and public tracking."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do rút hồ sơ"), validators=[DataRequired(_l("Vui lòng ghi lý do")), Length(max=1000)]
    )


class TrackForm(FlaskForm):
    code = StringField(
        _l("Mã hồ sơ"), validators=[DataRequired(_l("Vui lòng nhập mã hồ sơ")), Length(max=40)]
    )
    identifier = StringField(
        _l("Số CCCD hoặc số điện thoại của người nộp"),
        validators=[DataRequired(_l("Vui lòng nhập số CCCD hoặc số điện thoại")), Length(max=20)],
    )
