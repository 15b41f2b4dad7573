"""Reading the seed files: TOML and CSV, and the values written in them (pounds, dates,
months, true/false).
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from tracker.filters import LONDON


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield {key: (value or "").strip() for key, value in row.items()}


def _pence(pounds: str | int) -> int:
    """Pounds as written ("11200", "600.00") to whole pence, refusing fractions of a penny."""
    amount = Decimal(str(pounds).replace("£", "").replace(",", "")) * 100
    if amount != amount.to_integral_value():
        raise ValueError(f"{pounds!r} is not a whole number of pence")
    return int(amount)


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _month(text: str) -> dt.date:
    """A month written "2010-04", stored as its first day (the record says it is month-only)."""
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def _bool(text: str) -> bool:
    if text.lower() not in {"true", "false"}:
        raise ValueError(f"expected true or false, not {text!r}")
    return text.lower() == "true"


def _moment(day: dt.date) -> dt.datetime:
    """A day the documents give without a time: the start of that day in London, as UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON).astimezone(dt.UTC)
