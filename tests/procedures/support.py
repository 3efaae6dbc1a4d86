"""Shared test data for the procedure definitions: where the shipped files are, the org levels, and
a small valid procedure that tests break one key at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "workflows"
LEVELS = ("province", "district", "commune")


def _text(vi: str, en: str) -> dict:
    return {"vi": vi, "en": en}


def _step(days: int) -> dict:
    return {"name": _text("Bước", "Step"), "budget": {"working_days": days}}


# transitions[0] accept, [1] forward, [2] return_for_supplement, [3] supplement, [4] deliver
MINIMAL = {
    "code": "1.000001",
    "version": 1,
    "effective_from": date(2025, 1, 1),
    "name": _text("Thủ tục thử nghiệm", "Test procedure"),
    "field": {"code": "thu_nghiem", "name": _text("Thử nghiệm", "Testing")},
    "competent_level": "district",
    "receiving": {"level": "commune", "kinds": ["people_committee"]},
    "channels": ["online", "counter"],
    "online_level": "toan_trinh",
    "fee": {"amount": 0},
    "deadline": {"working_days": 3},
    "documents": [
        {
            "key": "don",
            "name": _text("Đơn", "Application"),
            "required": True,
            "types": ["application/pdf"],
            "max_size_mb": 10,
        },
    ],
    "fields": [{"key": "full_name", "label": _text("Họ tên", "Name"), "type": "string", "required": True}],
    "states": {
        "submitted": {"label": _text("Mới", "New"), "national": 1, "initial": True},
        "accepted": {"label": _text("Đã tiếp nhận", "Accepted"), "national": 2},
        "appraising": {"label": _text("Thẩm định", "Appraising"), "national": 4},
        "supplement_requested": {"label": _text("Bổ sung", "Supplement"), "national": 5, "paused": True},
        "returned": {"label": _text("Đã trả", "Returned"), "national": 10, "final": True},
    },
    "transitions": [
        {
            "name": "accept",
            "from": ["submitted"],
            "to": "accepted",
            "roles": ["reception"],
            "label": _text("Tiếp nhận", "Accept"),
            "guards": ["required_documents"],
            "actions": ["start_clock"],
            "step": _step(1),
        },
        {
            "name": "forward",
            "from": ["accepted"],
            "to": "appraising",
            "roles": ["reception"],
            "label": _text("Chuyển", "Forward"),
            "actions": ["open_step"],
            "forward_to": {"kind": "land_registry", "under": "district"},
            "step": _step(2),
        },
        {
            "name": "return_for_supplement",
            "from": ["appraising"],
            "to": "supplement_requested",
            "roles": ["specialist"],
            "label": _text("Yêu cầu bổ sung", "Ask"),
            "guards": ["has_items", "has_reason"],
            "actions": ["pause_clock"],
        },
        {
            "name": "supplement",
            "from": ["supplement_requested"],
            "to": "appraising",
            "roles": ["citizen"],
            "label": _text("Bổ sung", "Supply"),
            "actions": ["resume_clock"],
        },
        {
            "name": "deliver",
            "from": ["appraising"],
            "to": "returned",
            "roles": ["reception"],
            "label": _text("Trả kết quả", "Return"),
            "actions": ["finish", "record_return"],
        },
    ],
}
