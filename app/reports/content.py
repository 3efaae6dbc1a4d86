"""What a monthly report says: the unit's indicators for the month (app.indicators), turned into
printed rows, charts and tables. Every value is already in its printed form (Vietnamese), like the
content of the official forms, so the template only lays it out.

Scope: the unit with its whole subtree, all levels and procedures, the local dates of the month.
"In progress" figures (overdue, near due, the late lists) are a snapshot when the report is made.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import force_locale

from app.alerts.queries import LIST_LIMIT, late_lists
from app.core.web import local_time
from app.indicators import decision766, targets
from app.indicators.metrics import (
    compute_indicators,
    indicators_by_procedure,
    indicators_by_unit,
    monthly_trend,
)
from app.official_forms.content import date_words, unit_content
from app.org.queries import get_unit, subtree_ids
from app.org.structure import current_structure
from app.reports.charts import Bar, RateRow, Series, bar_chart, line_chart, number, percent, rate_bars

LEVEL_NAMES = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}
# (metric, label) of the headline table, in the order printed; targets come with the metric.
HEADLINE = [
    ("received", "Hồ sơ tiếp nhận trong tháng"),
    ("received_online", "– Tiếp nhận trực tuyến"),
    ("received_counter", "– Tiếp nhận trực tiếp"),
    ("received_postal", "– Tiếp nhận qua bưu chính"),
    ("online_share", "Tỷ lệ tiếp nhận trực tuyến"),
    ("on_time_rate", "Giải quyết đúng hạn (kể cả trước hạn)"),
    ("completed_early", "– Giải quyết trước hạn"),
    ("completed_on_time", "– Giải quyết đúng hạn"),
    ("completed_late", "– Giải quyết quá hạn"),
    ("in_progress_overdue", "Đang xử lý, đã quá hạn"),
    ("in_progress_near_due", "Đang xử lý, sắp đến hạn (còn dưới 40% thời gian)"),
    ("fully_online", "Xử lý toàn trình trên hệ thống"),
    ("satisfaction_rate", "Tỷ lệ hài lòng"),
    ("online_payment_share", "Thanh toán trực tuyến (hồ sơ có phí, lệ phí)"),
    ("digitised_inputs", "Hồ sơ có thành phần được số hóa"),
    ("electronic_results", "Kết quả giải quyết điện tử"),
    ("reused_documents", "Tái sử dụng dữ liệu đã số hóa"),
    ("electronic_certified_copies", "Chứng thực bản sao điện tử"),
    ("national_synced", "Đồng bộ lên Cổng Dịch vụ công quốc gia"),
    ("petitions_on_time", "Phản ánh, kiến nghị xử lý đúng hạn"),
    ("petitions_satisfied", "Hài lòng với việc xử lý phản ánh, kiến nghị"),
]
METRIC_LABELS = dict(HEADLINE) | {
    "on_time_rate": "Giải quyết đúng hạn",
    "online_share": "Tiếp nhận trực tuyến",
    "online_payment_share": "Thanh toán trực tuyến",
}
ORIGIN_NOTES = {
    decision766.EXTERNAL: "Dữ liệu từ Cơ sở dữ liệu quốc gia về thủ tục hành chính (ngoài hệ thống)",
    decision766.MISSING: "Chưa có dữ liệu tại hệ thống",
}
CHANNEL_COLORS = {"online": "#1f5fa8", "counter": "#7a7a7a", "postal": "#d08a1c"}
TREND_COLORS = {"on_time_rate": "#2e7d32", "online_share": "#1f5fa8", "satisfaction_rate": "#8e44ad"}


def month_bounds(month: date) -> tuple[date, date]:
    """First and last local date of the month of ``month``."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def shift_month(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _ratio(pair: dict) -> str:
    return (
        "–" if pair.get("numerator") is None else f"{number(pair['numerator'])}/{number(pair['denominator'])}"
    )


def _met(pair: dict) -> str:
    """'ok' / 'bad' against the pair's target; '' when there is no target or no rate."""
    if pair.get("target") is None or pair.get("rate") is None:
        return ""
    return "ok" if pair["rate"] >= pair["target"] else "bad"


def _row(label: str, pair: dict, counts_only: bool = False) -> dict[str, str]:
    target = pair.get("target")
    return {
        "label": label,
        "numerator": number(pair["numerator"]) if pair.get("numerator") is not None else "–",
        "denominator": "" if counts_only else number(pair["denominator"]),
        "rate": "" if counts_only else percent(pair.get("rate")),
        "target": f"≥ {percent(target)}" if target is not None else "",
        "met": _met(pair),
        "note": pair.get("note") or "",
    }


