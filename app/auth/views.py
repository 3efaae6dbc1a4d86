"""Sign-in, sign-up and sign-out pages (sessions; CSRF on every form)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from app.auth.forms import LoginForm, RegisterForm
from app.auth.permissions import start_endpoint
from app.auth.roles import Role
from app.auth.services import authenticate, create_user
from app.core import uow
from app.core.web import local_url

bp = Blueprint("auth_pages", __name__)


def _safe_next(default: str) -> str:
    return local_url(request.args.get("next"), default)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        with uow.attempt() as failed:
            user = authenticate(form.login.data, form.password.data, request.remote_addr or "")
        if failed:
            form.password.errors = [_(failed.error.message)]
        else:
            login_user(user)
            return redirect(_safe_next(url_for(start_endpoint(user))))
    status = 429 if any("quá nhiều" in e for e in form.password.errors) else (400 if form.errors else 200)
    return render_template("auth/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
    form = RegisterForm()
    if form.validate_on_submit():
        with uow.attempt() as failed:
            user = create_user(
                username=form.citizen_id.data,
                password=form.password.data,
                role=Role.CITIZEN,
                full_name=form.full_name.data.strip(),
                citizen_id=form.citizen_id.data,
                phone=form.phone.data,
                email=form.email.data or None,
            )
        if failed:
            for field, message in (failed.error.details or {}).items():
                getattr(form, "citizen_id" if field == "username" else field, form.citizen_id).errors.append(
                    _("Số CCCD này đã có tài khoản") if failed.error.status == 409 else message
                )
        else:
            login_user(user)
            flash(_("Đăng ký thành công. Chào mừng %(name)s!", name=user.full_name), "success")
            return redirect(_safe_next(url_for("portal.index")))
    return render_template("auth/register.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash(_("Bạn đã đăng xuất."), "success")
    return redirect(url_for("portal.index"))
