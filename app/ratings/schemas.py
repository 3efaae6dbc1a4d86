from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.time import local_iso
from app.ratings.models import CONDUCT_CHOICES, CONTACT_CHOICES, OVERALL_RANGE, TIME_CHOICES
from app.ratings.services import COMMENT_MAX, editable_until


class RatingInputSchema(Schema):
    overall = fields.Int(
        required=True,
        validate=validate.Range(*OVERALL_RANGE),
        metadata={"description": "1 rất không hài lòng … 5 rất hài lòng"},
    )
    time_vs_statutory = fields.Str(
        required=True,
        validate=validate.OneOf(TIME_CHOICES),
        metadata={"description": "Thời gian giải quyết so với quy định"},
    )
    contacts = fields.Str(
        required=True,
        validate=validate.OneOf(CONTACT_CHOICES),
        metadata={"description": "Số lần phải đến/liên hệ cơ quan"},
    )
    conduct = fields.Str(
        required=True,
        validate=validate.OneOf(CONDUCT_CHOICES),
        metadata={"description": "Thái độ, ứng xử của cán bộ"},
    )
    comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=COMMENT_MAX))


class RatingSchema(Schema):
    dossier_code = fields.Function(lambda r: r.dossier.code)
    overall = fields.Int()
    time_vs_statutory = fields.Str()
    contacts = fields.Str()
    conduct = fields.Str()
    comment = fields.Str(allow_none=True)
    is_satisfied = fields.Bool()
    created_at = fields.Function(lambda r: local_iso(r.created_at), metadata={"format": "date-time"})
    updated_at = fields.Function(lambda r: local_iso(r.updated_at), metadata={"format": "date-time"})
    editable_until = fields.Function(lambda r: local_iso(editable_until(r)), metadata={"format": "date-time"})
