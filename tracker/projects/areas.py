"""What each area adds to the kernel's own pages, so that `projects` imports no area.

The project home page shows what each area asks of the signed-in person and how much each
area holds, and the history pages read a record under the rule of its area's page. The
kernel does not know the areas: each area fills in this registry from its own module
(`tracker/<area>/home.py`, `tracker/evidence/record_history.py`, ...) when its blueprint is
registered (`tracker/__init__.register_blueprints` calls the area's `register()`).
Registering again (every app the tests create) replaces an entry under the same name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from tracker.auth.models import Person
from tracker.projects.models import Project, Role


@dataclass(frozen=True)
class Asker:
    """The person a page is for: who they are, their roles in the project, and the day."""

    project: Project
    person: Person
    roles: frozenset[Role]
    today: dt.date


# An area's part of the home page: the names it gives the template (its lists of what is
# waiting for this person, under `work.<name>`, and anything else it shows).
HomePart = Callable[[Asker], Mapping[str, Any]]


@dataclass(frozen=True)
class CountedArea:
    """A line of "What the project holds": `count` is a scalar subquery for the asker's
    project. `place` orders the lines; the line is left out for roles without `action`."""

    place: int
    label: str
    endpoint: str
    action: str
    count: Callable[[Asker], Any]


HOME_PARTS: dict[str, HomePart] = {}
COUNTED_AREAS: dict[str, CountedArea] = {}


# What waits for the asker in a project, oldest first (the queue, tracker/queue/home.py): shown
# under each project on the list of the person's projects.
WaitingList = Callable[[Asker], Sequence[Any]]

WAITING_LISTS: dict[str, WaitingList] = {}


def add_waiting_list(name: str, listing: WaitingList) -> None:
    WAITING_LISTS[name] = listing


def waiting_lists(asker: Asker) -> list[Any]:
    return [entry for listing in WAITING_LISTS.values() for entry in listing(asker)]


def add_home_part(name: str, part: HomePart) -> None:
    HOME_PARTS[name] = part


def add_counts(*areas: CountedArea) -> None:
    for area in areas:
        COUNTED_AREAS[area.label] = area


def home_parts(asker: Asker) -> dict[str, Any]:
    """Every area's part of the home page, merged into one set of names for the template."""
    names: dict[str, Any] = {}
    for part in HOME_PARTS.values():
        names.update(part(asker))
    return names


def counted_areas() -> list[CountedArea]:
    return sorted(COUNTED_AREAS.values(), key=lambda area: area.place)


def counting(model: Any, *where: object) -> Callable[[Asker], Any]:
    """A CountedArea's count: how many of `model`'s records (those `where` keeps) the asker's
    project holds, as a scalar subquery."""

    def count(asker: Asker) -> Any:
        return (
            select(func.count())
            .select_from(model)
            .where(model.project_id == asker.project.id, *where)
            .scalar_subquery()
        )

    return count


# Papers that areas show against a meeting on the meetings page (the reports area: the pack of
# a project group meeting, the quarterly report an EMT or lead member meeting reads).


@dataclass(frozen=True)
class Paper:
    text: str
    href: str


# An area's papers for the asker's meetings: meeting id -> its papers, in a fixed number of
# queries whatever the number of meetings.
MeetingPapers = Callable[[Asker, Sequence[Any]], Mapping[int, list[Paper]]]

MEETING_PAPERS: dict[str, MeetingPapers] = {}


def add_meeting_papers(name: str, papers: MeetingPapers) -> None:
    MEETING_PAPERS[name] = papers


def meeting_papers(asker: Asker, meetings: Sequence[Any]) -> dict[int, list[Paper]]:
    """Every area's papers for these meetings, meeting id -> papers."""
    found: dict[int, list[Paper]] = {}
    for papers in MEETING_PAPERS.values():
        for meeting_id, listed in papers(asker, meetings).items():
            found.setdefault(meeting_id, []).extend(listed)
    return found
