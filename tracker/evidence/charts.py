"""The readiness chart: elements by criterion, stacked by compliance.

Drawn like every chart in the tracker by static/js/charts.js from JSON embedded in the page
(`figure_json` of tracker/charts.py); the readiness page has the same figures as a
table, and the chart's aria-label (`readiness_summary`) says what it shows. Colour is never the
only cue: each compliance has its own pattern, its count written on the bar, and a legend.
"""

from __future__ import annotations

import plotly.graph_objects as go

from tracker.budget.charts import FONT
from tracker.charts import HOVER_TEXT
from tracker.evidence.readiness import Compliance, Readiness

__all__ = ["readiness_figure", "readiness_summary"]

# GOV.UK green, orange and red, each with its own pattern.
STYLES: dict[Compliance, tuple[str, str]] = {
    Compliance.FULL: ("#00703c", ""),
    Compliance.PARTIAL: ("#f47738", "/"),
    Compliance.NONE: ("#d4351c", "x"),
}


def readiness_figure(readiness: Readiness) -> go.Figure:
    """One stacked bar per criterion: how many of its elements are fully, partially and not
    compliant."""
    numbers = sorted(readiness.by_criterion)
    x = [f"Criterion {n}" for n in numbers]
    traces = []
    for compliance, (colour, pattern) in STYLES.items():
        counts = [readiness.by_criterion[n][compliance] for n in numbers]
        traces.append(
            go.Bar(
                name=compliance.label,
                x=x,
                y=counts,
                text=[str(c) if c else "" for c in counts],
                textposition="inside",
                marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "#ffffff"}},
                hovertext=[
                    f"{label}: {c} {compliance.label.lower()}"
                    for label, c in zip(x, counts, strict=True)
                ],
                hovertemplate=HOVER_TEXT,
            )
        )
    return go.Figure(
        data=traces,
        layout={
            "barmode": "stack",
            "height": 360,  # the container's 240px minimum leaves a phone a sliver of a plot
            "font": FONT,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "margin": {"l": 60, "r": 20, "t": 40, "b": 60},
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            "yaxis": {"title": {"text": "Elements"}, "dtick": 2, "gridcolor": "#b1b4b6"},
        },
    )


def readiness_summary(readiness: Readiness) -> str:
    """What the chart shows, in words, for its aria-label."""
    parts = []
    for number in sorted(readiness.by_criterion):
        counts = readiness.by_criterion[number]
        parts.append(
            f"criterion {number}: {counts[Compliance.FULL]} fully, "
            f"{counts[Compliance.PARTIAL]} partially and {counts[Compliance.NONE]} not compliant"
        )
    return "Elements by criterion and compliance. " + "; ".join(parts) + "."
