"""How each progress state is drawn on the Gantt chart: its bar colour and fill pattern.

Colour is never the only cue: each progress state also has its own fill pattern and its words
(`Progress.label`, with its tag colour `Progress.colour`), used by the Gantt chart's bars and
legend, its accessible table, and the work plan's export and import.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.plan.models import Progress


@dataclass(frozen=True)
class ProgressStyle:
    progress: Progress
    colour: str
    pattern: str
    pattern_name: str

    @property
    def label(self) -> str:
        return self.progress.label

    @property
    def tag_colour(self) -> str:
        return self.progress.colour


# GOV.UK palette colours; the pattern and the words carry the same meaning as the colour. In the
# order of the chart's legend.
PROGRESS_STYLES: dict[Progress, ProgressStyle] = {
    style.progress: style
    for style in (
        ProgressStyle(Progress.COMPLETE, "#00703c", "", "solid"),
        ProgressStyle(Progress.ON_TRACK, "#1d70b8", "/", "diagonal stripes"),
        ProgressStyle(Progress.AT_RISK, "#f47738", "x", "cross-hatched"),
        ProgressStyle(Progress.LATE, "#d4351c", "-", "horizontal stripes"),
        ProgressStyle(Progress.NOT_STARTED, "#505a5f", ".", "dotted"),
    )
}


def progress_label(progress: Progress | None) -> str:
    return progress.label if progress else ""
