"""Views of budget."""

from tracker.budget import bp  # noqa: F401
