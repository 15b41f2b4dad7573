"""What the sponsor's decision on a stage review is based on, as the review's page words it.

The decision form carries this (tracker.versioning.DecidedOnForm): the review's summary and
meeting, and what the stage has done, its milestones' dates and its tasks' progress. A decision
made on a page read before any of these changed is refused, naming what changed, so that the
sponsor never approves a stage as it no longer is. (The review's own fields are set once, when
the review is asked for; the stage's work goes on changing until it is decided.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.filters import date as format_date


def review_basis(context: Mapping[str, Any]) -> dict[str, str]:
    """From the review page's context (tracker.plan.stage_views._review_context)."""
    review = context["review"]
    basis = {
        "Summary": review.summary,
        "Review": format_date(review.scheduled_on),
        "Asked for": format_date(review.requested_at),
    }
    for milestone in context["milestones"]:
        basis[f"Milestone {milestone.name}: finish"] = " ".join(
            [
                f"scheduled {format_date(milestone.scheduled_finish)}",
                f"actual {format_date(milestone.actual_finish) or 'not yet'}",
            ]
        )
    for task in context["tasks"]:
        basis[f"Task {task.code} {task.activity}: progress"] = context["progress"][task.id].label
    return basis
