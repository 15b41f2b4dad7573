"""Putting rows in order by hand: "Move up" and "Move down" on a list kept by `position`
(milestones, staff resources)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf

from tracker.extensions import db
from tracker.versioning import VersionedForm


class MoveForm(VersionedForm, FlaskForm):
    """The "Move up" and "Move down" buttons of one row (each a button named `direction`), with
    the version the row was shown at."""

    direction = StringField(validators=[AnyOf(("up", "down"), message="Choose up or down")])


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
