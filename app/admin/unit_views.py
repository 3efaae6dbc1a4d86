"""Admin pages for the unit tree: indented list, create under a parent, edit, deactivate."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.admin import presenters
from app.admin.forms import SuccessionForm, UnitCreateForm, UnitEditForm
from app.admin.queries import known_kinds, unit_tree
from app.admin.web import bp, show_errors
from app.core import uow
from app.core.errors import ConflictError
from app.org.models import Unit
from app.org.queries import find_unit_by_code, get_unit, list_units, predecessors, successors
from app.org.services import add_succession, create_unit, levels, set_unit_active, update_unit


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
                valid_from=form.valid_from.data,
                valid_to=form.valid_to.data,
                area=form.area.data or None,
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
    form = UnitEditForm(obj=unit, area=unit.area or "")
    if form.validate_on_submit():
        with uow.attempt() as failed:
            update_unit(
                unit,
                name=form.name.data,
                kind=form.kind.data.strip(),
                address=(form.address.data or "").strip() or None,
                phone=(form.phone.data or "").strip() or None,
                valid_from=form.valid_from.data,
                valid_to=form.valid_to.data,
                area=form.area.data or None,
            )
        if failed:
            show_errors(form, failed.error)
        else:
            flash(_("Đã lưu thay đổi."), "success")
            return redirect(url_for(".units") + f"#unit-{unit.id}")
    return _render_form("admin/unit_edit.html", form, unit=unit, **_succession_context(unit))


def _succession_context(unit: Unit, form: SuccessionForm | None = None) -> dict[str, object]:
    form = form or SuccessionForm()
    form.successor.choices = [SelectChoice("", _("— Chọn —"))] + [
        SelectChoice(u.code, f"{u.code} · {u.name}")
        for u in list_units()
        if u.id != unit.id and u.level == unit.level and u.valid_from is not None
    ]
    return {
        "succession_form": form,
        "successors": successors(unit),
        "predecessors": predecessors(unit),
    }


@bp.post("/units/<int:unit_id>/successors")
def add_unit_successor(unit_id: int) -> str | Response:
    """Record a merger or split: this unit's area and work pass to another unit from a date (this
    unit then ends the day before)."""
    unit = get_unit(unit_id)
    form = SuccessionForm()
    context = _succession_context(unit, form)
    if form.validate_on_submit():
        successor = find_unit_by_code(form.successor.data or "")
        if successor is None:
            form.successor.errors = [*form.successor.errors, _("Cần chọn đơn vị kế thừa")]
        else:
            with uow.attempt() as failed:
                add_succession(unit, successor, form.effective_on.data)
            if not failed:
                flash(_("Đã ghi nhận đơn vị kế thừa %(code)s.", code=successor.code), "success")
                return redirect(url_for(".edit_unit", unit_id=unit.id))
            form.successor.errors = [*form.successor.errors, _(failed.error.message)]
    edit_form = UnitEditForm(obj=unit, area=unit.area or "")
    kinds = [(k, presenters.kind_label(k)) for k in known_kinds()]
    return render_template(
        "admin/unit_edit.html", form=edit_form, kinds=kinds, p=presenters, unit=unit, **context
    ), 400


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
