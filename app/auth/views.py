"""Sign-in (password, then the staff second factor), sign-up, sign-out, password change and reset
pages (sessions; CSRF on every form; every form post is rate limited per client address).

A staff sign-in is two steps: a right password puts a pending sign-in in the session (PENDING, for
PENDING_SECONDS), and a right TOTP or recovery code completes it. A staff account without a second
factor is signed in but can open nothing but the enrolment page until it is enrolled
(`second_factor_gate`). SECOND_FACTOR in the session names the session (user id and session version)
whose second factor was checked.
"""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from app.auth import devices, passwords, signup, throttle
from app.auth import second_factor as mfa
from app.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    SecondFactorForm,
)
from app.auth.models import User
from app.auth.permissions import start_endpoint
from app.auth.services import authenticate, check_second_factor
from app.core import uow
from app.core.errors import AppError, NotFoundError
from app.core.web import local_url
from app.extensions import db

bp = Blueprint("auth_pages", __name__)

PENDING = "auth_pending"  # {"uid", "v", "at", "next"}: a password was right, the code is still due
PENDING_SECONDS = 300
SECOND_FACTOR = "auth_second_factor"  # the get_id() of the session whose second factor was checked
ENROLMENT = "auth_totp_setup"  # the secret being enrolled (shown to this user as a QR code anyway)

# What a signed-in staff member without a checked second factor may still open.
GATE_OPEN = frozenset(
    {
        "static",
        "core.healthz",
        "auth_pages.login",
        "auth_pages.second_factor",
        "auth_pages.second_factor_setup",
        "auth_pages.logout",
    }
)


def _safe_next(default: str) -> str:
    return local_url(request.args.get("next"), default)


def _address() -> str:
    return request.remote_addr or ""


def _show(form, error: AppError, field: str) -> None:  # noqa: ANN001
    """A service's error on the page: its message on `field`, and what it says of other fields next
    to them."""
    messages = [_(error.message)]
    for name, message in (error.details or {}).items():
        target = getattr(form, name, None)
        if not isinstance(message, str) or target is None or not hasattr(target, "errors"):
            continue
        if name == field:
            messages.append(_(message))
        else:
            target.errors = [*target.errors, _(message)]
    getattr(form, field).errors = [*getattr(form, field).errors, *messages]


def _status(form, error: AppError | None = None) -> int:  # noqa: ANN001
    """A page's status: 400 for what was typed wrong (a wrong password or code too), but 403 for a
    deactivated account and 429 while the attempt must wait."""
    if error is not None:
        return error.status if error.status in (403, 429) else 400
    return 400 if form.errors else 200


def _page(template: str, status: int, error: AppError | None = None, **context: object):  # noqa: ANN202
    response = current_app.make_response((render_template(template, **context), status))
    if isinstance(error, throttle.SlowDown):
        response.headers["Retry-After"] = str(error.seconds)
    return response


def _complete_sign_in(user: User, target: str, *, checked: bool) -> Response:
    """Sign `user` in on this browser; `checked`: its second factor was checked (or it needs none)."""
    session.pop(PENDING, None)
    login_user(user)
    if checked:
        session[SECOND_FACTOR] = user.get_id()
    response = redirect(target)
    devices.remember(request, response, user.id)
    return response


@bp.route("/login", methods=["GET", "POST"])
@throttle.ADDRESS_LIMIT
def login() -> Response:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        with uow.attempt() as failed:
            user = authenticate(
                form.login.data, form.password.data, _address(), lambda uid: devices.device_of(request, uid)
            )
        if failed:
            error = failed.error
            form.password.errors = [_(error.message)]
        else:
            target = _safe_next(url_for(start_endpoint(user)))
            if user.needs_second_factor and user.has_second_factor:
                session[PENDING] = {
                    "uid": user.id,
                    "v": user.session_version,
                    "at": time.time(),
                    "next": target,
                }
                return redirect(url_for(".second_factor"))
            if user.needs_second_factor:  # staff not enrolled yet: enrolment comes first
                response = _complete_sign_in(user, target, checked=False)
                response.headers["Location"] = url_for(".second_factor_setup", next=target)
                return response
            return _complete_sign_in(user, target, checked=True)
    return _page("auth/login.html", _status(form, error), error, form=form)


def _pending_user() -> tuple[User | None, str]:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None, ""
    user = db.session.get(User, int(pending.get("uid", 0)))
    if user is None or user.session_version != pending.get("v") or not user.is_active_account:
        return None, ""
    return user, local_url(pending.get("next"), url_for(start_endpoint(user)))


