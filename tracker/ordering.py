"""Putting rows in order by hand: "Move up" and "Move down" on a list kept by `position`
(milestones, staff resources), and the position of a row added at the end."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import AnyOf

from tracker.extensions import db
from tracker.rules import RuleRefused
from tracker.versioning import VersionedForm, is_stale


class MoveForm(VersionedForm, FlaskForm):
    """The "Move up" and "Move down" buttons of one row (each a button named `direction`), with
    the version the row was shown at."""

    direction = StringField(validators=[AnyOf(("up", "down"), message="Choose up or down")])


def next_position(model: Any, project_id: int) -> int:
    """The position after the last of the project's rows of `model` (1 for the first)."""
    last = db.session.execute(
        select(func.max(model.position)).where(model.project_id == project_id)
    ).scalar()
    return (last or 0) + 1


def move_position(records: Sequence[Any], record: Any, up: bool) -> None:
    """Swap `record` with the row before it (`up`) or after it in `records` (the list in its
    shown order), then number every row's `position` afresh from 1, so that rows that had the
    same position (as imported) keep the order they were shown in. The first row moved up, or
    the last moved down, stays where it is."""
    ordered = list(records)
    index = ordered.index(record)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered, start=1):
        if each.position != position:
            each.position = position
    db.session.flush()


def posted_move(record: Any, what: str, move: Callable[[bool], None]) -> tuple[str, int] | None:
    """Read the posted MoveForm for `record` (`what` names it: "Stage 2") and make the move
    (`move(up)`): None when done, or why not, with the page's status: 400 for a form that is
    not a move, 409 when the row changed since the page showed it or a rule refuses."""
    form = MoveForm()
    if not form.validate_on_submit():
        return "Choose Move up or Move down", 400
    if is_stale(form, record):
        return (
            f"{what} was changed by someone else after you opened this page. "
            "Check it and move it again",
            409,
        )
    try:
        move(form.direction.data == "up")
    except RuleRefused as refused:
        return refused.message, 409
    return None
