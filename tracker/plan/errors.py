"""The error a plan rule raises when it refuses.

Rules take models and plain values, never `request`; they flush, never commit. A rule that
refuses raises `PlanRuleError`, whose `field` names the form field the message belongs beside.
"""

from __future__ import annotations


class PlanRuleError(ValueError):
    """A plan rule refused: `message` in GOV.UK words, `field` the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
