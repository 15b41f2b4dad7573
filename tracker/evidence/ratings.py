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
from tracker.evidence.models import AssessmentRound, ElementRating, RatingScale, RatingScope
from tracker.evidence.readiness import SCALE_LABELS
from tracker.extensions import db
from tracker.permissions import PLANNERS
from tracker.projects.models import Role
from tracker.rules import RuleRefused


def save_round(
    round_: AssessmentRound,
    *,
    name: str,
    scale: RatingScale,
    scope: RatingScope,
    held_from: dt.date | None,
    held_to: dt.date | None,
) -> dict[str, str]:
    """Add or change a rating round. Returns a message per refused field, and then changes
    nothing: a name the project's other rounds already use; a new scale or scope for a round
    that holds ratings (they were given on the old one)."""
    name = name.strip()
    problems: dict[str, str] = {}
    taken = db.session.execute(
        select(AssessmentRound.id).where(
            AssessmentRound.project_id == round_.project_id,
            AssessmentRound.name == name,
            AssessmentRound.id != (round_.id or 0),
        )
    ).first()
    if taken:
        problems["name"] = "There is a round with this name already: choose another"
    if round_.id is not None and (scale is not round_.scale or scope is not round_.scope):
        rated = db.session.execute(
            select(ElementRating.id).where(ElementRating.round_id == round_.id).limit(1)
        ).first()
        if rated:
            message = "The round has ratings already, so its {} cannot change"
            if scale is not round_.scale:
                problems["scale"] = message.format("scale")
            if scope is not round_.scope:
                problems["scope"] = message.format("scope")
    if problems:
        return problems
    round_.name = name
    round_.scale = scale
    round_.scope = scope
    round_.held_from = held_from
    round_.held_to = held_to
    db.session.add(round_)
    db.session.flush()
    return {}


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
    notes: Mapping[int, str] | None = None,
) -> int:
    """Set the ratings of one service, work stream or the council: element id -> value ("" for
    not rated), and where given element id -> note. Returns how many ratings changed. Raises
    RuleRefused for a value off the round's scale, and then changes nothing."""
    scale = SCALE_LABELS[round_.scale]
    wrong = sorted({v for v in values.values() if v and v not in scale})
    if wrong:
        raise RuleRefused(
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
        elif rating.rating == value and (notes is None or rating.note == notes.get(element_id)):
            continue
        rating.rating = value
        if notes is not None:
            rating.note = notes.get(element_id, "")
        rating.rated_by_id = person.id
        rating.rated_on = today
        changed += 1
    db.session.flush()
    return changed


def _cell(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def parse_import(
    table: list[list[object]],
    round_: AssessmentRound,
    element_ids: Mapping[str, int],
    column_ids: Mapping[str, int],
) -> tuple[dict[int | None, dict[int, tuple[str, str]]], list[str]]:
    """A spreadsheet of ratings (columns Element, Service or Work stream, Rating, Note) to the
    (value, note) to save per column and element, and a message for every row that cannot be
    read. Ratings may be written as stored ("100", "partial") or in words ("100%", "Partial
    Compliance"); the Note column may be left out."""
    if not table:
        return {}, ["The file has no rows"]
    header = [_cell(h).lower() for h in table[0]]
    where = {"element": None, "for": None, "rating": None, "note": None}
    for index, name in enumerate(header):
        if name == "element":
            where["element"] = index
        elif name in ("service", "work stream", "work_stream"):
            where["for"] = index
        elif name == "rating":
            where["rating"] = index
        elif name == "note":
            where["note"] = index
    needed = ["element", "rating"] + ([] if round_.scope is RatingScope.COUNCIL else ["for"])
    missing = [k for k in needed if where[k] is None]
    if missing:
        names = {"element": "Element", "rating": "Rating", "for": "Service or Work stream"}
        return {}, [f"The first row must name the columns: {', '.join(names[m] for m in missing)}"]
    scale = SCALE_LABELS[round_.scale]
    words = {label.lower(): value for value, label in scale.items()} | {v.lower(): v for v in scale}
    found: dict[int | None, dict[int, tuple[str, str]]] = {}
    first_row: dict[tuple[int | None, int], int] = {}  # (column, element) -> row that rated it
    errors: list[str] = []
    for number, row in enumerate(table[1:], start=2):
        cells = [_cell(c) for c in row] + [""] * len(header)
        if not any(cells):
            continue
        code, rating = cells[where["element"]], cells[where["rating"]]
        problems = []
        if code not in element_ids:
            problems.append(f"{code or 'a blank'} is not an element of the standard")
        column: int | None = None
        if where["for"] is not None:
            name = cells[where["for"]]
            column = column_ids.get(name.lower())
            if column is None:
                problems.append(
                    f"“{name}” is not one of the project's {round_.scope.value.replace('_', ' ')}s"
                )
        value = words.get(rating.lower())
        if rating and value is None:
            problems.append(f"{rating} is not a rating of this round")
        earlier = first_row.get((column, element_ids.get(code, 0)))
        if earlier is not None:
            problems.append(f"{code} is rated already in row {earlier}: keep one of the two")
        if problems:
            errors.append(f"Row {number}: " + "; ".join(problems))
        else:
            first_row[(column, element_ids[code])] = number
            note = cells[where["note"]] if where["note"] is not None else ""
            found.setdefault(column, {})[element_ids[code]] = (value or "", note)
    return found, errors
