"""Admin pages for accounts: list with filters, create staff, edit, deactivate/reactivate,
reset password, reset a staff member's second factor."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.admin import presenters
from app.admin.forms import PasswordResetForm, UserCreateForm, UserEditForm
from app.admin.queries import PAGE_SIZE, UserFilter, get_user, list_users, unit_tree
from app.admin.web import bp, show_errors
from app.auth.models import User
from app.auth.roles import Role
from app.auth.second_factor import reset as reset_second_factor
from app.auth.services import create_user, reset_password, set_user_active, update_user
from app.core import uow
from app.procedures.definitions import ROLES


def _unit_choices(blank: str, active_only: bool = True) -> list[SelectChoice]:
    """Units as an indented list; new accounts get active units only."""
    rows = unit_tree(active_only=active_only)
    return [SelectChoice("", blank)] + [
        SelectChoice(r.unit.code, "\u2003" * r.depth + f"{r.unit.code} · {r.unit.name}") for r in rows
    ]


def _filters() -> UserFilter:
    args = request.args
    return UserFilter(
        role=args.get("role") if args.get("role") in ROLES else None,
        unit_id=args.get("unit", type=int),
        search=(args.get("q") or "").strip() or None,
        page=max(args.get("page", 1, type=int), 1),
    )


@bp.get("/users")
def users() -> str:
    filters = _filters()
    rows, total = list_users(filters)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template(
        "admin/users.html",
        rows=rows,
        total=total,
        filters=filters,
        pages=pages,
        units=unit_tree(),
        roles=presenters.ROLE_LABELS,
        p=presenters,
    )


def _current(user: User) -> dict:
    unit = user.unit.code if user.unit else ""
    return dict(full_name=user.full_name, role=user.role, unit=unit, phone=user.phone, email=user.email)


def _fields(form: UserEditForm) -> dict:
    return dict(
        full_name=form.full_name.data.strip(),
        role=form.role.data,
        unit_code=form.unit.data or None,
        phone=(form.phone.data or "").strip() or None,
        email=(form.email.data or "").strip() or None,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> str | Response:
    form = UserCreateForm()
    form.unit.choices = _unit_choices(_("— Chọn đơn vị —"))
    if form.validate_on_submit():
        with uow.attempt() as failed:
            user = create_user(
                username=form.username.data.strip(), password=form.password.data, **_fields(form)
            )
        if failed:
            show_errors(form, failed.error)
        else:
            flash(_("Đã tạo tài khoản %(username)s.", username=user.username), "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template("admin/user_new.html", form=form), 400 if form.errors else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> str | Response:
    user = get_user(user_id)
    form = UserEditForm(data=_current(user))
    form.unit.choices = _unit_choices(_("— Không thuộc đơn vị —"), active_only=False)
    if user.is_citizen:
        form.role.choices = [SelectChoice(Role.CITIZEN, presenters.ROLE_LABELS[Role.CITIZEN])]
    if form.validate_on_submit():
        with uow.attempt() as failed:
            update_user(user, **_fields(form), acting_user=current_user)
        if failed:
            show_errors(form, failed.error)
        else:
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    return _edit_page(user, form, PasswordResetForm(formdata=None))


def _edit_page(user: User, form: UserEditForm, password_form: PasswordResetForm) -> tuple[str, int]:
    status = 400 if form.errors or password_form.errors else 200
    return render_template(
        "admin/user_edit.html", user=user, form=form, password_form=password_form, p=presenters
    ), status


@bp.post("/users/<int:user_id>/active")
def toggle_user(user_id: int) -> Response:
    user = get_user(user_id)
    active = request.form.get("active") == "1"
    with uow.attempt() as failed:
        set_user_active(user, active, acting_user=current_user)
    if failed:
        flash(_(failed.error.message), "error")
    else:
        flash(_("Đã kích hoạt lại tài khoản.") if active else _("Đã ngừng kích hoạt tài khoản."), "success")
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int) -> str | Response:
    user = get_user(user_id)
    password_form = PasswordResetForm()
    if password_form.validate_on_submit():
        with uow.attempt() as failed:
            reset_password(user, password_form.password.data)
        if failed:
            show_errors(password_form, failed.error)
        else:
            flash(_("Đã đặt lại mật khẩu. Hãy báo mật khẩu mới cho người dùng."), "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    form = UserEditForm(formdata=None, data=_current(user))
    form.unit.choices = _unit_choices(_("— Không thuộc đơn vị —"), active_only=False)
    return _edit_page(user, form, password_form)


@bp.post("/users/<int:user_id>/second-factor")
def user_second_factor(user_id: int) -> Response:
    """A lost phone: the account's second factor is removed and its sessions end; its next sign-in
    enrols a new authenticator app."""
    user = get_user(user_id)
    reset_second_factor(user)
    flash(_("Đã đặt lại xác thực hai lớp. Lần đăng nhập tới, người dùng sẽ thiết lập lại."), "success")
    return redirect(url_for(".edit_user", user_id=user.id))
