"""Queue request and response shapes (API and pages share the query parsing)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from app.core.time import local_iso
from app.procedures.definitions import DOSSIER_CHANNELS
from app.queues.queries import MAX_LIMIT, PAGE_SIZE, Cursor, QueueFilters, QueueRow, decode_cursor


class CursorField(fields.Str):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Cursor:
        from app.core.errors import ValidationError as AppValidationError

        try:
            return decode_cursor(super()._deserialize(value, attr, data, **kwargs))
        except AppValidationError as exc:
            raise ValidationError("Con trỏ trang không hợp lệ") from exc


class QueueQuerySchema(Schema):
    procedure = fields.Str(validate=validate.Length(max=32))
    state = fields.Str(validate=validate.Length(max=48))
    channel = fields.Str(validate=validate.OneOf(DOSSIER_CHANNELS))
    overdue = fields.Bool(load_default=False)
    mine = fields.Bool(load_default=False, metadata={"description": "Chỉ hồ sơ được giao cho tôi"})
    date_from = fields.Date(data_key="from", metadata={"description": "Nộp từ ngày (YYYY-MM-DD)"})
    date_to = fields.Date(data_key="to", metadata={"description": "Nộp đến ngày (YYYY-MM-DD)"})
    q = fields.Str(
        validate=validate.Length(max=100),
        metadata={"description": "Mã hồ sơ, số CCCD (12 số) hoặc tên người nộp (có/không dấu)"},
    )
    after = CursorField(metadata={"description": "Con trỏ trang (next_cursor)"})
    limit = fields.Int(load_default=PAGE_SIZE, validate=validate.Range(min=1, max=MAX_LIMIT))

    @validates_schema
    def _dates_in_order(self, data: dict, **_kwargs: Any) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("Ngày bắt đầu sau ngày kết thúc", "from")

    @post_load
    def _strip_blanks(self, data: dict, **_kwargs: Any) -> dict:
        return {k: v for k, v in data.items() if v != ""}


def filters_from(args: dict, user_id: int) -> QueueFilters:
    return QueueFilters(
        procedure=args.get("procedure") or None,
        state=args.get("state") or None,
        channel=args.get("channel") or None,
        overdue=bool(args.get("overdue")),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        q=(args.get("q") or "").strip() or None,
        assignee_id=user_id if args.get("mine") else None,
    )


def _local(attr: str) -> fields.Function:
    return fields.Function(lambda obj: local_iso(getattr(obj, attr)), metadata={"format": "date-time"})


class QueueRowSchema(Schema):
    code = fields.Str()
    procedure_code = fields.Str()
    procedure_name = fields.Str()
    state_label = fields.Str()
    channel = fields.Str()
    applicant_name = fields.Str()
    submitted_at = _local("submitted_at")
    received_at = _local("received_at")
    due_at = _local("due_at")
    minutes_left = fields.Int(allow_none=True, metadata={"description": "Phút làm việc còn lại; âm: quá hạn"})
    is_overdue = fields.Bool()
    is_near_due = fields.Bool()
    is_paused = fields.Bool()


class QueuePageSchema(Schema):
    items = fields.List(fields.Nested(QueueRowSchema))
    next_cursor = fields.Str(allow_none=True)


def queue_page_json(rows: list[QueueRow], next_cursor: str | None) -> dict[str, Any]:
    """What QueuePageSchema().dump gives for a page, built directly: the same keys in the same order
    and the same values (tests/queues compare the two). Marshmallow's per-field work for 50 rows was
    a sixth of the queue endpoint's time; the schema still documents the answer."""
    return {
        "items": [
            {
                "code": row.code,
                "procedure_code": row.procedure_code,
                "procedure_name": row.procedure_name,
                "state_label": row.state_label,
                "channel": row.channel,
                "applicant_name": row.applicant_name,
                "submitted_at": local_iso(row.submitted_at),
                "received_at": local_iso(row.received_at),
                "due_at": local_iso(row.due_at),
                "minutes_left": row.minutes_left,
                "is_overdue": row.is_overdue,
                "is_near_due": row.is_near_due,
                "is_paused": row.is_paused,
            }
            for row in rows
        ],
        "next_cursor": next_cursor,
    }
