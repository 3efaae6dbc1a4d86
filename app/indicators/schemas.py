"""Query and response schemas of the indicators API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.inputs import MAX_INT
from app.indicators.attribution import STRUCTURES
from app.indicators.facts import BASES

BASIS_DESCRIPTION = (
    "Đơn vị được tính số liệu: competent (đơn vị có thẩm quyền; mặc định), received (đơn vị tiếp "
    "nhận), leg (mọi đơn vị có chặng xử lý; tiến độ tính theo chặng)"
)
STRUCTURE_DESCRIPTION = (
    "Đơn vị đã sắp xếp: as_was (như khi phát sinh, mặc định) hoặc restated (quy về đơn vị kế thừa hiện nay)"
)


class IndicatorQuerySchema(Schema):
    unit = fields.Str(
        metadata={"description": "Mã đơn vị (mặc định: đơn vị của người dùng); gồm cả đơn vị cấp dưới"}
    )
    level = fields.Str(
        metadata={"description": "Chỉ tính các đơn vị ở cấp này (province / district / commune …)"}
    )
    procedure = fields.Str(metadata={"description": "Mã thủ tục"})
    date_from = fields.Date(data_key="from", metadata={"description": "Từ ngày (YYYY-MM-DD, giờ Việt Nam)"})
    date_to = fields.Date(data_key="to", metadata={"description": "Đến ngày (YYYY-MM-DD), tính cả ngày này"})
    basis = fields.Str(validate=validate.OneOf(BASES), metadata={"description": BASIS_DESCRIPTION})
    structure = fields.Str(
        validate=validate.OneOf(STRUCTURES), metadata={"description": STRUCTURE_DESCRIPTION}
    )

    @validates_schema
    def _ordered(self, data: dict, **_: object) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("'from' phải không sau 'to'", "from")


class TargetSchema(Schema):
    metric = fields.Str()
    level = fields.Str(allow_none=True)
    value = fields.Float()
    valid_from = fields.Str(metadata={"description": "YYYY-MM-DD"})
    valid_to = fields.Str(allow_none=True)
    source = fields.Str(metadata={"description": "Kế hoạch, quyết định đặt ra mục tiêu"})
    confirmed = fields.Bool(metadata={"description": "false: chưa đối chiếu được với văn bản công khai"})
    note = fields.Str()


class IndicatorsSchema(Schema):
    unit = fields.Str(allow_none=True, metadata={"description": "Mã đơn vị; null = toàn tỉnh"})
    level = fields.Str(allow_none=True)
    procedure = fields.Str(allow_none=True)
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    basis = fields.Str(metadata={"description": BASIS_DESCRIPTION})
    structure = fields.Str(metadata={"description": STRUCTURE_DESCRIPTION})
    targets = fields.List(
        fields.Nested(TargetSchema),
        metadata={"description": "Mục tiêu áp dụng cho kỳ, với nguồn và hiệu lực"},
    )
    metrics = fields.Dict(
        keys=fields.Str(),
        values=fields.Raw(),
        metadata={
            "description": (
                "Mỗi chỉ số là {numerator, denominator, rate, target}: received, received_online/counter/"
                "postal, online_share, completed_early/on_time/late, on_time_rate, in_progress_overdue, "
                "in_progress_near_due, processing_time {count, average_days, p90_days, "
                "statutory_average_days}, fully_online, fully_online_by_level {level: pair}, "
                "satisfaction_rate, satisfaction_time_ok, satisfaction_contacts_once, "
                "satisfaction_conduct_good, online_payment_share (numerator null + note), "
                "digitised_inputs, electronic_results, reused_documents, electronic_certified_copies, "
                "procedures_online, national_synced, petitions_on_time, petitions_satisfied, "
                "petitions_open_overdue; score {components: [{key, group, weight, origin (system / "
                "external / missing), numerator, denominator, rate, points}], groups {group: {points, "
                "max, counted}}, total {points, max: 100, counted}} (Quyết định 766/QĐ-TTg)"
            )
        },
    )


# --- Dashboard data: breakdowns, trend and the dossiers behind a number ----------


class ScopeSchema(Schema):
    unit = fields.Str(allow_none=True, metadata={"description": "Mã đơn vị; null = toàn tỉnh"})
    level = fields.Str(allow_none=True)
    procedure = fields.Str(allow_none=True)
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    basis = fields.Str(metadata={"description": BASIS_DESCRIPTION})
    structure = fields.Str(metadata={"description": STRUCTURE_DESCRIPTION})


METRICS_DESCRIPTION = "Cùng dạng với `metrics` của /api/v1/stats/indicators, cho dòng này"


class UnitRowSchema(Schema):
    unit = fields.Dict(
        metadata={
            "description": (
                "{id, code, name, name_en, level, valid_from, valid_to} của đơn vị trong bảng xếp hạng"
            )
        }
    )
    metrics = fields.Dict(metadata={"description": METRICS_DESCRIPTION})


class ByUnitSchema(ScopeSchema):
    rows = fields.List(
        fields.Nested(UnitRowSchema), metadata={"description": "Mỗi đơn vị trực thuộc một dòng"}
    )


class ProcedureRowSchema(Schema):
    procedure = fields.Dict(metadata={"description": "{code, name}"})
    metrics = fields.Dict(metadata={"description": METRICS_DESCRIPTION})


class ByProcedureSchema(ScopeSchema):
    rows = fields.List(fields.Nested(ProcedureRowSchema))


class TrendRowSchema(Schema):
    month = fields.Str(metadata={"description": "YYYY-MM"})
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    metrics = fields.Dict(metadata={"description": METRICS_DESCRIPTION + " (không có số liệu đang xử lý)"})


class TrendSchema(ScopeSchema):
    rows = fields.List(fields.Nested(TrendRowSchema))


class DossierListQuerySchema(IndicatorQuerySchema):
    metric = fields.Str(
        required=True,
        metadata={
            "description": "Chỉ số có danh sách hồ sơ, ví dụ completed_late, in_progress_overdue, received"
        },
    )
    page = fields.Int(
        load_default=1, validate=validate.Range(min=1, max=MAX_INT), metadata={"description": "Trang, từ 1"}
    )


class DossierItemSchema(Schema):
    code = fields.Str()
    procedure_code = fields.Str()
    procedure = fields.Str()
    applicant = fields.Str()
    unit = fields.Str(metadata={"description": "Đơn vị đang giữ / đã hoàn thành hồ sơ"})
    receiving_unit = fields.Str()
    competent_unit = fields.Str(allow_none=True, metadata={"description": "Đơn vị có thẩm quyền giải quyết"})
    channel = fields.Str()
    received_at = fields.Str(allow_none=True, metadata={"description": "ISO 8601, giờ Việt Nam"})
    due_at = fields.Str(allow_none=True)
    completed_at = fields.Str(allow_none=True)
    outcome = fields.Str(allow_none=True, metadata={"description": "early / on_time / late"})


class DossierListSchema(ScopeSchema):
    metric = fields.Str()
    total = fields.Int()
    page = fields.Int()
    pages = fields.Int()
    items = fields.List(fields.Nested(DossierItemSchema))
