"""The exercise's report: the same content as an HTML page (Chart.js chart beside a data table)
and as a PDF rendered by WeasyPrint, whose chart is an SVG drawn here (a PDF runs no script)."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from . import selectors
from .models import Exercise

#: GOV.UK colours: green, orange (dark enough for white text), red
GRADE_COLOURS = {"good": "#00703c", "requires_improvement": "#b34700", "inadequate": "#d4351c"}


@dataclass
class Bar:
    label: str
    count: int
    colour: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value_y: float


def grade_chart_svg_bars(counts: list[tuple[str, str, int]], *, width: int = 480, height: int = 220) -> list[Bar]:
    """Bars for a vertical bar chart of the grade distribution, in SVG user units."""
    top, bottom, gap = 20, 40, 40
    peak = max((n for _, _, n in counts), default=0) or 1
    bar_width = (width - gap * (len(counts) + 1)) / max(len(counts), 1)
    bars = []
    for i, (value, label, n) in enumerate(counts):
        h = (height - top - bottom) * n / peak
        x = gap + i * (bar_width + gap)
        bars.append(Bar(label=label, count=n, colour=GRADE_COLOURS[value], x=x, y=height - bottom - h,
                        width=bar_width, height=h, label_x=x + bar_width / 2,
                        value_y=height - bottom - h - 4))
    return bars


def context(user, ex: Exercise) -> dict:
    res = selectors.results(ex)
    return {
        "exercise": ex, "results": res, "plan": selectors.plan(user, ex),
        "bars": grade_chart_svg_bars(res.chart), "chart_height": 220, "chart_width": 480,
        "chart_data": {"labels": [label for _, label, _ in res.chart], "counts": [n for _, _, n in res.chart],
                       "colours": [GRADE_COLOURS[v] for v, _, _ in res.chart]},
        "grades": selectors.GRADES,
    }


def pdf(user, ex: Exercise, *, base_url: str) -> bytes:
    import weasyprint

    html = render_to_string("inspections/report_pdf.html", context(user, ex))
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
