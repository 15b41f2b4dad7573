"""Views of the timeline: dependencies, forecasts, baselines, the Gantt, import and export."""

from tracker.plan import bp  # noqa: F401
