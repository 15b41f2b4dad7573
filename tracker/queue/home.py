"""The queue's part of the project home page (tracker/projects/areas.py): what waits for the
signed-in person, oldest first, as `work.waiting`."""

from __future__ import annotations

from typing import Any

from tracker.projects.areas import Asker, add_home_part
from tracker.queue.services import waiting_for


def home_part(asker: Asker) -> dict[str, Any]:
    return {
        "status_day": asker.today,
        "waiting": waiting_for(asker.person, asker.project, roles=asker.roles, today=asker.today),
    }


def register() -> None:
    add_home_part("queue", home_part)
