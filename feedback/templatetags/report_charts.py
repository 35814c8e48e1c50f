"""Report helpers for templates: percentages, and charts as inline SVG computed on the server (no chart
library, no script: the strict CSP allows neither inline scripts nor inline styles, SVG attributes are fine)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.9804 → "98.0%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def pp(value) -> str:
    """A change in percentage points with its sign: +0.6 pp; one that rounds to nothing is ±0.0 pp, not -0.0."""
    if value is None:
        return "—"
    shown = round(float(value), 1)
    return "±0.0 pp" if shown == 0 else f"{shown:+.1f} pp"


@register.filter
def num(value, digits: int = 2) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal | float):
        return f"{float(value):.{int(digits)}f}"
    return str(value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.inclusion_tag("feedback/partials/chart_trend.html")
def trend_chart(points, width: int = 640, height: int = 220):
    """满意率 per month as a line with its 95% band; the y axis zooms to the data (never hiding 100%)."""
    left, right, top, bottom = 44, 22, 12, 28
    rates = [p for p in points if p.rate is not None]
    lows = [p.ci_low for p in rates] or [0.9]
    low = max(0.0, min(min(lows), 0.9) - 0.02)
    low = int(low * 20) / 20  # a multiple of 5%
    high = 1.0
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return round(top + (high - v) / (high - low) * plot_h, 1)

    coords, band_top, band_bottom, dots, labels = [], [], [], [], []
    for i, p in enumerate(points):
        x = round(left + i * step, 1)
        text = str(p.month.year) if p.month.month == 1 else _("month %(n)s") % {"n": p.month.month}
        labels.append({"x": x, "text": text})
        if p.rate is None:
            continue
        coords.append(f"{x},{y(p.rate)}")
        band_top.append(f"{x},{y(p.ci_high)}")
        band_bottom.append(f"{x},{y(p.ci_low)}")
        dots.append(
            {"x": x, "y": y(p.rate), "title": f"{p.month:%Y-%m} {p.rate * 100:.1f}% ({p.good}/{p.reached})"}
        )
    ticks = []
    v = low
    while v <= high + 1e-9:
        ticks.append({"y": y(v), "label": f"{v * 100:.0f}%"})
        v = round(v + (0.05 if high - low <= 0.3 else 0.1), 4)
    return {
        "width": width,
        "height": height,
        "left": left,
        "right_x": width - right,
        "line": " ".join(coords),
        "band": " ".join(band_top + list(reversed(band_bottom))),
        "dots": dots,
        "ticks": ticks,
        "labels": labels,
        "label_y": height - 8,
        "empty": not rates,
    }


@register.inclusion_tag("feedback/partials/chart_bars.html")
def bar_chart(items, value_key: str = "orders", label_key: str = "label", width: int = 420):
    """Horizontal bars, longest first (items already sorted)."""
    items = list(items)[:12]
    biggest = max((i[value_key] for i in items), default=0) or 1
    row_h, label_w, gap = 24, 110, 6
    bars = []
    for n, item in enumerate(items):
        w = round((width - label_w - 50) * item[value_key] / biggest, 1)
        bars.append(
            {
                "y": n * (row_h + gap),
                "w": max(w, 1),
                "label": str(item[label_key])[:10],
                "value": item[value_key],
            }
        )
    return {
        "width": width,
        "height": max(len(bars) * (row_h + gap), row_h),
        "bars": bars,
        "label_w": label_w,
        "row_h": row_h,
        "text_dy": row_h // 2 + 5,
    }


@register.inclusion_tag("feedback/partials/chart_hours.html")
def hour_chart(hours, width: int = 640, height: int = 160):
    """Orders by local hour of day as 24 columns."""
    biggest = max(hours, default=0) or 1
    left, bottom, top = 6, 22, 8
    col = (width - left * 2) / 24
    plot_h = height - bottom - top
    cols = []
    for h, n in enumerate(hours):
        bar_h = round(plot_h * n / biggest, 1)
        cols.append(
            {
                "x": round(left + h * col + 1, 1),
                "y": round(top + plot_h - bar_h, 1),
                "w": round(col - 2, 1),
                "h": bar_h,
                "hour": h,
                "n": n,
                "label": h % 3 == 0,
                "tx": round(left + h * col + col / 2, 1),
            }
        )
    return {"width": width, "height": height, "cols": cols, "label_y": height - 6}
