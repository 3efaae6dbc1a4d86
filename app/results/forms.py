"""The upload form of the public verification page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class VerifyForm(FlaskForm):
    file = FileField(
        _l("Tệp PDF cần kiểm tra"), validators=[FileRequired(_l("Chọn một tệp PDF để kiểm tra"))]
    )
