from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from app.auth.citizen_id import citizen_id_problem

PHONE_PATTERN = r"^(\+84|0)\d{9,10}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
TOTP_RENDER = {"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 19, "autofocus": True}


def _new_password(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Cần nhập mật khẩu")),
            Length(min=8, max=256, message=_l("Mật khẩu phải có ít nhất 8 ký tự")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm() -> PasswordField:
    return PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[
            DataRequired(_l("Cần nhập lại mật khẩu")),
            EqualTo("password", message=_l("Hai mật khẩu không khớp")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    login = StringField(
        _l("Số CCCD hoặc tên đăng nhập"), validators=[DataRequired(_l("Cần nhập số CCCD hoặc tên đăng nhập"))]
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[DataRequired(_l("Cần nhập mật khẩu")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Mã xác thực"),
        validators=[DataRequired(_l("Cần nhập mã xác thực")), Length(max=32)],
        render_kw=TOTP_RENDER,
    )


class ForgotPasswordForm(FlaskForm):
    login = StringField(
        _l("Số CCCD hoặc tên đăng nhập"),
        validators=[DataRequired(_l("Cần nhập số CCCD hoặc tên đăng nhập")), Length(max=64)],
        render_kw={"autocomplete": "username"},
    )


class ResetPasswordForm(FlaskForm):
    password = _new_password(_l("Mật khẩu mới (ít nhất 8 ký tự)"))
    confirm = _confirm()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[DataRequired(_l("Cần nhập mật khẩu hiện tại")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    password = _new_password(_l("Mật khẩu mới (ít nhất 8 ký tự)"))
    confirm = _confirm()


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
        _l("Thư điện tử (nhận liên kết hoàn tất đăng ký và thông báo)"),
        validators=[
            DataRequired(_l("Cần nhập thư điện tử để nhận liên kết hoàn tất đăng ký")),
            Length(max=255),
            Regexp(EMAIL_PATTERN, message=_l("Địa chỉ email không hợp lệ")),
        ],
        render_kw={"autocomplete": "email"},
    )
    password = _new_password(_l("Mật khẩu (ít nhất 8 ký tự)"))
    confirm = _confirm()

    def validate_citizen_id(self, field: StringField) -> None:
        field.data = (field.data or "").strip()
        problem = citizen_id_problem(field.data)
        if problem:
            raise ValidationError(problem)
