"""The principal's form to authorise a representative."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget


class GrantForm(FlaskForm):
    representative_personal_id = StringField(
        _l("Số định danh cá nhân của người được ủy quyền"),
        validators=[
            DataRequired(_l("Cần số định danh cá nhân (12 chữ số)")),
            Regexp(r"^\d{12}$", message=_l("Số định danh cá nhân gồm đúng 12 chữ số")),
        ],
        render_kw={"inputmode": "numeric", "maxlength": 12, "autocomplete": "off"},
    )
    representative_name = StringField(
        _l("Họ và tên người được ủy quyền"),
        validators=[DataRequired(_l("Cần họ và tên người được ủy quyền")), Length(max=255)],
        render_kw={"autocomplete": "off"},
    )
    scope = RadioField(
        _l("Phạm vi ủy quyền"),
        choices=[("all", _l("Mọi thủ tục")), ("procedures", _l("Chỉ các thủ tục chọn dưới đây"))],
        default="all",
        validators=[DataRequired(_l("Chọn phạm vi ủy quyền"))],
    )
    procedures = SelectMultipleField(
        _l("Thủ tục được ủy quyền"),
        choices=[],
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    expires_on = DateField(
        _l("Ủy quyền đến hết ngày"), validators=[DataRequired(_l("Cần ngày hết hạn (ngày/tháng/năm)"))]
    )
    document = FileField(_l("Giấy ủy quyền (PDF hoặc ảnh chụp)"))