def _time_row(time: dict) -> dict[str, str]:
    """Processing time: average / p90 working days over the dossiers completed, against the average
    statutory time of the same dossiers."""
    average, statutory = time["average_days"], time["statutory_average_days"]
    return {
        "label": "Thời gian giải quyết bình quân / P90 (ngày làm việc)",
        "numerator": f"{number(average, 1)} / {number(time['p90_days'], 1)}",
        "denominator": number(time["count"]),
        "rate": "",
        "target": f"≤ {number(statutory, 1)} (luật định)" if statutory is not None else "",
        "met": "" if average is None or statutory is None else ("ok" if average <= statutory else "bad"),
        "note": "",
    }


def headline_rows(metrics: dict) -> list[dict[str, str]]:
    """The headline table; the fully-online share gets one more row per level against its target
    (only the levels the month's units had)."""
    rows = []
    for key, label in HEADLINE:
        if key not in metrics:
            continue
        rows.append(_row(label, metrics[key], counts_only=key.startswith("received")))
        if key == "completed_late":
            rows.append(_time_row(metrics["processing_time"]))
        if key == "fully_online":
            by_level = sorted(metrics["fully_online_by_level"].items(), key=lambda kv: _level_order(kv[0]))
            rows += [_row(f"– Tiếp nhận tại đơn vị {LEVEL_NAMES.get(lv, lv)}", pair) for lv, pair in by_level]
    return rows


def _level_order(level: str) -> int:
    order = list(current_structure().all_levels)
    return order.index(level) if level in order else len(order)


def _component_line(component: dict, label: str) -> str:
    weight = number(component["weight"])
    if component["origin"] != decision766.SYSTEM:
        return f"{label}: – /{weight} điểm ({ORIGIN_NOTES[component['origin']].lower()})"
    ratio = f"{number(component['numerator'])}/{number(component['denominator'])}"
    points = number(component["points"], 2) if component["points"] is not None else "–"
    return f"{label}: {ratio} ({percent(component['rate'])}) → {points}/{weight} điểm"


