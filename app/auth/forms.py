from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from app.auth.citizen_id import citizen_id_problem

PHONE_PATTERN = r"^(\+84|0)\d{9,10}$"


class LoginForm(FlaskForm):
    login = StringField(
        _l("Số CCCD hoặc tên đăng nhập"), validators=[DataRequired(_l("Cần nhập số CCCD hoặc tên đăng nhập"))]
    )
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Cần nhập mật khẩu"))])


class RegisterForm(FlaskForm):
    citizen_id = StringField(
        _l("Số định danh cá nhân (CCCD, 12 số)"),
        validators=[DataRequired(_l("Cần nhập số CCCD"))],
        render_kw={"inputmode": "numeric", "autocomplete": "username", "maxlength": 12},
    )
    full_name = StringField(
        _l("Họ và tên"),
        validators=[DataRequired(_l("Cần nhập họ và tên")), Length(max=255)],
        render_kw={"autocomplete": "name"},
    )
    phone = TelField(
        _l("Số điện thoại"),
        validators=[
            DataRequired(_l("Cần nhập số điện thoại")),
            Regexp(PHONE_PATTERN, message=_l("Số điện thoại không hợp lệ (vd 0912345678)")),
        ],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    email = EmailField(
        _l("Thư điện tử (để nhận thông báo)"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Địa chỉ email không hợp lệ")),
        ],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Mật khẩu (ít nhất 8 ký tự)"),
        validators=[
            DataRequired(_l("Cần nhập mật khẩu")),
            Length(min=8, message=_l("Mật khẩu phải có ít nhất 8 ký tự")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[
            DataRequired(_l("Cần nhập lại mật khẩu")),
            EqualTo("password", message=_l("Hai mật khẩu không khớp")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_citizen_id(self, field: StringField) -> None:
        field.data = (field.data or "").strip()
        problem = citizen_id_problem(field.data)
        if problem:
            raise ValidationError(problem)
