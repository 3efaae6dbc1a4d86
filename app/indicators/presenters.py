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

from app.core.time import local_iso
from app.dossiers.models import Dossier
from app.indicators import decision766, metrics, targets
from app.indicators.queries import levels_between
from app.procedures import get_registry

if TYPE_CHECKING:
    from app.indicators.dashboard import View

WARN_BAND = 0.1

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
    "results_to_data_store": _l("Kết quả đưa vào kho dữ liệu của công dân"),
    "reused_documents": _l("Tái sử dụng giấy tờ đã số hóa"),
    "electronic_certified_copies": _l("Chứng thực bản sao điện tử"),
    "procedures_online": _l("Thủ tục cung cấp trực tuyến toàn trình"),
    "national_synced": _l("Đồng bộ Cổng Dịch vụ công quốc gia"),
    "petitions_on_time": _l("Phản ánh, kiến nghị xử lý đúng hạn"),
    "petitions_satisfied": _l("Hài lòng với việc xử lý phản ánh, kiến nghị"),
}
PAIR_KEYS = tuple(METRIC_LABELS)
LEG_LABELS = {
    "completed_early": _l("Chặng xử lý trước hạn"),
    "completed_on_time": _l("Chặng xử lý đúng hạn"),
    "completed_late": _l("Chặng xử lý quá hạn"),
    "on_time_rate": _l("Tỷ lệ chặng đúng hạn (gồm trước hạn)"),
    "in_progress_overdue": _l("Chặng đang xử lý, quá hạn"),
    "in_progress_near_due": _l("Chặng đang xử lý, sắp đến hạn"),
}
LEVEL_LABELS = {"province": _l("Cấp tỉnh"), "district": _l("Cấp huyện"), "commune": _l("Cấp xã")}
BASIS_LABELS = {
    "competent": _l("Đơn vị có thẩm quyền giải quyết"),
    "received": _l("Đơn vị tiếp nhận"),
    "leg": _l("Đơn vị xử lý từng chặng"),
}
BASIS_NOTES = {
    "competent": _l(
        "Mỗi hồ sơ tính cho đơn vị có thẩm quyền giải quyết; chưa xác định thì cho đơn vị đang giữ hoặc đã hoàn thành hồ sơ."  # noqa: E501
    ),
    "received": _l("Mỗi hồ sơ tính cho đơn vị đã tiếp nhận hồ sơ."),
    "leg": _l(
        "Mỗi hồ sơ tính cho mọi đơn vị có chặng xử lý (tổng các dòng có thể lớn hơn số hồ sơ); tiến độ tính theo từng chặng: chặng quá hạn tính cho đơn vị của chặng đó."  # noqa: E501
    ),
}
STRUCTURE_LABELS = {
    "as_was": _l("Đơn vị như khi phát sinh"),
    "restated": _l("Quy về đơn vị hiện nay"),
}
STRUCTURE_NOTES = {
    "as_was": _l(
        "Số liệu thuộc đơn vị đã tồn tại khi phát sinh (đơn vị cũ trước sắp xếp giữ số liệu của mình)."
    ),
    "restated": _l("Số liệu của đơn vị cũ được tính cho đơn vị kế thừa hiện nay; tổng không đổi."),
}
ORIGIN_TEXT = {
    decision766.EXTERNAL: _l("Dữ liệu từ Cơ sở dữ liệu quốc gia về thủ tục hành chính (ngoài hệ thống này)"),
    decision766.MISSING: _l("Chưa có dữ liệu tại hệ thống này"),
}
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


def level_choices(view: View) -> list[tuple[str, str]]:
    """The levels the structure has during the period shown (no district after the districts ended)."""
    s = view.scope
    return [(lv, str(LEVEL_LABELS.get(lv, lv))) for lv in levels_between(s.date_from, s.date_to)]


def metric_label(key: str, basis: str) -> Any:
    return LEG_LABELS[key] if basis == "leg" and key in LEG_LABELS else METRIC_LABELS[key]


def target_of(view: View, metric: str, level: str | None = None) -> targets.Target | None:
    s = view.scope
    return targets.target_for(metric, level, s.date_from, s.date_to)


def targets_shown(view: View) -> list[dict]:
    """The targets the period is judged by, with their source and validity, in the page's language."""
    s = view.scope
    rows = []
    for target in targets.targets_in(s.date_from, s.date_to):
        label = METRIC_LABELS.get(target.metric, target.metric)
        if target.level:
            label = f"{label} — {LEVEL_LABELS.get(target.level, target.level)}"
        rows.append(
            {"target": target, "label": label, "source": target.source(lang()), "note": target.note(lang())}
        )
    return rows


def status(rate: float | None, target: float | None) -> str:
    if rate is None or target is None:
        return "none"
    if rate >= target:
        return "ok"
    return "warn" if rate >= target - WARN_BAND else "bad"


