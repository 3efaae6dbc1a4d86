"""Counter intake form: who brought the dossier, the procedure's own form fields (rendered by the
portal's field macro, converted by `app.portal.fields`), and the scanned paper documents."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.auth.citizen_id import citizen_id_problem
from app.core.errors import AppError
from app.dossiers.fields import EMAIL_RE, PHONE_RE
from app.portal.fields import read_fields, typed_data, widgets
from app.portal.presenters import channel_name
from app.portal.web import posted_uploads
from app.procedures.definitions import Procedure
from app.workflow.submission import Submission
from app.workspace.queries import COUNTER_CHANNELS


def _valid_citizen_id(form: FlaskForm, field: StringField) -> None:
    problem = citizen_id_problem(field.data) if field.data else None
    if problem:
        raise ValidationError(_(problem))


class IntakeForm(FlaskForm):
    channel = RadioField(_l("Hình thức nộp"), validators=[DataRequired(_l("Chọn hình thức nộp"))])
    name = StringField(
        _l("Họ và tên người nộp"),
        validators=[DataRequired(_l("Cần họ tên người nộp")), Length(max=255)],
    )
    citizen_id = StringField(
        _l("Số CCCD / định danh cá nhân"),
        filters=[lambda v: (v or "").replace(" ", "") or None],
        validators=[Optional(), _valid_citizen_id],
    )
    phone = StringField(
        _l("Số điện thoại"),
        filters=[lambda v: (v or "").strip() or None],
        validators=[Optional(), Regexp(PHONE_RE, message=_l("Số điện thoại không hợp lệ (vd 0912345678)"))],
    )
    email = StringField(
        _l("Email"),
        filters=[lambda v: (v or "").strip() or None],
        validators=[Optional(), Regexp(EMAIL_RE, message=_l("Địa chỉ email không hợp lệ")), Length(max=255)],
    )
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=255)])
    accept_now = BooleanField(_l("Tiếp nhận ngay (lập Giấy tiếp nhận, Mẫu 01)"), default=True)

    def __init__(self, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.channel.choices = [(c, channel_name(c)) for c in procedure.channels if c in COUNTER_CHANNELS]
        if not self.channel.data and self.channel.choices:
            self.channel.data = self.channel.choices[0][0]


def submission_from(procedure: Procedure, form: IntakeForm) -> Submission:
    return Submission(
        procedure_code=procedure.code,
        data=typed_data(procedure, read_fields(procedure, request.form)),
        uploads=posted_uploads(procedure),
        channel=form.channel.data,
        unit_code=current_user.unit.code if current_user.unit else None,
        applicant={
            "name": form.name.data,
            "citizen_id": form.citizen_id.data,
            "phone": form.phone.data,
            "email": form.email.data,
            "address": (form.address.data or "").strip() or None,
        },
    )


def intake_context(procedure: Procedure, form: IntakeForm, error: AppError | None = None) -> dict[str, Any]:
    """Template context; a service error's problems go next to their fields and documents."""
    details = error.details if error is not None and isinstance(error.details, dict) else {}
    field_problems = details.get("data") if isinstance(details.get("data"), dict) else {}
    doc_problems = {d.key: details[d.key] for d in procedure.documents if d.key in details}
    for key, message in details.items():
        if key.startswith("applicant.") and hasattr(form, key.split(".", 1)[1]):
            getattr(form, key.split(".", 1)[1]).errors = [_(message)]
    return {
        "procedure": procedure,
        "form": form,
        "widgets": widgets(procedure),
        "values": read_fields(procedure, request.form) if request.method == "POST" else {},
        "field_problems": field_problems,
        "doc_problems": doc_problems,
        "error": error,
    }
