"""Entering a round's ratings: who may rate what, and saving one column of the matrix.

A round rates elements per service, per work stream or for the whole council. The manager
and support officer rate anything; a work stream lead rates only their own streams, in a
round rated per work stream. Values must be on the round's scale. Services flush.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select

from tracker.auth.models import Person
from tracker.evidence.access import Viewer
from tracker.evidence.models import AssessmentRound, ElementRating, RatingScope
from tracker.evidence.readiness import SCALE_LABELS
from tracker.extensions import db
from tracker.permissions import PLANNERS
from tracker.projects.models import Role


class RatingError(ValueError):
    """A refused rating, in words for the page."""


def may_rate(viewer: Viewer, round_: AssessmentRound, column_id: int | None) -> bool:
    """Planners rate any column; a lead only their own stream in a per-work-stream round."""
    if viewer.roles & PLANNERS:
        return True
    return (
        Role.WS_LEAD in viewer.roles
        and round_.scope is RatingScope.WORK_STREAM
        and column_id in viewer.stream_ids
    )


def save_column(
    round_: AssessmentRound,
    column_id: int | None,
    values: Mapping[int, str],
    person: Person,
    today: dt.date,
) -> int:
    """Set the ratings of one service, work stream or the council: element id -> value ("" for
    not rated). Returns how many ratings changed. Raises RatingError for a value off the
    round's scale, and then changes nothing."""
    scale = SCALE_LABELS[round_.scale]
    wrong = sorted({v for v in values.values() if v and v not in scale})
    if wrong:
        raise RatingError(
            f"{', '.join(wrong)} is not a rating of this round: use {', '.join(scale.values())}"
        )
    column = {
        RatingScope.SERVICE: ElementRating.service_id,
        RatingScope.WORK_STREAM: ElementRating.work_stream_id,
    }.get(round_.scope)
    query = select(ElementRating).where(ElementRating.round_id == round_.id)
    if column is not None:
        query = query.where(column == column_id)
    existing = {r.element_id: r for r in db.session.execute(query).scalars()}
    changed = 0
    for element_id, value in values.items():
        rating = existing.get(element_id)
        if not value:
            if rating is not None:
                db.session.delete(rating)
                changed += 1
            continue
        if rating is None:
            rating = ElementRating(round_id=round_.id, element_id=element_id)
            if round_.scope is RatingScope.SERVICE:
                rating.service_id = column_id
            elif round_.scope is RatingScope.WORK_STREAM:
                rating.work_stream_id = column_id
            db.session.add(rating)
        elif rating.rating == value:
            continue
        rating.rating = value
        rating.rated_by_id = person.id
        rating.rated_on = today
        changed += 1
    db.session.flush()
    return changed
