"""Composing the messages for one event and handing them to tracker.jobs.

Links are absolute: inside a request they use the address the request came to; outside one
(the daily digest, from the command line) the BASE_URL setting.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_request_context, render_template, url_for

from tracker.auth.models import MailPreference, Person
from tracker.jobs import enqueue
from tracker.mail.send import Message, send_message
from tracker.projects.models import Project


@dataclass(frozen=True)
class Event:
    """What happened, in words: the subject line, a sentence naming who did it, the record's
    title, and the page where it is seen or acted on."""

    project: Project
    subject: str
    happened: str
    link: str
    link_text: str
    details: Sequence[str] = field(default_factory=tuple)


@contextmanager
def links() -> Iterator[None]:
    """A context in which url_for(..., _external=True) gives the tracker's own address."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        yield


def absolute_url(endpoint: str, **values: Any) -> str:
    with links():
        return url_for(endpoint, **values, _external=True)


def has_address(person: Person) -> bool:
    return bool((person.email or "").strip()) and person.is_active_account


def wants_now(person: Person, actor: Person | None) -> bool:
    """Whether `person` gets a message now: not the one who did it, with an address, and
    wanting messages as they happen (the digest carries the rest)."""
    return (
        (actor is None or person.id != actor.id)
        and has_address(person)
        and person.mail_preference is MailPreference.IMMEDIATE
    )


def compose(person: Person, template: str, subject: str, **context: Any) -> Message:
    """One message to `person` from the text and HTML templates mail/<template>.txt|html."""
    with links():
        context |= {
            "subject": subject,
            "person": person,
            "preferences_url": url_for("mail.preferences", _external=True),
        }
        return Message(
            to_address=person.email or "",
            to_name=person.name,
            subject=subject,
            text=render_template(f"mail/{template}.txt", **context),
            html=render_template(f"mail/{template}.html", **context),
        )


def tell(people: Sequence[Person], event: Event, *, actor: Person | None) -> None:
    """Send `event` to each of `people` who wants it now, once the transaction commits."""
    for person in people:
        if wants_now(person, actor):
            subject = f"{event.project.name}: {event.subject}"
            enqueue(send_message, compose(person, "event", subject, event=event))
