"""The API shapes of a dossier as its applicant reads it (app.workflow.audience): a subset of the
staff shape (app.dossiers.schemas.DossierSchema) with the same field names, so a client written for
one reads the other."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.dossiers.schemas import DocumentSchema, DossierDetailSchema, local_instant


class ApplicantEventSchema(Schema):
    transition = fields.Str()
    from_state = fields.Str(allow_none=True)
    to_state = fields.Str()
    sentence = fields.Str(metadata={"description": "Câu mô tả cho người nộp (tiếng Việt)"})
    sentence_en = fields.Str()
    unit = fields.Str(allow_none=True, metadata={"description": "Mã đơn vị đã thực hiện"})
    created_at = local_instant("created_at")
    comment = fields.Str(allow_none=True, metadata={"description": "Chỉ ý kiến công khai cho người nộp"})
    payload = fields.Dict(metadata={"description": "items, new_appointment_at, return_method nếu công khai"})


class ApplicantDossierSchema(DossierDetailSchema):
    documents = fields.List(
        fields.Nested(DocumentSchema), metadata={"description": "Giấy tờ đã nộp; kết quả khi đã có"}
    )
    events = fields.List(fields.Nested(ApplicantEventSchema))
