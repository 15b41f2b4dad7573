"""The evidence's part of the project home page (tracker/projects/areas.py): this person's
unfinished gap actions, the work streams they lead (each links to what it owes), how many
elements the project's standard has, and how many evidence items it holds that this person may
see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tracker.evidence.access import viewer_for
from tracker.evidence.gap_actions import project_actions
from tracker.evidence.models import Criterion, Element, EvidenceItem, SubCriterion
from tracker.extensions import db
from tracker.projects.areas import Asker, CountedArea, add_counts, add_home_part, counting
from tracker.projects.models import Membership, Role, WorkStream


def home_part(asker: Asker) -> dict[str, Any]:
    return {
        "gap_actions": project_actions(asker.project, owner_id=asker.person.id),
        "led_streams": _led_streams(asker) if Role.WS_LEAD in asker.roles else [],
    }


def _led_streams(asker: Asker) -> list[WorkStream]:
    return list(
        db.session.execute(
            select(WorkStream)
            .join(Membership, Membership.work_stream_id == WorkStream.id)
            .where(
                Membership.project_id == asker.project.id,
                Membership.person_id == asker.person.id,
                Membership.role == Role.WS_LEAD,
            )
            .distinct()
            .order_by(WorkStream.position, WorkStream.code)
        ).scalars()
    )


def _elements(asker: Asker) -> Any:
    return (
        select(func.count(Element.id))
        .join(SubCriterion)
        .join(Criterion)
        .where(Criterion.standard_id == asker.project.standard_id)
        .scalar_subquery()
    )


def _visible_items(asker: Asker) -> Any:
    """Only the items this person may see (one query for the streams they belong to)."""
    viewer = viewer_for(asker.person.id, asker.project, asker.roles)
    return counting(EvidenceItem, viewer.visible_clause())(asker)


def register() -> None:
    add_home_part("evidence", home_part)
    add_counts(
        CountedArea(
            100, "Elements of the standard", "evidence.standard", "standard.view", _elements
        ),
        CountedArea(
            110, "Evidence items", "evidence.library_page", "evidence.view", _visible_items
        ),
    )
