"""Marshmallow schemas of the public procedure API (dump only, from the definition dataclasses)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError, fields, pre_dump, validate

from app.core.inputs import MAX_INT
from app.procedures.definitions import Deadline, Procedure


def _known_level(value: str) -> None:
    levels = current_app.config["ORG_LEVELS"]
    if value not in levels:
        raise ValidationError(f"Cấp hành chính không hợp lệ; chọn một trong: {', '.join(levels)}")


class ProcedureListQuerySchema(Schema):
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "Words of the name, with or without diacritics, or a code"},
    )
    level = fields.String(
        load_default=None, validate=_known_level, metadata={"description": "Competent level (ORG_LEVELS)"}
    )
    field = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "Field code (lĩnh vực), e.g. ho_tich"},
    )


class ProcedureVersionQuerySchema(Schema):
    version = fields.Integer(
        load_default=None,
        strict=False,
        validate=validate.Range(min=1, max=MAX_INT),
        metadata={"description": "A given version instead of the one in effect today"},
    )


class ProcedureTextSchema(Schema):
    vi = fields.String()
    en = fields.String()


class ProcedureDeadlineSchema(Schema):
    kind = fields.String(metadata={"description": "working_days, working_hours or same_day"})
    amount = fields.Integer(allow_none=True, metadata={"description": "Days or hours; null for same_day"})
    cutoff = fields.String(allow_none=True, metadata={"description": "HH:MM; null = configured default"})

    @pre_dump
    def _shape(self, deadline: Deadline, **_: Any) -> dict[str, Any]:
        amount = None if deadline.kind == "same_day" else deadline.amount
        return {"kind": deadline.kind, "amount": amount, "cutoff": deadline.cutoff}


class ProcedureFieldSchema(Schema):
    code = fields.String()
    name = fields.Nested(ProcedureTextSchema)


class ProcedureFeeSchema(Schema):
    amount = fields.Integer(metadata={"description": "VND; 0 = free"})
    note = fields.Nested(ProcedureTextSchema, allow_none=True)


class ProcedureReceivingSchema(Schema):
    level = fields.String()
    kinds = fields.List(fields.String(), metadata={"description": "Unit kinds that may receive"})


class ProcedureSummarySchema(Schema):
    code = fields.String()
    version = fields.Integer()
    effective_from = fields.Date()
    name = fields.Nested(ProcedureTextSchema)
    field = fields.Nested(ProcedureFieldSchema)
    competent_level = fields.String()
    receiving = fields.Nested(ProcedureReceivingSchema)
    channels = fields.List(fields.String())
    online_level = fields.String(metadata={"description": "toan_trinh or mot_phan"})
    fee = fields.Nested(ProcedureFeeSchema)
    deadline = fields.Nested(ProcedureDeadlineSchema)
    result_name = fields.Nested(ProcedureTextSchema, allow_none=True)

    @pre_dump
    def _shape(self, procedure: Procedure, **_: Any) -> dict[str, Any]:
        """Group the flat dataclass attributes the way the API presents them."""
        shaped = {name: getattr(procedure, name) for name in procedure.__dataclass_fields__}
        shaped["field"] = {"code": procedure.field_code, "name": procedure.field_name}
        shaped["receiving"] = {"level": procedure.receiving_level, "kinds": procedure.receiving_kinds}
        shaped["fee"] = {"amount": procedure.fee, "note": procedure.fee_note}
        shaped["states"] = list(procedure.states.values())
        return shaped


class ProcedureDocumentSchema(Schema):
    key = fields.String()
    name = fields.Nested(ProcedureTextSchema)
    required = fields.Boolean()
    types = fields.List(fields.String(), metadata={"description": "Accepted MIME types"})
    max_size_mb = fields.Integer()
    original_copies = fields.String(metadata={"description": "original, copy or certified_copy"})


class ProcedureFormFieldSchema(Schema):
    key = fields.String()
    label = fields.Nested(ProcedureTextSchema)
    type = fields.String()
    required = fields.Boolean()
    choices = fields.List(fields.String())
    max_length = fields.Integer(allow_none=True)


class ProcedureStateSchema(Schema):
    name = fields.String()
    label = fields.Nested(ProcedureTextSchema)
    national_code = fields.Integer(metadata={"description": "National status code 1..10"})
    is_initial = fields.Boolean()
    is_final = fields.Boolean()
    is_paused = fields.Boolean()


class ProcedureStepSchema(Schema):
    name = fields.Nested(ProcedureTextSchema)
    budget = fields.Nested(ProcedureDeadlineSchema)


class ProcedureUnitSelectorSchema(Schema):
    kind = fields.String(metadata={"description": "Unit kind, or @receiving"})
    level = fields.String(allow_none=True)
    under = fields.String(allow_none=True)


class ProcedureTransitionSchema(Schema):
    name = fields.String()
    sources = fields.List(fields.String(), data_key="from")
    target = fields.String(data_key="to", metadata={"description": "A state, or @same"})
    roles = fields.List(fields.String())
    label = fields.Nested(ProcedureTextSchema)
    guards = fields.List(fields.String())
    actions = fields.List(fields.String())
    step = fields.Nested(ProcedureStepSchema, allow_none=True)
    forward_to = fields.Nested(ProcedureUnitSelectorSchema, allow_none=True)
    requires_comment = fields.Boolean()


class ProcedureDetailSchema(ProcedureSummarySchema):
    documents = fields.List(fields.Nested(ProcedureDocumentSchema))
    form = fields.List(fields.Nested(ProcedureFormFieldSchema), attribute="fields")  # the application form
    states = fields.List(fields.Nested(ProcedureStateSchema))
    transitions = fields.List(fields.Nested(ProcedureTransitionSchema))
