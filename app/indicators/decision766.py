"""Decision 766/QĐ-TTg (23 June 2022): a unit's score out of 100, component by component.

Six groups, each component a numerator/denominator pair scored `weight × rate` (a rate above 1
counts as 1), with the weights the national portal scores by:

1 Transparency (18): procedures published on time 6, updates published on time 4, published
  content complete 2 (these three come from the national procedure database: external here), and
  dossiers synced to the national portal 6.
2 Progress (20): dossiers resolved on time or early / resolved (legs under the "leg" reading);
  the open overdue dossiers are shown beside it.
3 Online services (12): procedures offered fully online / procedures the units receive 6, and
  dossiers filed online / dossiers received 6 (the Decision gives the group 12 points; the even
  split between its two ratios is this system's reading).
4 Online payment (10): dossiers paid online / dossiers with a fee or financial obligation.
5 Satisfaction (18): dossier-handling satisfaction 6, feedback and petitions handled on time 6,
  petition-handling satisfaction 6 (app.petitions).
6 Digitisation (22): original electronic result issued 6, inputs digitised 4, reuse of digitised
  data 2, results pushed to the citizen's personal data store 4, citizen data connected with the
  national population database 2 + 2, electronic certified copies 2.

A component without a source here ("external", or "missing": no data in this system) scores
nothing and is shown as such; other components are never scaled up to fill its place. The total is
always out of 100; `counted` says how many of those points the system's own data can award.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

SYSTEM, EXTERNAL, MISSING = "system", "external", "missing"


@dataclass(frozen=True)
class Component:
    key: str
    group: str
    weight: int
    label: Any  # lazy text
    origin: str  # SYSTEM: a metric of this system; EXTERNAL: the national database; MISSING
    metric: str | None = None  # the metrics pair scored (SYSTEM)


GROUPS = {
    "transparency": _l("Công khai, minh bạch"),
    "progress": _l("Tiến độ, kết quả giải quyết"),
    "online": _l("Cung cấp dịch vụ trực tuyến"),
    "payment": _l("Thanh toán trực tuyến"),
    "satisfaction": _l("Mức độ hài lòng"),
    "digitisation": _l("Số hóa hồ sơ, kết quả"),
}
COMPONENTS = (
    Component(
        "published_on_time",
        "transparency",
        6,
        _l("Thủ tục hành chính được công bố, công khai đúng hạn"),
        EXTERNAL,
    ),
    Component(
        "updates_on_time",
        "transparency",
        4,
        _l("Thủ tục được cập nhật, công khai đúng hạn khi sửa đổi"),
        EXTERNAL,
    ),
    Component(
        "content_complete",
        "transparency",
        2,
        _l("Nội dung công khai đầy đủ, đúng quy định"),
        EXTERNAL,
    ),
    Component(
        "national_synced",
        "transparency",
        6,
        _l("Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia"),
        SYSTEM,
        "national_synced",
    ),
    Component(
        "on_time",
        "progress",
        20,
        _l("Hồ sơ giải quyết đúng hạn, trước hạn"),
        SYSTEM,
        "on_time_rate",
    ),
    Component(
        "procedures_online",
        "online",
        6,
        _l("Thủ tục cung cấp dịch vụ công trực tuyến toàn trình"),
        SYSTEM,
        "procedures_online",
    ),
    Component(
        "dossiers_online",
        "online",
        6,
        _l("Hồ sơ nộp trực tuyến"),
        SYSTEM,
        "online_share",
    ),
    Component(
        "paid_online",
        "payment",
        10,
        _l("Hồ sơ thanh toán trực tuyến"),
        SYSTEM,
        "online_payment_share",
    ),
    Component(
        "rating",
        "satisfaction",
        6,
        _l("Hài lòng khi tiếp nhận, giải quyết hồ sơ"),
        SYSTEM,
        "satisfaction_rate",
    ),
    Component(
        "petitions_on_time",
        "satisfaction",
        6,
        _l("Phản ánh, kiến nghị xử lý đúng hạn"),
        SYSTEM,
        "petitions_on_time",
    ),
    Component(
        "petitions_satisfied",
        "satisfaction",
        6,
        _l("Hài lòng với việc xử lý phản ánh, kiến nghị"),
        SYSTEM,
        "petitions_satisfied",
    ),
    Component(
        "electronic_results",
        "digitisation",
        6,
        _l("Cấp bản gốc kết quả điện tử"),
        SYSTEM,
        "electronic_results",
    ),
    Component(
        "digitised_inputs",
        "digitisation",
        4,
        _l("Thành phần hồ sơ được số hóa"),
        SYSTEM,
        "digitised_inputs",
    ),
    Component(
        "reused",
        "digitisation",
        2,
        _l("Tái sử dụng dữ liệu đã số hóa"),
        SYSTEM,
        "reused_documents",
    ),
    Component(
        "results_to_data_store",
        "digitisation",
        4,
        _l("Kết quả đưa vào kho dữ liệu cá nhân của công dân"),
        SYSTEM,
        "results_to_data_store",
    ),
    Component(
        "population_data_1",
        "digitisation",
        2,
        _l("Kết nối, khai thác Cơ sở dữ liệu quốc gia về dân cư (chỉ tiêu 1)"),
        MISSING,
    ),
    Component(
        "population_data_2",
        "digitisation",
        2,
        _l("Kết nối, khai thác Cơ sở dữ liệu quốc gia về dân cư (chỉ tiêu 2)"),
        MISSING,
    ),
    Component(
        "certified_copies",
        "digitisation",
        2,
        _l("Chứng thực bản sao điện tử"),
        SYSTEM,
        "electronic_certified_copies",
    ),
)
TOTAL = 100
assert sum(c.weight for c in COMPONENTS) == TOTAL


def _scored(component: Component, metrics: dict) -> dict:
    pair = metrics.get(component.metric) if component.metric else None
    rate = pair.get("rate") if pair else None
    origin = component.origin
    if origin == SYSTEM and (pair is None or pair.get("numerator") is None):
        origin = MISSING  # the metric exists but has no source configured (payments, national sync)
    points = round(min(rate, 1.0) * component.weight, 2) if origin == SYSTEM and rate is not None else None
    return {
        "key": component.key,
        "group": component.group,
        "weight": component.weight,
        "origin": origin,
        "metric": component.metric,
        "numerator": pair.get("numerator") if pair else None,
        "denominator": pair.get("denominator") if pair else None,
        "rate": rate if origin == SYSTEM else None,
        "points": points,
        "note": pair.get("note") if pair else None,
    }


def score(metrics: dict) -> dict:
    """{"components": [...], "groups": {group: {points, max, counted}}, "total": {points, max,
    counted}}: points None where nothing could be scored (no denominator, no source)."""
    components = [_scored(c, metrics) for c in COMPONENTS]
    groups: dict[str, dict] = {}
    for key in GROUPS:
        mine = [c for c in components if c["group"] == key]
        scored = [c["points"] for c in mine if c["points"] is not None]
        groups[key] = {
            "points": round(sum(scored), 2) if scored else None,
            "max": sum(c["weight"] for c in mine),
            "counted": sum(c["weight"] for c in mine if c["points"] is not None),
        }
    scored_all = [c["points"] for c in components if c["points"] is not None]
    total = {
        "points": round(sum(scored_all), 2) if scored_all else None,
        "max": TOTAL,
        "counted": sum(c["weight"] for c in components if c["points"] is not None),
    }
    return {"components": components, "groups": groups, "total": total}
