"""The numbers the logs give their entries: "01", "02" ... "09", "10".

The risk log and the issue log number their entries alike, per project: the next number is one
more than the highest number already in the log (withdrawn entries included: their numbers stay
taken, so that "R3" always means the same risk), written with two digits at least. Numbers
that are not whole numbers (an "old" entry imported as it was) are skipped. Two people adding
an entry at the same moment may take the same number: `flush_numbered` turns the database's
refusal of the second into a `RuleRefused` asking to save again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.database import INCLUDE_WITHDRAWN
from tracker.extensions import db
from tracker.rules import RuleRefused


def next_log_number(model: Any, project_id: int) -> str:
    """The next number in the project's log of `model` (a model with `number` and
    `project_id` columns), two digits at least as the logs write them ("04", "09")."""
    numbers = db.session.execute(
        select(model.number)
        .where(model.project_id == project_id)
        .execution_options(**INCLUDE_WITHDRAWN)  # a withdrawn entry keeps its number
    ).scalars()
    highest = max((int(n) for n in numbers if n.isdigit()), default=0)
    return f"{highest + 1:02d}"


def flush_numbered(message: str, field: str | None = None) -> None:
    """Flush a new numbered entry. When someone else took the same number a moment earlier, the
    database refuses it: the rule refuses with `message` (beside `field`), to save again."""
    try:
        db.session.flush()
    except IntegrityError as error:
        raise RuleRefused(message, field=field) from error