def fully_online_target(view: View, level: str | None) -> float | None:
    s = view.scope
    return targets.value("fully_online", level, s.date_from, s.date_to) if level else None


def dossier_row(dossier: Dossier) -> dict:
    return {
        "code": dossier.code,
        "procedure": procedure_name(dossier.procedure_code, dossier.procedure_version),
        "procedure_code": dossier.procedure_code,
        "applicant": dossier.applicant_name,
        "unit": unit_name(dossier.current_unit),
        "receiving_unit": unit_name(dossier.receiving_unit),
        "competent_unit": unit_name(dossier.competent_unit) if dossier.competent_unit else None,
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


def summary_row(m: dict, fully_online_goal: float | None = None) -> dict:
    """The columns of a ranking / by-procedure / trend row (a trend has no in-progress snapshot)."""
    overdue, near_due = m.get("in_progress_overdue"), m.get("in_progress_near_due")
    return {
        "received": m["received"]["numerator"],
        "online": rate_cell(m["online_share"]),
        "completed": m["on_time_rate"]["denominator"],
        "early": m["completed_early"]["numerator"],
        "on_time": m["completed_on_time"]["numerator"],
        "late": m["completed_late"]["numerator"],
        "on_time_rate": rate_cell(m["on_time_rate"]),
        "overdue": overdue["numerator"] if overdue else None,
        "near_due": near_due["numerator"] if near_due else None,
        "open": overdue["denominator"] if overdue else None,
        "satisfaction": rate_cell(m["satisfaction_rate"]),
        "fully_online": rate_cell(m["fully_online"], fully_online_goal),
        "score": m["score"]["total"],
    }


def unit_rows(view: View, rows: list[dict]) -> list[dict]:
    units = {u.code: u for u in view.children}  # for the English names; already loaded
    return [
        {
            "unit": r["unit"],
            "name": unit_name(units.get(r["unit"]["code"], r["unit"])),
            "ended": r["unit"].get("valid_to"),
            **summary_row(r["metrics"], fully_online_target(view, r["unit"].get("level"))),
        }
        for r in rows
    ]


def procedure_rows(view: View, rows: list[dict]) -> list[dict]:
    goal = fully_online_target(view, view.target_level)
    return [
        {
            "code": r["procedure"]["code"],
            "name": procedure_name(r["procedure"]["code"]),
            **summary_row(r["metrics"], goal),
        }
        for r in rows
    ]


def trend_rows(view: View, rows: list[dict]) -> list[dict]:
    level = view.target_level
    return [
        {
            "month": r["month"],
            "date_from": r["date_from"],
            "date_to": r["date_to"],
            **summary_row(
                r["metrics"],
                targets.value("fully_online", level, r["date_from"], r["date_to"]) if level else None,
            ),
        }
        for r in rows
    ]


def _card(
    view: View,
    key: str,
    pair: dict,
    *,
    count: bool = False,
    drill: str | None = None,
    level: str | None = None,
) -> dict:
    target = target_of(view, key, level) if not count else None
    return {
        "key": key,
        "label": metric_label(key, view.scope.basis),
        "pair": pair,
        "count": count,
        "drill": drill,
        "source": target.short(lang()) if target else None,
        "since": target.valid_from if target else None,
        "confirmed": target.confirmed if target else None,
    }


def cards(view: View, m: dict) -> list[dict]:
    """Headline cards: a count (linked to its dossiers) or a rate against its target, each target
    named with its source and the day it applies from."""
    level = view.target_level
    return [
        _card(view, "received", m["received"], count=True),
        _card(view, "online_share", rate_cell(m["online_share"]), drill="received_online"),
        _card(view, "on_time_rate", rate_cell(m["on_time_rate"])),
        _card(view, "in_progress_overdue", m["in_progress_overdue"], count=True),
        _card(view, "in_progress_near_due", m["in_progress_near_due"], count=True),
        _card(view, "satisfaction_rate", rate_cell(m["satisfaction_rate"])),
        _card(
            view,
            "fully_online",
            rate_cell(m["fully_online"], fully_online_target(view, level)),
            drill="fully_online",
            level=level,
        ),
    ]


def score_groups(m: dict) -> list[dict]:
    """The Decision 766 table: each group with its components (numerator / denominator, rate,
    weight, points; external and missing ones say so) and its subtotal."""
    score = m["score"]
    rows = []
    for key, label in decision766.GROUPS.items():
        components = []
        for c in score["components"]:
            if c["group"] != key:
                continue
            spec = next(s for s in decision766.COMPONENTS if s.key == c["key"])
            note = NOTES.get(c["note"], c["note"]) if c["note"] else ORIGIN_TEXT.get(c["origin"])
            components.append({**c, "label": spec.label, "note": note})
        rows.append({"key": key, "label": label, **score["groups"][key], "components": components})
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
        "targets": {"online_share": m["online_share"]["target"], "on_time_rate": m["on_time_rate"]["target"]},
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
