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
    by_area = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(lambda: ProcedureDeadlineSchema(exclude=("by_area",))),
        metadata={"description": "Another budget where the competent unit is an island or remote area"},
    )

    @pre_dump
    def _shape(self, deadline: Deadline, **_: Any) -> dict[str, Any]:
        amount = None if deadline.kind == "same_day" else deadline.amount
        shaped = {"kind": deadline.kind, "amount": amount, "cutoff": deadline.cutoff}
        if deadline.by_area:
            shaped["by_area"] = dict(deadline.by_area)
        return shaped


class ProcedureFieldSchema(Schema):
    code = fields.String()
    name = fields.Nested(ProcedureTextSchema)


class ProcedureFeeSchema(Schema):
    amount = fields.Integer(metadata={"description": "VND; 0 = free"})
    note = fields.Nested(ProcedureTextSchema, allow_none=True)


class ProcedureReceivingSchema(Schema):
    level = fields.String()
    kinds = fields.List(fields.String(), metadata={"description": "Unit kinds that may receive"})


class ProcedureFeeLineSchema(Schema):
    key = fields.String()
    name = fields.Nested(ProcedureTextSchema)
    amount = fields.Integer(metadata={"description": "VND"})
    channels = fields.List(fields.String(), metadata={"description": "Channels it applies to; empty = all"})
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    basis = fields.String(allow_none=True)
    note = fields.Nested(ProcedureTextSchema, allow_none=True)


class ProcedureLegalBasisSchema(Schema):
    governing = fields.List(fields.String(), metadata={"description": "Laws, decrees, circulars"})
    publication = fields.String(
        allow_none=True, metadata={"description": "The province's publication decision"}
    )


class ProcedureReplacementSchema(Schema):
    code = fields.String()
    version = fields.Integer(allow_none=True)


class ProcedureSummarySchema(Schema):
    code = fields.String()
    version = fields.Integer()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True, metadata={"description": "Last day in force, if ended"})
    replaced_by = fields.Nested(ProcedureReplacementSchema, allow_none=True)
    legal_basis = fields.Nested(ProcedureLegalBasisSchema, allow_none=True)
    no_boundary = fields.Boolean(metadata={"description": "Received regardless of administrative boundary"})
    receiving_points = fields.List(fields.Nested(lambda: ProcedureReceivingSchema()))
    fee_lines = fields.List(fields.Nested(ProcedureFeeLineSchema))
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
        if procedure.replaced_by:
            shaped["replaced_by"] = {"code": procedure.replaced_by[0], "version": procedure.replaced_by[1]}
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
    level = fields.String(allow_none=True, metadata={"description": "Unit fields: the level of the unit"})


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
    kind = fields.String(metadata={"description": "Unit kind, or @receiving / @competent"})
    level = fields.String(allow_none=True)
    under = fields.String(allow_none=True, metadata={"description": "A level, or @competent"})
    serving = fields.String(allow_none=True, metadata={"description": "@competent or @receiving"})


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
