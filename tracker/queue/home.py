"""The queue's part of the kernel's pages (tracker/projects/areas.py): what waits for the
signed-in person, oldest first, on the project home page (as `work.waiting`) and under each
project on the list of their projects."""

from __future__ import annotations

from typing import Any

from tracker.projects.areas import Asker, add_home_part, add_waiting_list
from tracker.queue.rules import Waiting
from tracker.queue.services import waiting_for


def waiting(asker: Asker) -> list[Waiting]:
    return waiting_for(asker.person, asker.project, roles=asker.roles, today=asker.today)


def home_part(asker: Asker) -> dict[str, Any]:
    return {"status_day": asker.today, "waiting": waiting(asker)}


def register() -> None:
    add_home_part("queue", home_part)
    add_waiting_list("queue", waiting)
