"""The ratings grid's guard against lost updates (tracker/versioning.py).

The grid saves one column of a round's ratings, an element per select. Two people saving the
same column at once would each write every cell, the second undoing the first's changes. So the
page carries the column as it was read (`read_as`: element id -> rating); on save, each cell
that someone else changed since then, and that the person's grid would now change back or
otherwise, is named, and nothing is saved: the grid comes back with what they chose, beside
what is saved now. Cells only the person changed, or changed by both to the same rating, pass.
The round's row is locked while a grid is checked and saved (tracker.transitions.lock), so two
saves racing each other are checked one after the other on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from sqlalchemy import select

from tracker.evidence.models import AssessmentRound, Element, ElementRating, RatingScope
from tracker.extensions import db
from tracker.versioning import Conflict, Difference, SeenField, changed_since

NOT_RATED = "Not rated"


class RatingGridForm(FlaskForm):
    """The grid: its selects are read from the request by element; this carries what was read."""

    read_as = SeenField()
    version_conflict: Conflict | None = None


def column_ratings(round_: AssessmentRound, column_id: int | None) -> dict[int, str]:
    """The column's ratings as saved: element id -> rating."""
    query = select(ElementRating).where(ElementRating.round_id == round_.id)
    if round_.scope is RatingScope.SERVICE:
        query = query.where(ElementRating.service_id == column_id)
    elif round_.scope is RatingScope.WORK_STREAM:
        query = query.where(ElementRating.work_stream_id == column_id)
    return {r.element_id: r.rating for r in db.session.execute(query).scalars()}


def as_read(ratings: Mapping[int, str]) -> dict[str, str]:
    """The column as the hidden field carries it."""
    return {str(element_id): value for element_id, value in ratings.items()}


def refuse_stale_grid(
    form: RatingGridForm,
    elements: Sequence[Element],
    saved: Mapping[int, str],
    typed: Mapping[int, str],
    labels: Mapping[str, str],
) -> bool:
    """Refuse a grid saved from a page read before someone else changed a cell it would
    change: True when the grid must be shown again. The carried column moves on to what is
    saved now, so saving again, once the person has seen it, succeeds."""
    read = form.read_as.data
    if read is None:  # posted without it: not checked (tracker/versioning.py)
        return False
    now = as_read(saved)
    changed = set(changed_since(read, now))
    found = [
        Difference(
            f"Element {element.code}",
            labels.get(saved.get(element.id, ""), NOT_RATED),
            labels.get(typed.get(element.id, ""), NOT_RATED),
        )
        for element in elements
        if str(element.id) in changed and typed.get(element.id, "") != saved.get(element.id, "")
    ]
    form.read_as.data = now
    if found:
        form.version_conflict = Conflict(tuple(found))
    return bool(found)