def score_rows(metrics: dict) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Decision 766, group by group: points out of the group's weight, and a line per component
    (numerator/denominator, rate, points; external and missing components say so)."""
    score = metrics["score"]
    labels = {c.key: c.label for c in decision766.COMPONENTS}
    rows = []
    with force_locale("vi"):
        for key, group_label in decision766.GROUPS.items():
            group = score["groups"][key]
            mine = [c for c in score["components"] if c["group"] == key]
            missing = [c for c in mine if c["origin"] != decision766.SYSTEM]
            rows.append(
                {
                    "group": str(group_label),
                    "points": number(group["points"], 2) if group["points"] is not None else "–",
                    "max": number(group["max"]),
                    "inputs": [_component_line(c, str(labels[c["key"]])) for c in mine],
                    "note": f"{len(missing)} chỉ tiêu chưa chấm được" if missing else "",
                }
            )
    total = score["total"]
    return rows, {
        "points": number(total["points"], 2) if total["points"] is not None else "–",
        "max": number(total["max"]),
        "counted": number(total["counted"]),
    }


def _ratio_rate(pair: dict) -> str:
    """'2/3 (66,7%)'; '–' when nothing is counted."""
    return f"{_ratio(pair)} ({percent(pair['rate'])})" if pair["denominator"] else "–"


def _breakdown_row(name: str, code: str, m: dict) -> dict[str, str]:
    total = m["score"]["total"]
    return {
        "name": name,
        "code": code,
        "received": number(m["received"]["numerator"]),
        "online": _ratio_rate(m["online_share"]),
        "on_time": _ratio_rate(m["on_time_rate"]),
        "late": number(m["completed_late"]["numerator"]),
        "overdue": number(m["in_progress_overdue"]["numerator"]),
        "satisfaction": percent(m["satisfaction_rate"]["rate"]),
        "online_met": _met(m["online_share"]),
        "late_met": "bad" if m["completed_late"]["numerator"] else "",
        "score": f"{number(total['points'], 1)}/{number(total['max'])}"
        if total["points"] is not None
        else "–",
    }


def _vi(name: Any) -> str:
    """A procedure's name in Vietnamese (the registry's names are {vi, en} texts)."""
    return getattr(name, "vi", name)


def _has_dossiers(m: dict) -> bool:
    """Received, completed or open in the scope: a procedure with none of these is left out."""
    return bool(
        m["received"]["denominator"]
        or m["on_time_rate"]["denominator"]
        or m["in_progress_overdue"]["denominator"]
    )


def breakdown(unit_id: int, first: date, last: date, now: datetime) -> tuple[str, list[dict], list[RateRow]]:
    """Per active child unit, or per procedure for a unit without children: table rows and the
    online-share bars."""
    by_unit = indicators_by_unit(unit_id, None, first, last, now=now)
    if by_unit:
        items = [(r["unit"]["name"], r["unit"]["code"], r["metrics"]) for r in by_unit]
        kind = "unit"
    else:
        by_procedure = indicators_by_procedure(unit_id, None, first, last, now=now)
        items = [(_vi(r["procedure"]["name"]), r["procedure"]["code"], r["metrics"]) for r in by_procedure]
        items = [item for item in items if _has_dossiers(item[2])]
        kind = "procedure"
    rows = [_breakdown_row(name, code, m) for name, code, m in items]
    bars = [RateRow(name, m["online_share"]["rate"], _ratio(m["online_share"])) for name, _code, m in items]
    return kind, rows, bars


def trend_chart(unit_id: int, month: date, now: datetime, as_of: date | None = None) -> Any:
    """The 12 months ending with the report month (a running month up to `as_of`): on-time, online
    and satisfaction rates."""
    first, last = shift_month(month, -11), as_of or month_bounds(month)[1]
    months = monthly_trend(unit_id, None, None, first, last, now=now)
    labels = [f"{m['month'][5:7]}/{m['month'][2:4]}" for m in months]
    notes = [f"{number(m['metrics']['received']['numerator'])} hồ sơ" for m in months]
    series = [
        Series(METRIC_LABELS[key], [m["metrics"][key]["rate"] for m in months], color)
        for key, color in TREND_COLORS.items()
    ]
    goals = [
        (months[-1]["metrics"]["satisfaction_rate"]["target"], "Hài lòng"),
        (months[-1]["metrics"]["online_share"]["target"], "Trực tuyến"),
    ]  # the targets in force in the report month (app.indicators.targets)
    lines = [(goal, f"{name} ≥ {percent(goal)}") for goal, name in goals if goal is not None]
    return line_chart(labels, series, notes, lines, "Xu hướng 12 tháng")


def report_content(unit_id: int, month: date, now: datetime, as_of: date | None = None) -> dict[str, Any]:
    """Everything the report template prints, for ``unit_id`` and the month of ``month``; with
    `as_of`, the running month from its first day to that day (month to date)."""
    unit = get_unit(unit_id)
    first, last = month_bounds(month)
    last = min(as_of, last) if as_of is not None else last
    metrics = compute_indicators(unit.id, None, None, first, last, now=now)
    score, total = score_rows(metrics)
    kind, rows, online_bars = breakdown(unit.id, first, last, now)
    late = late_lists(sorted(subtree_ids(unit.id)), "vi", now)
    channels = [
        Bar("Trực tuyến", metrics["received_online"]["numerator"], CHANNEL_COLORS["online"]),
        Bar("Trực tiếp", metrics["received_counter"]["numerator"], CHANNEL_COLORS["counter"]),
        Bar("Bưu chính", metrics["received_postal"]["numerator"], CHANNEL_COLORS["postal"]),
    ]
    completion = [
        Bar("Trước hạn", metrics["completed_early"]["numerator"], "#1b5e20"),
        Bar("Đúng hạn", metrics["completed_on_time"]["numerator"], "#66bb6a"),
        Bar("Quá hạn", metrics["completed_late"]["numerator"], "#c0392b"),
    ]
    breakdown_name = "đơn vị trực thuộc" if kind == "unit" else "thủ tục"
    online_goal = targets.value("online_share", None, first, last)
    return {
        "unit": unit_content(unit),
        "unit_code": unit.code,
        "month_label": f"{first:%m/%Y}",
        "period": f"Từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}",
        # Month to date: the title and every page say the month has not ended yet.
        "month_to_date": f"từ đầu tháng đến ngày {last:%d/%m/%Y}" if as_of is not None else "",
        "issued_on": date_words(now),
        "issued_at": local_time(now),
        "headline": headline_rows(metrics),
        "score": score,
        "score_total": total,
        "charts": {
            "channels": bar_chart(channels, "Hồ sơ tiếp nhận theo kênh"),
            "completion": bar_chart(completion, "Hồ sơ đã giải quyết"),
            "online": rate_bars(
                online_bars,
                online_goal,
                f"Chỉ tiêu ≥ {percent(online_goal)}" if online_goal is not None else "",
                f"Tỷ lệ tiếp nhận trực tuyến theo {breakdown_name}",
            )
            if online_bars
            else None,
            "trend": trend_chart(unit.id, first, now, as_of),
        },
        "breakdown_kind": kind,
        "breakdown_name": breakdown_name,
        "breakdown": rows,
        "late": {
            "overdue": len(late["overdue"]),
            "near_due": len(late["near_due"]),
            "capped": max(len(late["overdue"]), len(late["near_due"])) >= LIST_LIMIT,
        },
    }
