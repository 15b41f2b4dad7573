"""The evidence's part of the project home page (tracker/projects/areas.py): this person's
unfinished gap actions, how many elements the project's standard has, and how many evidence
items it holds that this person may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tracker.evidence.access import viewer_for
from tracker.evidence.gap_actions import project_actions
from tracker.evidence.models import Criterion, Element, EvidenceItem, SubCriterion
from tracker.projects.areas import Asker, CountedArea, add_counts, add_home_part, counting


def home_part(asker: Asker) -> dict[str, Any]:
    return {"gap_actions": project_actions(asker.project, owner_id=asker.person.id)}


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
