"""The table every benchmark of issue 15 ends with: each figure beside its goal, and whether it
meets it. Figures are medians of interleaved runs (these machines are shared and noisy)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    goal: float | None = None  # at most this; None when the figure is only reported

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""
        return "pass" if self.value <= self.goal else "FAIL"


def print_figures(title: str, figures: Sequence[Figure]) -> None:
    width = max([len(f.name) for f in figures] + [6])
    print(title)
    header = f"{'figure':<{width}} {'value':>10} {'goal':>10}  verdict"
    print(header)
    print("-" * len(header))
    for f in figures:
        goal = f"≤ {f.goal:g} {f.unit}" if f.goal is not None else ""
        print(f"{f.name:<{width}} {f.value:>7.1f} {f.unit:<2} {goal:>10}  {f.verdict}")


def interleaved_medians(
    actions: dict[str, Callable[[], object]], repeats: int = 5
) -> dict[str, float]:
    """Median milliseconds of each action, run in turn `repeats` times after one warm-up each,
    so that a burst of noise on the machine touches every figure alike."""
    for action in actions.values():
        action()
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            began = time.perf_counter()
            action()
            times[name].append((time.perf_counter() - began) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}
