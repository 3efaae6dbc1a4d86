"""How the dashboard words and colours the engine's figures: labels (Vietnamese msgids), the status of a
rate against its target, and the rows of the ranking, by-procedure and trend tables, the headline cards,
the Decision 766 table and the charts' data. Shared by the pages, the exports and the API.

Colours compare a rate with its target: "ok" at or above it, "warn" within WARN_BAND below it,
"bad" further below, "none" when there is nothing to compare (no denominator).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.time import local_iso
from app.dossiers.models import Dossier
from app.extensions import db
from app.indicators import metrics
from app.org.models import Unit
from app.procedures import get_registry

if TYPE_CHECKING:
    from app.indicators.dashboard import View

WARN_BAND = 0.1
ON_TIME_REFERENCE = 0.95  # display reference only; Decision 766 gives full progress points at 100%

METRIC_LABELS = {
    "received": _l("Hồ sơ tiếp nhận"),
    "received_online": _l("Trực tuyến"),
    "received_counter": _l("Trực tiếp"),
    "received_postal": _l("Bưu chính"),
    "online_share": _l("Tỷ lệ tiếp nhận trực tuyến"),
    "completed_early": _l("Hoàn thành trước hạn"),
    "completed_on_time": _l("Hoàn thành đúng hạn"),
    "completed_late": _l("Hoàn thành quá hạn"),
    "on_time_rate": _l("Tỷ lệ đúng hạn (gồm trước hạn)"),
    "in_progress_overdue": _l("Đang xử lý, quá hạn"),
    "in_progress_near_due": _l("Đang xử lý, sắp đến hạn"),
    "fully_online": _l("Xử lý toàn trình trên hệ thống"),
    "satisfaction_rate": _l("Tỷ lệ hài lòng"),
    "satisfaction_time_ok": _l("Thời gian đúng hoặc nhanh hơn quy định"),
    "satisfaction_contacts_once": _l("Chỉ phải liên hệ một lần"),
    "satisfaction_conduct_good": _l("Thái độ phục vụ tốt"),
    "online_payment_share": _l("Thanh toán trực tuyến"),
    "digitised_inputs": _l("Thành phần hồ sơ đã số hóa"),
    "electronic_results": _l("Kết quả điện tử"),
    "reused_documents": _l("Tái sử dụng giấy tờ đã số hóa"),
    "national_synced": _l("Đồng bộ Cổng Dịch vụ công quốc gia"),
}
PAIR_KEYS = tuple(METRIC_LABELS)
SCORE_LABELS = {
    "progress": _l("Tiến độ giải quyết"),
    "online": _l("Dịch vụ trực tuyến"),
    "payment": _l("Thanh toán trực tuyến"),
    "satisfaction": _l("Mức độ hài lòng"),
    "digitisation": _l("Số hóa hồ sơ, kết quả"),
    "transparency": _l("Công khai, minh bạch"),
}
LEVEL_LABELS = {"province": _l("Cấp tỉnh"), "district": _l("Cấp huyện"), "commune": _l("Cấp xã")}
NOTES = {
    metrics.NO_PAYMENT_DATA: _l("Chưa có dữ liệu thanh toán trực tuyến"),
    metrics.NO_TRANSPARENCY: _l("Chưa cấu hình đồng bộ với Cổng Dịch vụ công quốc gia"),
}
STATUS_TEXT = {"ok": _l("Đạt"), "warn": _l("Gần đạt"), "bad": _l("Chưa đạt"), "none": _l("Chưa có số liệu")}
OUTCOME_LABELS = {"early": _l("Trước hạn"), "on_time": _l("Đúng hạn"), "late": _l("Quá hạn")}


def lang() -> str:
    return g.get("lang", "vi")


def unit_name(unit: Any) -> str:
    """A Unit or the engine's {"id", "code", "name", ...} dict, in the page's language."""
    name_en = unit.get("name_en") if isinstance(unit, dict) else unit.name_en
    name = unit["name"] if isinstance(unit, dict) else unit.name
    return name_en if lang() == "en" and name_en else name


def procedure_name(code: str, version: int | None = None) -> str:
    registry = get_registry()
    procedure = registry.find(code, version) if version else registry.find_current(code)
    return procedure.name.get(lang()) if procedure else code


def procedure_choices() -> list[tuple[str, str]]:
    latest = {p.code: p for p in get_registry().all()}  # sorted by version: the last one wins
    return sorted(((code, p.name.get(lang())) for code, p in latest.items()), key=lambda c: c[1])


def level_choices() -> list[tuple[str, str]]:
    levels = db.session.scalars(select(Unit.level).distinct()).all()
    order = list(LEVEL_LABELS)
    ordered = sorted(levels, key=lambda lv: (order.index(lv) if lv in order else len(order), lv))
    return [(lv, str(LEVEL_LABELS.get(lv, lv))) for lv in ordered]


def status(rate: float | None, target: float | None) -> str:
    if rate is None or target is None:
        return "none"
    if rate >= target:
        return "ok"
    return "warn" if rate >= target - WARN_BAND else "bad"


def fully_online_target(level: str | None) -> float | None:
    return metrics.FULLY_ONLINE_TARGETS.get(level or "")


def dossier_row(dossier: Dossier) -> dict:
    return {
        "code": dossier.code,
        "procedure": procedure_name(dossier.procedure_code, dossier.procedure_version),
        "procedure_code": dossier.procedure_code,
        "applicant": dossier.applicant_name,
        "unit": unit_name(dossier.current_unit),
        "receiving_unit": unit_name(dossier.receiving_unit),
        "channel": dossier.channel,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "completed_at": dossier.completed_at,
        "outcome": dossier.outcome,
        "outcome_text": str(OUTCOME_LABELS.get(dossier.outcome or "", "")),
    }


def api_dossier(row: dict) -> dict:
    times = ("received_at", "due_at", "completed_at")
    return {**{k: v for k, v in row.items() if k != "outcome_text"}, **{k: local_iso(row[k]) for k in times}}


def api_procedure_rows(rows: list[dict]) -> list[dict]:
    return [
        {
            "procedure": {"code": r["procedure"]["code"], "name": procedure_name(r["procedure"]["code"])},
            "metrics": r["metrics"],
        }
        for r in rows
    ]


def rate_cell(pair: dict, target: float | None = None) -> dict:
    target = pair.get("target") if target is None else target
    return {**pair, "target": target, "status": status(pair.get("rate"), target)}


def summary_row(m: dict, level: str | None = None) -> dict:
    """The columns of a ranking / by-procedure / trend row (a trend has no in-progress snapshot)."""
    overdue, near_due = m.get("in_progress_overdue"), m.get("in_progress_near_due")
    return {
        "received": m["received"]["numerator"],
        "online": rate_cell(m["online_share"]),
        "completed": m["on_time_rate"]["denominator"],
        "early": m["completed_early"]["numerator"],
        "on_time": m["completed_on_time"]["numerator"],
        "late": m["completed_late"]["numerator"],
        "on_time_rate": rate_cell(m["on_time_rate"], ON_TIME_REFERENCE),
        "overdue": overdue["numerator"] if overdue else None,
        "near_due": near_due["numerator"] if near_due else None,
        "open": overdue["denominator"] if overdue else None,
        "satisfaction": rate_cell(m["satisfaction_rate"]),
        "fully_online": rate_cell(m["fully_online"], fully_online_target(level)),
        "score": m["score"]["total"],
    }


def unit_rows(view: View, rows: list[dict]) -> list[dict]:
    units = {u.code: u for u in view.children}  # for the English names; already loaded
    return [
        {
            "unit": r["unit"],
            "name": unit_name(units.get(r["unit"]["code"], r["unit"])),
            **summary_row(r["metrics"], r["unit"].get("level")),
        }
        for r in rows
    ]


def procedure_rows(view: View, rows: list[dict]) -> list[dict]:
    level = view.target_level
    return [
        {
            "code": r["procedure"]["code"],
            "name": procedure_name(r["procedure"]["code"]),
            **summary_row(r["metrics"], level),
        }
        for r in rows
    ]


def trend_rows(view: View, rows: list[dict]) -> list[dict]:
    return [
        {
            "month": r["month"],
            "date_from": r["date_from"],
            "date_to": r["date_to"],
            **summary_row(r["metrics"], view.target_level),
        }
        for r in rows
    ]


def _card(key: str, pair: dict, *, count: bool = False, drill: str | None = None) -> dict:
    return {"key": key, "label": METRIC_LABELS[key], "pair": pair, "count": count, "drill": drill}


def cards(m: dict, level: str | None) -> list[dict]:
    """Headline cards: a count (linked to its dossiers) or a rate against its target."""
    return [
        _card("received", m["received"], count=True),
        _card("online_share", rate_cell(m["online_share"]), drill="received_online"),
        _card("on_time_rate", rate_cell(m["on_time_rate"], ON_TIME_REFERENCE)),
        _card("in_progress_overdue", m["in_progress_overdue"], count=True),
        _card("in_progress_near_due", m["in_progress_near_due"], count=True),
        _card("satisfaction_rate", rate_cell(m["satisfaction_rate"])),
        _card("fully_online", rate_cell(m["fully_online"], fully_online_target(level)), drill="fully_online"),
    ]


def score_rows(m: dict) -> list[dict]:
    rows = []
    for key, label in SCORE_LABELS.items():
        group = m["score"][key]
        inputs = [{"key": k, "label": METRIC_LABELS.get(k, k), **m[k]} for k in group["inputs"]]
        note = group.get("note")
        rows.append({"key": key, "label": label, **group, "inputs": inputs, "note": NOTES.get(note, note)})
    return rows


def chart_data(m: dict, units: list[dict] | None, procedures: list[dict] | None, trend: list[dict]) -> dict:
    """What dashboard.js draws; labels are already in the page's language."""
    breakdown = units if units is not None else procedures or []
    return {
        "labels": {
            "channels": [str(METRIC_LABELS[f"received_{c}"]) for c in metrics.CHANNELS],
            "completion": [str(OUTCOME_LABELS[k]) for k in ("early", "on_time", "late")],
            "online_share": str(METRIC_LABELS["online_share"]),
            "on_time_rate": str(METRIC_LABELS["on_time_rate"]),
            "received": str(METRIC_LABELS["received"]),
            "target": str(_l("Mục tiêu")),
        },
        "channels": [m[f"received_{c}"]["numerator"] for c in metrics.CHANNELS],
        "completion": [m[k]["numerator"] for k in ("completed_early", "completed_on_time", "completed_late")],
        "targets": {"online_share": metrics.ONLINE_TARGET, "on_time_rate": ON_TIME_REFERENCE},
        "breakdown": [{"label": r["name"], "online_share": r["online"]["rate"]} for r in breakdown],
        "trend": [
            {
                "month": r["month"],
                "received": r["received"],
                "on_time_rate": r["on_time_rate"]["rate"],
                "online_share": r["online"]["rate"],
            }
            for r in trend
        ],
    }
