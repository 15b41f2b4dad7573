"""Reading the cells of an imported plan: dates, predecessors, milestones and progress.

A milestone is a row with Milestone "Yes", or, as Microsoft Project writes it, a task whose
Duration is zero ("0 days").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tracker.plan.models import Progress

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d %b %y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %B, %Y",
    "%B %d, %Y",
    "%b %d, %Y",
)
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", re.IGNORECASE)
_TIME = re.compile(r"[\sT]+\d{1,2}:\d{2}(:\d{2})?(\s*[ap]m)?$", re.IGNORECASE)
_EMPTY = {"", "na", "n/a", "none", "-"}


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: a spreadsheet date, or text such as 2010-02-26, 26/02/2010,
    26 Feb 2010 or Microsoft Project's "Fri 26/02/10 08:00". Blank or NA is None.
    Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if text.lower() in _EMPTY:
        return None
    text = _TIME.sub("", _WEEKDAY.sub("", text)).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


_PREDECESSOR = re.compile(
    r"^(?P<id>[^\s+\-]+?)\s*(?P<type>FS|SS|FF|SF)?\s*"
    r"(?:(?P<sign>[+-])\s*(?P<lag>\d+(?:\.0+)?)\s*(?P<unit>[a-z]*)\.?)?$",
    re.IGNORECASE,
)
_DAY_UNITS = {"", "d", "day", "days", "ed", "eday", "edays"}
_WEEK_UNITS = {"w", "wk", "wks", "week", "weeks", "ew", "ewk", "ewks", "eweeks"}


def parse_predecessors(value: Any) -> list[tuple[str, int]]:
    """(ID, lag in days) for each entry of a Predecessors cell, such as "3,5FS+2 days".
    Raises ValueError with a message for the page."""
    if value is None:
        return []
    text = id_text(value)
    if not text:
        return []
    out: list[tuple[str, int]] = []
    for token in re.split(r"[,;]", text):
        token = token.strip()
        if not token:
            continue
        match = _PREDECESSOR.match(token)
        if not match:
            raise ValueError(f"cannot read the predecessor “{token}”")
        kind = (match["type"] or "FS").upper()
        if kind != "FS":
            raise ValueError(
                f"“{token}” is a {kind} link: only finish-to-start dependencies can be imported"
            )
        lag = 0
        if match["lag"]:
            unit = (match["unit"] or "").lower()
            amount = int(float(match["lag"]))
            if unit in _DAY_UNITS:
                lag = amount
            elif unit in _WEEK_UNITS:
                lag = amount * 7
            else:
                raise ValueError(f"the lag in “{token}” must be in days or weeks")
            if match["sign"] == "-":
                lag = -lag
        out.append((match["id"], lag))
    return out


def id_text(value: Any) -> str:
    """An ID cell as text; spreadsheets hand back whole numbers as 3.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value is not None else ""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_yes(value: Any) -> bool:
    return cell_text(value).lower() in {"yes", "y", "true", "1"}


_ZERO_DURATION = re.compile(
    r"^0+(?:\.0+)?\s*(?:e?(?:d|days?|w|wks?|weeks?|h|hrs?|hours?|mins?))?\??$"
)


def is_milestone(milestone: Any, duration: Any) -> bool:
    """A row is a milestone when its Milestone column says Yes or, with no answer there, when its
    Duration is zero: Microsoft Project writes a milestone as a task of "0 days"."""
    if cell_text(milestone):
        return is_yes(milestone)
    return bool(_ZERO_DURATION.match(cell_text(duration).lower()))


_PROGRESS_WORDS = {progress.label.lower(): progress for progress in Progress}
_PROGRESS_WORDS |= {progress.value: progress for progress in Progress}
_PROGRESS_WORDS |= {progress.value.replace("_", " "): progress for progress in Progress}


def parse_progress(value: Any) -> Progress | None:
    text = cell_text(value).lower()
    if not text:
        return None
    if text in _PROGRESS_WORDS:
        return _PROGRESS_WORDS[text]
    raise ValueError(text)


def parse_percent_complete(value: Any) -> Progress | None:
    text = cell_text(value).rstrip("%").strip()
    if not text:
        return None
    number = float(text)
    if (
        isinstance(value, float)
        and not cell_text(value).endswith("%")
        and number <= 1
        and number > 0
    ):
        number *= 100  # a spreadsheet percentage cell holds 0.5 for 50%
    if number >= 100:
        return Progress.COMPLETE
    return Progress.NOT_STARTED if number <= 0 else Progress.ON_TRACK
