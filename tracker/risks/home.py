"""The risk log's part of the project home page (tracker/projects/areas.py): the risks this
person owns, and how many risks it holds. Reviews due wait in the queue (tracker/queue)."""

from __future__ import annotations

from typing import Any

from tracker.permissions import can
from tracker.projects.areas import Asker, CountedArea, add_counts, add_home_part, counting
from tracker.risks.models import Risk
from tracker.risks.services import is_review_overdue, risks_owned_by


def home_part(asker: Asker) -> dict[str, Any]:
    part: dict[str, Any] = {"own_risks": [], "own_overdue": set()}
    if can("risk.view", asker.roles):
        own = risks_owned_by(asker.project, asker.person)
        part["own_risks"] = own
        # The person's own risks whose review is overdue: flagged to the owner too.
        part["own_overdue"] = {r.id for r in own if is_review_overdue(r, asker.today)}
    return part


def register() -> None:
    add_home_part("risks", home_part)
    add_counts(CountedArea(60, "Risks", "risks.log", "risk.view", counting(Risk)))
