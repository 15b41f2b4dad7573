"""Views of the plan: stage reviews, the work plan and milestones."""

from tracker.plan import bp  # noqa: F401