@bp.route("/login/second-factor", methods=["GET", "POST"], endpoint="second_factor")
@throttle.ADDRESS_LIMIT
def second_step() -> Response:
    user, target = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Phiên đăng nhập đã hết hạn. Vui lòng nhập lại mật khẩu."), "error")
        return redirect(url_for(".login"))
    form = SecondFactorForm()
    error = None
    if form.validate_on_submit():
        device = devices.device_of(request, user.id)
        with uow.attempt() as failed:
            check_second_factor(user, form.code.data, _address(), device)
        if failed:
            error = failed.error
            _show(form, error, "code")
        else:
            return _complete_sign_in(user, target, checked=True)
    return _page("auth/second_factor.html", _status(form, error), error, form=form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def second_factor_setup() -> Response:
    """Enrol an authenticator app (staff), or see how many recovery codes are left and make new ones."""
    if not current_user.needs_second_factor:
        abort(404)
    user: User = current_user._get_current_object()
    form = SecondFactorForm()
    target = _safe_next(url_for(start_endpoint(user)))
    if user.has_second_factor:
        return _second_factor_status(user, form, target)
    secret = session.get(ENROLMENT)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[ENROLMENT] = mfa.new_secret()
    error = None
    if form.validate_on_submit():
        with uow.attempt() as failed:
            codes = mfa.enrol(user, secret, form.code.data)
        if failed:
            error = failed.error
            _show(form, error, "code")
        else:
            session.pop(ENROLMENT, None)
            session[SECOND_FACTOR] = user.get_id()
            return _page("auth/recovery_codes.html", 200, codes=codes, target=target)
    uri = mfa.provisioning_uri(user, secret)
    return _page(
        "auth/second_factor_setup.html",
        _status(form, error),
        error,
        form=form,
        qr=mfa.qr_data_uri(uri),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )


def _second_factor_status(user: User, form: SecondFactorForm, target: str) -> Response:
    """An enrolled account: new recovery codes, against a current code."""
    error = None
    if form.validate_on_submit():
        with uow.attempt() as failed:
            check_second_factor(user, form.code.data, _address())
            codes = mfa.new_recovery_codes(user)
        if failed:
            error = failed.error
            _show(form, error, "code")
        else:
            return _page("auth/recovery_codes.html", 200, codes=codes, target=target)
    left = mfa.recovery_codes_left(user)
    return _page(
        "auth/second_factor_status.html", _status(form, error), error, form=form, left=left, user=user
    )


@bp.route("/register", methods=["GET", "POST"])
@throttle.ACCOUNT_REQUEST_LIMIT
def register() -> Response:
    if not current_app.config.get("CITIZEN_PASSWORD_ACCOUNTS", True):  # VNeID sign-in only
        raise NotFoundError(_("Không mở đăng ký tài khoản bằng mật khẩu: hãy đăng nhập bằng VNeID."))
    form = RegisterForm()
    if form.validate_on_submit():
        signup.start_signup(
            citizen_id=form.citizen_id.data,
            full_name=form.full_name.data.strip(),
            phone=form.phone.data,
            email=form.email.data.strip(),
            password=form.password.data,
        )
        return _page("auth/check_email.html", 200, email=form.email.data.strip(), kind="signup")
    return _page("auth/register.html", _status(form), form=form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@throttle.ADDRESS_LIMIT
def confirm_signup(token: str) -> Response:
    """The link of the sign-up e-mail: a button (a mail scanner's GET changes nothing), then the
    account is created and signed in."""
    if not current_app.config.get("CITIZEN_PASSWORD_ACCOUNTS", True):  # VNeID sign-in only
        raise NotFoundError(_("Không mở đăng ký tài khoản bằng mật khẩu: hãy đăng nhập bằng VNeID."))
    if request.method == "GET":
        pending = signup.find_pending(token)
        status = 200 if pending is not None else 400
        return _page("auth/confirm_signup.html", status, pending=pending)
    with uow.attempt() as failed:
        user = signup.confirm_signup(token)
    if failed:
        return _page("auth/confirm_signup.html", 400, pending=None, error=_(failed.error.message))
    flash(_("Đăng ký thành công. Chào mừng %(name)s!", name=user.full_name), "success")
    return _complete_sign_in(user, url_for("portal.index"), checked=True)


@bp.route("/password/forgot", methods=["GET", "POST"])
@throttle.ACCOUNT_REQUEST_LIMIT
def forgot_password() -> Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        passwords.request_reset(form.login.data)
        return _page("auth/check_email.html", 200, kind="reset")
    return _page("auth/forgot_password.html", _status(form), form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@throttle.ADDRESS_LIMIT
def reset_password(token: str) -> Response:
    form = ResetPasswordForm()
    if passwords.find_reset(token) is None:
        return _page("auth/reset_password.html", 400, form=None)
    error = None
    if form.validate_on_submit():
        with uow.attempt() as failed:
            user = passwords.complete_reset(token, form.password.data)
        if failed:
            error = failed.error
            _show(form, error, "password")
        else:
            session.clear()  # whoever was signed in on this browser
            flash(_("Đã đặt mật khẩu mới. Vui lòng đăng nhập."), "success")
            response = redirect(url_for(".login"))
            devices.remember(request, response, user.id)  # the owner of the mailbox: not slowed down
            return response
    return _page("auth/reset_password.html", _status(form, error), error, form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@throttle.ADDRESS_LIMIT
def change_password() -> Response:
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        checked = session.get(SECOND_FACTOR) == user.get_id()
        with uow.attempt() as failed:
            passwords.change_password(user, form.current.data, form.password.data)
        if failed:
            error = failed.error
            _show(form, error, "current")
        else:
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc."), "success")
            return _complete_sign_in(user, url_for(start_endpoint(user)), checked=checked)
    return _page("auth/change_password.html", _status(form, error), error, form=form)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        current_user.end_sessions()  # a copy of this session's cookie stops working too
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "success")
    return redirect(url_for("portal.index"))


def second_factor_gate() -> Response | None:
    """before_request: a staff session whose second factor was not checked opens nothing but the
    enrolment page (an account without one) or goes back to sign-in."""
    if request.endpoint in GATE_OPEN or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated or not current_user.needs_second_factor:
        return None
    if session.get(SECOND_FACTOR) == current_user.get_id():
        return None
    if current_user.has_second_factor:
        logout_user()
        session.clear()
        return redirect(url_for("auth_pages.login"))
    wanted = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth_pages.second_factor_setup", next=local_url(wanted, "") or None))
