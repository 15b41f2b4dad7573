"""Charts of the budget and staff pages, built here as Plotly figures.

The page embeds a figure's JSON in `<script type="application/json" data-plotly-for="div-id">`
and static/js/charts.js draws every such figure with /vendor/plotly.min.js. Each chart has a
table on the page with the same figures, and an aria-label (`*_summary`) that says what it shows.

Money is whole pence in the services; the chart's axis is pounds, given to Plotly as Decimal
(exact), with the hover text written by the `money` filter. Colour is never the only cue: the
planned series are dashed or hatched, the actual series solid, and the legend names them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import plotly.graph_objects as go
from markupsafe import Markup

from tracker.budget.months import MonthSpend
from tracker.budget.staff import StaffSummary, format_days
from tracker.charts import HOVER_TEXT
from tracker.filters import date as format_date
from tracker.filters import money

__all__ = ["spend_figure", "spend_summary", "staff_figure", "staff_summary_text"]

PLANNED_COLOUR = "#1d70b8"  # GOV.UK blue
ACTUAL_COLOUR = "#0b0c0c"  # GOV.UK black
MONTH_COLOUR = "#b1b4b6"  # GOV.UK mid grey
FONT = {"family": "arial, sans-serif", "size": 14, "color": "#0b0c0c"}


def pounds(pence: int) -> Decimal:
    """Whole pence as an exact Decimal of pounds, for a chart axis: 120050 -> 1200.50."""
    return Decimal(pence).scaleb(-2)


def _layout(**kwargs: object) -> dict:
    layout: dict = {
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 80, "r": 20, "t": 40, "b": 60},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hoverlabel": {"font": {"family": FONT["family"]}},
        "separators": ".,",
    }
    layout.update(kwargs)
    return layout


def _month_label(month: MonthSpend) -> str:
    return format_date(month.month, month_only=True)


def spend_figure(months: Sequence[MonthSpend]) -> go.Figure:
    """Planned against actual spend to date, month by month, with the spend of each month."""
    x = [_month_label(m) for m in months]
    past = [m for m in months if m.actual_to_date_pence is not None]
    traces: list[go.BaseTraceType] = [
        go.Bar(
            name=Markup("Spent in the month<br>(grey bars)"),
            x=[_month_label(m) for m in past],
            y=[pounds(m.actual_pence or 0) for m in past],
            marker={"color": MONTH_COLOUR, "line": {"color": "#505a5f", "width": 1}},
            hovertext=[
                f"{format_date(m.month, month_only=True)}: {money(m.actual_pence)} spent"
                for m in past
            ],
            hovertemplate=HOVER_TEXT,
        ),
        go.Scatter(
            name=Markup("Planned to date<br>(dashed line, squares)"),
            x=x,
            y=[pounds(m.planned_to_date_pence) for m in months],
            mode="lines+markers",
            line={"color": PLANNED_COLOUR, "width": 3, "dash": "dash"},
            marker={"symbol": "square", "size": 8},
            hovertext=[
                f"{format_date(m.month, month_only=True)}: {money(m.planned_to_date_pence)} "
                "planned to date"
                for m in months
            ],
            hovertemplate=HOVER_TEXT,
        ),
        go.Scatter(
            name=Markup("Spent to date<br>(solid line, circles)"),
            x=[_month_label(m) for m in past],
            y=[pounds(m.actual_to_date_pence or 0) for m in past],
            mode="lines+markers",
            line={"color": ACTUAL_COLOUR, "width": 3},
            marker={"symbol": "circle", "size": 9},
            hovertext=[
                f"{format_date(m.month, month_only=True)}: {money(m.actual_to_date_pence)} "
                "spent to date"
                for m in past
            ],
            hovertemplate=HOVER_TEXT,
        ),
    ]
    layout = _layout(
        height=420,
        xaxis={
            # One category per month, labelled as the table labels it ("Feb 2010").
            "type": "category",
            "categoryorder": "array",
            "categoryarray": x,
            "showgrid": False,
            "title": {"text": "Month"},
        },
        yaxis={
            "title": {"text": "Pounds, excluding VAT"},
            "tickprefix": "£",
            "tickformat": ",.0f",
            "rangemode": "tozero",
            "gridcolor": "#dddddd",
        },
        bargap=0.3,
    )
    return go.Figure(data=traces, layout=layout)


def spend_summary(months: Sequence[MonthSpend]) -> str:
    """The chart in a sentence or two, for its aria-label."""
    if not months:
        return "Chart of planned against actual spend: there are no months to show."
    first = format_date(months[0].month, month_only=True)
    last = format_date(months[-1].month, month_only=True)
    parts = [f"Chart of planned against actual spend by month, {first} to {last}."]
    past = [m for m in months if m.actual_to_date_pence is not None]
    if past:
        latest = past[-1]
        parts.append(
            f"By the end of {format_date(latest.month, month_only=True)}, "
            f"{money(latest.actual_to_date_pence)} spent against "
            f"{money(latest.planned_to_date_pence)} planned to date."
        )
    parts.append("The table below the chart gives the same figures.")
    return " ".join(parts)


def staff_figure(summary: StaffSummary) -> go.Figure:
    """Planned against actual days by role, as pairs of horizontal bars."""
    roles = list(reversed(summary.roles))  # first role at the top
    names = [r.resource.role_name for r in roles]
    traces = [
        go.Bar(
            name="Planned days (hatched bars)",
            orientation="h",
            y=names,
            x=[r.planned_days for r in roles],
            marker={
                "color": PLANNED_COLOUR,
                "pattern": {"shape": "/", "fgcolor": "#ffffff", "fillmode": "overlay"},
                "line": {"color": PLANNED_COLOUR, "width": 1},
            },
            hovertext=[
                f"{r.resource.role_name}: {r.planned_days} days planned "
                f"({r.resource.quantity} × {r.resource.days_each})"
                for r in roles
            ],
            hovertemplate=HOVER_TEXT,
        ),
        go.Bar(
            name="Actual days (solid bars)",
            orientation="h",
            y=names,
            x=[r.actual_days for r in roles],
            marker={"color": ACTUAL_COLOUR},
            hovertext=[
                f"{r.resource.role_name}: {format_days(r.actual_days)} days recorded" for r in roles
            ],
            hovertemplate=HOVER_TEXT,
        ),
    ]
    layout = _layout(
        height=max(240, 70 * len(roles) + 100),
        barmode="group",
        margin={"l": 20, "r": 20, "t": 40, "b": 60},
        xaxis={"title": {"text": "Days"}, "rangemode": "tozero", "gridcolor": "#dddddd"},
        yaxis={"automargin": True},
    )
    return go.Figure(data=traces, layout=layout)


def staff_summary_text(summary: StaffSummary) -> str:
    if not summary.roles:
        return "Chart of planned against actual staff days: no staff resources are planned."
    return (
        f"Bar chart of planned against actual staff days for {len(summary.roles)} roles: "
        f"{format_days(summary.planned_days)} days planned, "
        f"{format_days(summary.actual_days)} recorded. "
        "The table below the chart gives the same figures."
    )
