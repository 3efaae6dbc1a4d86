"""Admin pages for the unit tree: indented list, create under a parent, edit, deactivate."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.admin import presenters
from app.admin.forms import UnitCreateForm, UnitEditForm
from app.admin.queries import known_kinds, unit_tree
from app.admin.web import bp, show_errors
from app.core import uow
from app.core.errors import ConflictError
from app.org.queries import get_unit
from app.org.services import create_unit, levels, set_unit_active, update_unit


@bp.get("/units")
def units() -> str:
    return render_template("admin/units.html", rows=unit_tree(), p=presenters)


def _render_form(template: str, form: UnitEditForm, **context: object) -> tuple[str, int]:
    kinds = [(k, presenters.kind_label(k)) for k in known_kinds()]
    return render_template(template, form=form, kinds=kinds, p=presenters, **context), (
        400 if form.errors else 200
    )


@bp.route("/units/new", methods=["GET", "POST"])
def new_unit() -> str | Response:
    form = UnitCreateForm(parent=request.args.get("parent", ""))
    rows = unit_tree(active_only=True)
    form.parent.choices = [SelectChoice("", _("— Không có (đơn vị gốc) —"))] + [
        SelectChoice(r.unit.code, "\u2003" * r.depth + f"{r.unit.code} · {r.unit.name}") for r in rows
    ]
    form.level.choices = [SelectChoice(lv, presenters.level_label(lv)) for lv in levels()]
    if form.validate_on_submit():
        fields = {name: (getattr(form, name).data or "").strip() or None for name in ("address", "phone")}
        with uow.attempt() as failed:
            unit = create_unit(
                parent_code=form.parent.data or None,
                code=form.code.data.strip(),
                name=form.name.data.strip(),
                level=form.level.data,
                kind=form.kind.data.strip(),
                **fields,
            )
        if isinstance(failed.error, ConflictError):
            form.code.errors = [*form.code.errors, _(failed.error.message)]
        elif failed:
            show_errors(form, failed.error)
        else:
            flash(_("Đã tạo đơn vị %(code)s.", code=unit.code), "success")
            return redirect(url_for(".units") + f"#unit-{unit.id}")
    return _render_form("admin/unit_new.html", form)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def edit_unit(unit_id: int) -> str | Response:
    unit = get_unit(unit_id)
    form = UnitEditForm(obj=unit)
    if form.validate_on_submit():
        with uow.attempt() as failed:
            update_unit(
                unit,
                name=form.name.data,
                kind=form.kind.data.strip(),
                address=(form.address.data or "").strip() or None,
                phone=(form.phone.data or "").strip() or None,
            )
        if failed:
            show_errors(form, failed.error)
        else:
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for(".units") + f"#unit-{unit.id}")
    return _render_form("admin/unit_edit.html", form, unit=unit)


@bp.post("/units/<int:unit_id>/active")
def toggle_unit(unit_id: int) -> Response:
    unit = get_unit(unit_id)
    active = request.form.get("active") == "1"
    with uow.attempt() as failed:
        set_unit_active(unit, active)
    if failed:
        flash(_(failed.error.message), "error")
    else:
        flash(_("Đã kích hoạt lại đơn vị.") if active else _("Đã ngừng hoạt động đơn vị."), "success")
    return redirect(url_for(".edit_unit", unit_id=unit.id))
