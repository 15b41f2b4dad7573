"""Things that happened, announced by the area where they happen and heard by other areas.

A service announces an event once its change is flushed (`announce("stage_review.requested",
review, by=person)`); an area that acts on it (tracker/mail, which tells the people it
concerns) listens at start-up (`listen`). The area where it happens so never imports the one that
hears it. What a listener does after the transaction (a message) it queues through tracker.jobs,
so a request that rolls back has no effect through it either.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

EVENTS = frozenset(
    {
        "stage_review.requested",
        "stage_review.decided",
        "change.raised",
        "change.assessed",
        "change.decided",
        "evidence.submitted",
        "evidence.reviewed",
        "gap_action.assigned",
        "report.issued",
    }
)

Listener = Callable[..., None]

_listeners: dict[str, list[Listener]] = defaultdict(list)


def listen(event: str, listener: Listener) -> None:
    """Call `listener(record, by=person)` whenever `event` is announced (once, however often
    this is called)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}: add it to tracker.happenings.EVENTS")
    if listener not in _listeners[event]:
        _listeners[event].append(listener)


def announce(event: str, record: Any, *, by: Any) -> None:
    """`record` (a stage review, change request ...) has had `event` happen to it, done by `by`
    (a Person, or None when no one is known)."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}: add it to tracker.happenings.EVENTS")
    for listener in _listeners[event]:
        listener(record, by=by)
