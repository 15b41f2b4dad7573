"""Views of issues."""

from tracker.issues import bp  # noqa: F401
