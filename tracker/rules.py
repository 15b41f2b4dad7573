"""The one error a rule raises when it refuses.

Every rule in every area (the plan, the logs, the money, the evidence, the reports) takes
models and plain values, never `request`; it may flush, never commit. When it refuses, it
raises `RuleRefused` with the message in GOV.UK words and, where the message belongs beside
one field of the form, that field's name. The form layer (`tracker.forms.show_refusal`)
puts the message beside the field, or in the error summary when `field` is None, and the
request's transaction (`tracker.transactions`) is rolled back, so nothing is half-saved.
"""

from __future__ import annotations


class RuleRefused(ValueError):
    """A rule refused: `message` in GOV.UK words, `field` the form field it belongs beside."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
