"""API shapes of issued forms. Instants in Vietnam time (ISO 8601, +07:00)."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.core.time import local_iso


class IssuedFormSchema(Schema):
    id = fields.Int()
    form = fields.Str(metadata={"description": "Số mẫu trong bộ biểu mẫu của nó: mau_01 .. mau_07"})
    form_key = fields.Str(
        metadata={
            "description": "Loại biểu mẫu, như nhau ở mọi bộ: receipt, supplement_request, refusal, "
            "apology, stop_notice, control_sheet"
        }
    )
    form_set = fields.Str(
        metadata={
            "description": "Bộ biểu mẫu khi lập: tt01_2018 (Thông tư 01/2018), tt03_2025 (Thông tư 03/2025)"
        }
    )
    title = fields.Str(metadata={"description": "Tên biểu mẫu theo thông tư của bộ biểu mẫu"})
    status = fields.Str(metadata={"description": "pending / ready / failed"})
    created_at = fields.Function(lambda f: local_iso(f.created_at), metadata={"format": "date-time"})
    ready_at = fields.Function(lambda f: local_iso(f.ready_at), metadata={"format": "date-time"})
