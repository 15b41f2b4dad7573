"""What a decision on a change request is based on, as its page words it.

The decision form carries this (tracker.versioning.DecidedOnForm), so that a decision made on a
page read before someone rewrote the impact analysis or the proposed effects is refused, naming
what changed, instead of approving something the decider did not see. The change request's row
version alone would not do: its effects are rows of their own.
"""

from __future__ import annotations

from tracker.filters import date as format_date
from tracker.filters import money
from tracker.issues.classification import ChangeView


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def change_basis(view: ChangeView) -> dict[str, str]:
    """The change request's description, impact analysis, class and effects, in words."""
    change = view.change
    basis = {
        "Description of change": change.description,
        "Expected benefits": change.expected_benefits,
        "Number of days of work": str(change.impact_days or 0),
        "Other products affected": change.impact_products,
        "Cost of the change": money(change.impact_cost_pence or 0),
        "Needs more resources": _yes_no(change.needs_more_resources),
        "Changes the project's requirements": _yes_no(change.changes_requirements),
        "Major or minor": view.classification.label,
    }
    for effect in view.effects:
        new = effect.new
        words = money(new) if effect.is_money else format_date(new) if new else ""
        basis[f"Effect: {effect.heading}"] = str(words)
    return basis
