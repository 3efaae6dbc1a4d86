"""API shapes of issued forms. Instants in Vietnam time (ISO 8601, +07:00)."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.core.time import local_iso


class IssuedFormSchema(Schema):
    id = fields.Int()
    form = fields.Str(metadata={"description": "mau_01 .. mau_05"})
    title = fields.Str(metadata={"description": "Tên biểu mẫu theo Thông tư 01/2018/TT-VPCP"})
    status = fields.Str(metadata={"description": "pending / ready / failed"})
    created_at = fields.Function(lambda f: local_iso(f.created_at), metadata={"format": "date-time"})
    ready_at = fields.Function(lambda f: local_iso(f.ready_at), metadata={"format": "date-time"})
