"""What a seed load keeps while it runs: the records loaded so far by their natural keys, and
how many rows of each table it added.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from tracker.auth.models import Person
from tracker.budget.models import BudgetLine, FundingSource
from tracker.extensions import db
from tracker.issues.models import EffectTarget, IssueLogEntry
from tracker.plan.models import Milestone, Stage
from tracker.projects.models import Meeting, MeetingKind, Project, Service, WorkStream
from tracker.seeding.files import _read_toml

M = TypeVar("M", bound=db.Model)


@dataclass
class SeedResult:
    """How many rows of each table the load added (nothing, when run a second time)."""

    added: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.added.values())

    def summary(self) -> str:
        if not self.total:
            return "Nothing to add: the seed data is already loaded."
        lines = [f"Added {self.total} records:"]
        lines += [f"  {table:<20} {count:>5}" for table, count in sorted(self.added.items())]
        return "\n".join(lines)


class _Loader:
    def __init__(self, seed_dir: Path) -> None:
        self.dir = seed_dir
        self.result = SeedResult()
        self.config = _read_toml(seed_dir / "project.toml")
        self.people: dict[str, Person] = {}  # by initials and by name
        self.streams: dict[str, WorkStream] = {}
        self.stages: dict[int, Stage] = {}
        self.meetings: dict[tuple[MeetingKind, dt.date], Meeting] = {}
        self.sources: dict[str, FundingSource] = {}
        self.lines: dict[tuple[str, str], BudgetLine] = {}
        self.services: dict[str, Service] = {}
        self.issues: dict[str, IssueLogEntry] = {}
        self.milestones: dict[str, Milestone] = {}
        self.project: Project
        self.change_requests = _read_toml(seed_dir / "change_requests.toml").get(
            "change_requests", []
        )
        # Records added in this run with a field an approved change request later moved: they
        # start with the value before the change, which the change request then applies.
        self.rewound: set[tuple[EffectTarget, int]] = set()

    def _get_or_add(
        self, model: type[M], key: Mapping[str, Any], values: Mapping[str, Any] | None = None
    ) -> tuple[M, bool]:
        """The record with this natural key, added with `values` if there is none."""
        found = db.session.execute(select(model).filter_by(**key)).scalar_one_or_none()
        if found is not None:
            return found, False
        record = model(**key, **(values or {}))
        db.session.add(record)
        db.session.flush()
        self.result.added[model.__tablename__] += 1
        return record, True

    def person(self, ref: str) -> Person:
        try:
            return self.people[ref]
        except KeyError:
            raise ValueError(
                f"seed: nobody in people.csv is called or initialled {ref!r}"
            ) from None

    def before_change(
        self, target: EffectTarget, name: object, values: dict[str, Any]
    ) -> dict[str, Any]:
        """The values to add a stage or milestone with: its fields moved by a change request of
        change_requests.toml take the value they had before it (the effect's `old`). The seed
        files hold the values after the change, as V1.2 states them; the loader applies the
        change afterwards so that the audit trail names the change request as the cause."""
        values = dict(values)
        for request in self.change_requests:
            for effect in request.get("effects", []):
                if effect["target"] != target.value or effect.get(target.value) != name:
                    continue
                if values[effect["field"]] != effect["new"]:
                    raise ValueError(
                        f"seed: {target.value} {name} {effect['field']} is "
                        f"{values[effect['field']]}, but change request {request['number']} "
                        f"moved it to {effect['new']}"
                    )
                values[effect["field"]] = effect["old"]
        return values
