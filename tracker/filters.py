"""Jinja filters: money, dates and times as a council officer reads them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup, escape

LONDON = ZoneInfo("Europe/London")  # the council's dates and times: import it from here


def london_today() -> dt.date:
    """Today's date in the council's time zone (the date an officer would write): for dates
    that record what happened. Figures judged against a date (lateness, statuses, due lists)
    use the project's status date, `tracker.projects.status.status_date`."""
    return dt.datetime.now(LONDON).date()


def money(pence: int | None) -> str:
    """Whole pence as pounds: 2260000 -> "£22,600.00"; negative as "-£5.00"."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def date(value: dt.date | dt.datetime | None, month_only: bool = False) -> str:
    """26 Feb 2010; a moment in time is shown in London time."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(LONDON).date() if value.tzinfo else value.date()
    return value.strftime("%b %Y") if month_only else f"{value.day} {value.strftime('%b %Y')}"


def datetime(value: dt.datetime | None) -> str:
    """26 Feb 2010, 14:05 in London time."""
    if value is None:
        return ""
    local = value.astimezone(LONDON) if value.tzinfo else value
    return f"{local.day} {local.strftime('%b %Y, %H:%M')}"


def days(value: int | None) -> str:
    """A signed number of days: "+31 days", "-2 days", "0 days"."""
    if value is None:
        return ""
    unit = "day" if abs(value) == 1 else "days"
    return f"{value:+d} {unit}" if value else f"0 {unit}"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def audit_value(value: Any, field: str = "") -> str:
    """A value as the audit trail keeps it (JSON) in the words of the rest of the tracker:
    "2010-02-28" as 28 Feb 2010, a moment in London time, pence as pounds, yes or no."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int) and field.endswith("_pence"):
        return money(value)
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            return date(dt.date.fromisoformat(value))
        if _ISO_MOMENT.match(value):
            try:
                return datetime(dt.datetime.fromisoformat(value))
            except ValueError:
                return value
    return str(value)


_TAG_COLOURS = {
    "green": "govuk-tag--green",
    "amber": "govuk-tag--yellow",
    "red": "govuk-tag--red",
    "grey": "govuk-tag--grey",
    "blue": "govuk-tag--blue",
}


def tag(text: str, colour: str = "grey") -> Markup:
    """A GOV.UK tag; the words carry the meaning, the colour only repeats it."""
    return Markup(
        f'<strong class="govuk-tag {_TAG_COLOURS.get(colour, "")}">{escape(text)}</strong>'
    )


def register_filters(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(date)
    app.add_template_filter(datetime)
    app.add_template_filter(days)
    app.add_template_filter(audit_value)
    app.add_template_global(tag)
