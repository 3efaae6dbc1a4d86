"""Forms of the admin pages. Field names match the services' error keys so their messages land
next to the right field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.admin.presenters import ROLE_LABELS
from app.auth.models import STAFF_ROLES
from app.auth.roles import needs_unit

STAFF_ROLE_CHOICES = [SelectChoice(r, ROLE_LABELS[r]) for r in STAFF_ROLES]


class UserEditForm(FlaskForm):
    full_name = StringField(
        _l("Họ và tên"), validators=[DataRequired(_l("Cần nhập họ và tên")), Length(max=255)]
    )
    # validate_choice=False: the account services check role and unit and say what is wrong.
    role = SelectField(_l("Vai trò"), choices=STAFF_ROLE_CHOICES, validate_choice=False)
    unit = SelectField(_l("Đơn vị"), choices=[], validate_choice=False)
    phone = TelField(_l("Số điện thoại"), validators=[Optional()], render_kw={"inputmode": "tel"})
    email = EmailField(_l("Thư điện tử"), validators=[Optional()])

    def validate_unit(self, field: SelectField) -> None:
        if not field.data and needs_unit(self.role.data):
            raise ValidationError(_l("Cán bộ phải thuộc một đơn vị"))


class UserCreateForm(UserEditForm):
    username = StringField(
        _l("Tên đăng nhập"),
        validators=[DataRequired(_l("Cần nhập tên đăng nhập"))],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Mật khẩu ban đầu (ít nhất 8 ký tự)"),
        validators=[DataRequired(_l("Cần nhập mật khẩu"))],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("Mật khẩu mới (ít nhất 8 ký tự)"),
        validators=[DataRequired(_l("Cần nhập mật khẩu"))],
        render_kw={"autocomplete": "new-password"},
    )


class UnitEditForm(FlaskForm):
    name = StringField(
        _l("Tên đơn vị"), validators=[DataRequired(_l("Cần nhập tên đơn vị")), Length(max=255)]
    )
    kind = StringField(
        _l("Loại đơn vị"),
        validators=[DataRequired(_l("Cần chọn hoặc nhập loại đơn vị"))],
        render_kw={"list": "unit-kinds", "autocomplete": "off", "autocapitalize": "none"},
    )
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=255)])
    phone = TelField(_l("Số điện thoại"), validators=[Optional(), Length(max=32)])
    valid_from = DateField(_l("Hiệu lực từ ngày"), validators=[Optional()])
    valid_to = DateField(_l("Hết hiệu lực sau ngày"), validators=[Optional()])
    area = SelectField(
        _l("Địa bàn"),
        choices=[
            ("", _l("Thông thường")),
            ("island", _l("Xã đảo, đặc khu")),
            ("remote", _l("Vùng sâu, vùng xa")),
        ],
        validators=[Optional()],
    )


class SuccessionForm(FlaskForm):
    successor = SelectField(_l("Đơn vị kế thừa"), choices=[], validate_choice=False)
    effective_on = DateField(_l("Từ ngày"), validators=[DataRequired(_l("Cần chọn ngày hợp lệ"))])


class UnitCreateForm(UnitEditForm):
    parent = SelectField(_l("Đơn vị cha"), choices=[], validate_choice=False)
    code = StringField(
        _l("Mã định danh (QCVN 102:2016)"),
        validators=[DataRequired(_l("Cần nhập mã định danh"))],
        render_kw={"placeholder": "000.00.05.H01", "autocomplete": "off", "spellcheck": "false"},
    )
    level = SelectField(_l("Cấp"), choices=[], validate_choice=False)


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Ngày"), validators=[DataRequired(_l("Cần chọn ngày hợp lệ"))])
    kind = SelectField(
        _l("Loại"),
        choices=[
            SelectChoice("day_off", _l("Ngày nghỉ")),
            SelectChoice("working_day", _l("Ngày làm việc bù")),
        ],
    )
    note = StringField(_l("Ghi chú"), validators=[Optional(), Length(max=255)])
