"""Query and response schemas of the indicators API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validates_schema


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

    @validates_schema
    def _ordered(self, data: dict, **_: object) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("'from' phải không sau 'to'", "from")


class IndicatorsSchema(Schema):
    unit = fields.Str(allow_none=True, metadata={"description": "Mã đơn vị; null = toàn tỉnh"})
    level = fields.Str(allow_none=True)
    procedure = fields.Str(allow_none=True)
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
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
                "digitised_inputs, electronic_results, reused_documents, score {group: {points, max, "
                "inputs}}"
            )
        },
    )
