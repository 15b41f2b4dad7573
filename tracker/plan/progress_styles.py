"""How each progress state is shown: its words, colour, fill pattern and tag colour.

Colour is never the only cue: each progress state also has its own fill pattern and a text label,
used by the Gantt chart's bars and legend, its accessible table, and the work plan's export and
import.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.plan.models import Progress


@dataclass(frozen=True)
class ProgressStyle:
    label: str
    colour: str
    pattern: str
    pattern_name: str
    tag_colour: str


# GOV.UK palette colours; the pattern and the words carry the same meaning as the colour.
PROGRESS_STYLES: dict[Progress, ProgressStyle] = {
    Progress.COMPLETE: ProgressStyle("Complete", "#00703c", "", "solid", "green"),
    Progress.ON_TRACK: ProgressStyle("On track", "#1d70b8", "/", "diagonal stripes", "blue"),
    Progress.AT_RISK: ProgressStyle("At risk", "#f47738", "x", "cross-hatched", "amber"),
    Progress.LATE: ProgressStyle("Late", "#d4351c", "-", "horizontal stripes", "red"),
    Progress.NOT_STARTED: ProgressStyle("Not started", "#505a5f", ".", "dotted", "grey"),
}


def progress_label(progress: Progress | None) -> str:
    return PROGRESS_STYLES[progress].label if progress else ""
