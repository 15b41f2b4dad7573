"""Views of risks."""

from tracker.risks import bp  # noqa: F401
