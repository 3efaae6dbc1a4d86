"""Charts of the monthly report, drawn on the server as inline SVG (WeasyPrint draws SVG itself): no
JavaScript and no image files in the PDF, and the labels stay text (searchable, sharp in print).

Each function takes printed-ready values and returns the ``<svg>`` element as Markup. Sizes are in
SVG user units; the template gives each chart its printed width and the height follows the viewBox.
Numbers are written the Vietnamese way (``52,3 %``, ``1.234``: app.core.numbers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.core.numbers import format_number, format_percent

FONT = "FormSerif, serif"
INK, GRID, MUTED = "#222", "#c8c8c8", "#666"
GOOD, BAD, TARGET = "#2e7d32", "#c0392b", "#b71c1c"


def number(value: float | int | None, digits: int = 0) -> str:
    """1234 -> '1.234', 3.25 (digits=1) -> '3,3'; None -> '–' (app.core.numbers, in Vietnamese)."""
    return format_number(value, digits, "vi", missing="–")


def percent(rate: float | None, digits: int = 1) -> str:
    """0.5234 -> '52,3 %'; whole numbers lose the decimals ('50 %', '100 %')."""
    return format_percent(rate, digits, "vi", missing="–")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    color: str


@dataclass(frozen=True)
class RateRow:
    label: str
    rate: float | None
    detail: str  # "12/23": the numerator and denominator behind the bar


@dataclass(frozen=True)
class Series:
    name: str
    rates: Sequence[float | None]
    color: str


def _nice_max(value: float) -> int:
    """The axis top: the smallest 1, 2 or 5 x 10^k at or above value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(int(step * power) for step in (1, 2, 5, 10) if step * power >= value)


def _text(x: float, y: float, text: str, size: float = 9, anchor: str = "middle", **attrs: str) -> str:
    fill = attrs.pop("fill", INK)
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-family="{FONT}" fill="{fill}"{extra}>{escape(text)}</text>'
    )


def _line(
    x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, width: float = 0.6, dash: str = ""
) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
        f'stroke-width="{width}"{dashed}/>'
    )


def _rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{fill}"/>'


def _svg(width: float, height: float, body: list[str], title: str) -> Markup:
    # Every text in `body` went through escape() in _text; the rest are numbers and our own colours.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title)}">'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(bars: Sequence[Bar], title: str, width: float = 300, height: float = 170) -> Markup:
    """Vertical bars with their value on top and their label below, on a 0..nice-max axis."""
    left, top, bottom = 34, 12, 30
    plot_w, plot_h = width - left - 6, height - top - bottom
    top_value = _nice_max(max((b.value for b in bars), default=0))
    body = []
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        body.append(_line(left, y, left + plot_w, y))
        if value == int(value):
            body.append(_text(left - 4, y + 3, number(value), 8, "end", fill=MUTED))
    slot = plot_w / max(len(bars), 1)
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / top_value
        x, y = left + slot * i + slot * 0.2, top + plot_h - h
        body.append(_rect(x, y, slot * 0.6, h, bar.color))
        body.append(_text(x + slot * 0.3, y - 3, number(bar.value), 9, font_weight="bold"))
        body.append(_text(x + slot * 0.3, top + plot_h + 13, bar.label, 9))
    body.append(_line(left, top + plot_h, left + plot_w, top + plot_h, INK, 0.8))
    return _svg(width, height, body, title)


def _clip(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def rate_bars(
    rows: Sequence[RateRow], target: float | None, target_label: str, title: str, width: float = 600
) -> Markup:
    """One horizontal bar per row (a rate, 0-100%), the target as a dashed vertical line; bars at or
    above the target are green, below it red (all grey when no target applies); a row with no
    dossiers says so instead of a bar."""
    label_w, right, top, row_h = 230, 96, 18, 17
    plot_w = width - label_w - right
    height = top + row_h * max(len(rows), 1) + 16
    body = []
    for i in range(5):
        x = label_w + plot_w * i / 4
        body.append(_line(x, top - 4, x, height - 14))
        body.append(_text(x, height - 4, f"{25 * i}%", 8, fill=MUTED))
    for i, row in enumerate(rows):
        y = top + row_h * i
        body.append(_text(label_w - 6, y + 11.5, _clip(row.label, 52), 8.5, "end"))
        if row.rate is None:
            body.append(
                _text(label_w + 4, y + 11.5, "không có hồ sơ", 8, "start", fill=MUTED, font_style="italic")
            )
            continue
        w = plot_w * min(row.rate, 1.0)
        color = MUTED if target is None else GOOD if row.rate >= target else BAD
        body.append(_rect(label_w, y + 3, max(w, 0.8), row_h - 6, color))
        body.append(
            _text(label_w + plot_w + 4, y + 11.5, f"{percent(row.rate)} ({row.detail})", 8.5, "start")
        )
    if target is not None:
        x = label_w + plot_w * target
        body.append(_line(x, top - 10, x, height - 14, TARGET, 1.2, "4 2"))
        body.append(_text(x + 3, top - 8, target_label, 8, "start", fill=TARGET, font_weight="bold"))
    return _svg(width, height, body, title)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    notes: Sequence[str],
    targets: Sequence[tuple[float, str]],
    title: str,
    width: float = 600,
    height: float = 210,
) -> Markup:
    """Rates (0-100%) per month as lines with dots; a month with no dossiers breaks the line.
    ``notes`` are printed under each month label (e.g. the number of dossiers received)."""
    left, right, top, bottom = 34, 10, 24, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(labels), 1)
    body = []

    def at(i: int, rate: float) -> tuple[float, float]:
        return left + step * (i + 0.5), top + plot_h * (1 - min(max(rate, 0.0), 1.0))

    for i in range(5):
        y = top + plot_h * (1 - i / 4)
        body.append(_line(left, y, left + plot_w, y))
        body.append(_text(left - 4, y + 3, f"{25 * i}%", 8, "end", fill=MUTED))
    for rate, label in targets:
        y = top + plot_h * (1 - rate)
        body.append(_line(left, y, left + plot_w, y, TARGET, 0.9, "4 2"))
        body.append(_text(left + 3, y - 2.5, label, 7.5, "start", fill=TARGET))
    for i, (label, note) in enumerate(zip(labels, notes, strict=True)):
        x = left + step * (i + 0.5)
        body.append(_text(x, top + plot_h + 12, label, 8))
        body.append(_text(x, top + plot_h + 23, note, 7, fill=MUTED))
    for s in series:
        run: list[tuple[float, float]] = []
        for i, rate in enumerate([*s.rates, None]):
            if rate is not None:
                run.append(at(i, rate))
                continue
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                body.append(
                    f'<polyline points="{points}" fill="none" stroke="{s.color}" stroke-width="1.6"/>'
                )
            body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{s.color}"/>' for x, y in run]
            run = []
    x = left
    for s in series:
        body.append(_rect(x, 5, 14, 4, s.color))
        body.append(_text(x + 18, 10.5, s.name, 8.5, "start"))
        x += 26 + 5.2 * len(s.name)
    return _svg(width, height, body, title)
