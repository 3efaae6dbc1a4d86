"""API shapes. Instants are shown in Vietnam time (ISO 8601 with +07:00)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from app.core import inputs
from app.core.errors import ValidationError as AppValidationError
from app.core.time import local_iso
from app.procedures.definitions import CHANNELS
from app.procedures.vocabulary import INPUTS, InputSpec


def local_instant(attr: str) -> fields.Function:
    return fields.Function(lambda obj: local_iso(getattr(obj, attr)), metadata={"format": "date-time"})


class JSONString(fields.Field):
    """A form field carrying JSON text (multipart requests cannot nest objects)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        try:
            return inputs.json_object(value, attr or "value")
        except AppValidationError as exc:
            raise ValidationError(exc.details if isinstance(exc.details, dict) else exc.message) from exc


class SubmitFormSchema(Schema):
    procedure_code = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    data = JSONString(
        load_default=dict, metadata={"description": "Tờ khai, JSON theo các trường của thủ tục"}
    )
    channel = fields.Str(
        validate=validate.OneOf(CHANNELS), metadata={"description": "Chỉ cán bộ: counter/postal"}
    )
    unit = fields.Str(validate=validate.Length(max=20), metadata={"description": "Mã định danh nơi nộp"})
    applicant = JSONString(
        load_default=dict,
        metadata={"description": "Cán bộ nhận tại quầy: {name, citizen_id, phone, email, address}"},
    )


class ListQuerySchema(Schema):
    state = fields.Str()
    procedure = fields.Str()
    unit = fields.Str()
    overdue = fields.Bool()
    after = fields.Int(
        validate=validate.Range(min=1, max=inputs.MAX_INT),
        metadata={"description": "Con trỏ trang (next_cursor)"},
    )
    limit = fields.Int(load_default=50, validate=validate.Range(min=1, max=200))


def _input_field(spec: InputSpec) -> fields.Field:
    """The API field of a transition input (app.procedures.vocabulary): one source for the page, the
    API and the engine."""
    meta = {"description": spec.description}
    if spec.kind == "lines":
        item = fields.Str(validate=validate.Length(max=1000))
        return fields.List(item, validate=validate.Length(max=100), metadata=meta)
    if spec.kind == "user":
        return fields.Raw(metadata=meta)
    if spec.kind == "choice":
        return fields.Str(validate=validate.OneOf(spec.choices), metadata=meta)
    length = validate.Length(max=spec.max_length or (20 if spec.kind == "unit" else 64))
    return fields.Str(validate=length, metadata=meta)


TransitionRequestSchema = Schema.from_dict(
    {
        "name": fields.Str(required=True, validate=validate.Length(min=1, max=48)),
        **{name: _input_field(spec) for name, spec in INPUTS.items() if not spec.is_file},
        "expected_version": fields.Int(
            validate=validate.Range(min=0, max=inputs.MAX_INT),
            metadata={"description": "Phiên bản hồ sơ đã xem; khác thì 409"},
        ),
    },
    name="TransitionRequestSchema",
)


class UnitRefSchema(Schema):
    code = fields.Str()
    name = fields.Str()
    level = fields.Str()


class DocumentSchema(Schema):
    id = fields.Int()
    doc_key = fields.Str()
    original_name = fields.Str()
    sha256 = fields.Str()
    size = fields.Int()
    content_type = fields.Str()
    is_digitised = fields.Bool()
    source = fields.Str()
    is_result = fields.Bool()
    is_current = fields.Bool()
    created_at = local_instant("created_at")


class StepSchema(Schema):
    seq = fields.Int()
    name = fields.Str()
    unit = fields.Nested(UnitRefSchema)
    budget_kind = fields.Str()
    budget_amount = fields.Int()
    started_at = local_instant("started_at")
    due_at = local_instant("due_at")
    finished_at = local_instant("finished_at")
    outcome = fields.Str(allow_none=True)
    is_paused = fields.Function(lambda s: s.paused_at is not None)
    paused_minutes = fields.Int()


class EventSchema(Schema):
    transition = fields.Str()
    from_state = fields.Str(allow_none=True)
    to_state = fields.Str()
    # Who acted and for which unit, as they were then (the event's snapshot).
    actor = fields.Function(lambda e: e.as_of.actor_name or None)
    unit = fields.Function(
        lambda e: e.as_of.actor.unit.code if e.as_of.actor and e.as_of.actor.unit else None
    )
    created_at = local_instant("created_at")
    comment = fields.Str(allow_none=True)
    payload = fields.Dict()
    # Done for someone else: the represented applicant's name then (the actor is its representative,
    # or the counter officer who registered the dossier), and the authorisation acted under.
    on_behalf_of = fields.Str(attribute="represented_name", allow_none=True)
    authorisation_id = fields.Int(allow_none=True)


class TransitionSchema(Schema):
    name = fields.Str()
    label = fields.Function(lambda t: t.label.vi)
    label_en = fields.Function(lambda t: t.label.en)
    target = fields.Str()
    guards = fields.List(fields.Str())
    requires_comment = fields.Bool()
    inputs = fields.Function(
        lambda t: dict(t.inputs),
        metadata={"description": "Trường nhận: tên -> required/optional (tệp: documents, result_file)"},
    )


class DossierSummarySchema(Schema):
    code = fields.Str()
    version = fields.Int()
    procedure_code = fields.Str()
    procedure_version = fields.Int()
    state = fields.Str()
    national_status = fields.Int()
    channel = fields.Str()
    applicant_name = fields.Str()
    receiving_unit = fields.Nested(UnitRefSchema)
    current_unit = fields.Nested(UnitRefSchema)
    submitted_at = local_instant("submitted_at")
    received_at = local_instant("received_at")
    due_at = local_instant("due_at")
    appointment_at = local_instant("appointment_at")
    completed_at = local_instant("completed_at")
    returned_at = local_instant("returned_at")
    outcome = fields.Str(allow_none=True)
    is_paused = fields.Bool()


class DossierDetailSchema(DossierSummarySchema):
    """What every audience reads of one dossier; the staff shape adds to it, the applicant's
    (app.workflow.schemas) reads its events and documents through the applicant's view."""

    summary = fields.Str(allow_none=True)
    data = fields.Dict()
    applicant_citizen_id = fields.Str(allow_none=True)
    applicant_phone = fields.Str(allow_none=True)
    applicant_email = fields.Str(allow_none=True)
    applicant_address = fields.Str(allow_none=True)
    return_method = fields.Str(allow_none=True)
    is_extended = fields.Bool()
    documents = fields.List(fields.Nested(DocumentSchema))
    steps = fields.List(fields.Nested(StepSchema))
    available_transitions = fields.List(fields.Nested(TransitionSchema))


class DossierSchema(DossierDetailSchema):
    paused_minutes = fields.Int()
    extension_reason = fields.Str(allow_none=True)
    events = fields.List(fields.Nested(EventSchema))


class DossierPageSchema(Schema):
    items = fields.List(fields.Nested(DossierSummarySchema))
    next_cursor = fields.Int(allow_none=True)
