"""Sending one message: through SMTP when MAIL_SERVER is set, to the log otherwise.

`send_message` is the job tracker.jobs runs after the request commits (in this process, or in
the worker with REDIS_URL set). It takes plain data and uses no database. It raises when the
SMTP server refuses or does not answer, so that a worker can try again; run in-process, the
failure is logged by tracker.jobs and the request that caused it still succeeds.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from typing import TypedDict

from flask import current_app

log = logging.getLogger("tracker.mail")


class Message(TypedDict):
    """One message to one person, as plain data (what a queued job carries)."""

    to_address: str
    to_name: str
    subject: str
    text: str
    html: str


def one_line(text: str) -> str:
    """A header's words on one line: carriage returns, line feeds and every other run of white
    space become one space, so that no name or title can add a header of its own."""
    return " ".join((text or "").split())


def build_email(message: Message, sender: str) -> EmailMessage:
    """The message as MIME: plain text with an HTML alternative, headers on one line each."""
    email = EmailMessage(policy=SMTP)
    email["Subject"] = one_line(message["subject"])
    email["From"] = one_line(sender)
    email["To"] = Address(
        display_name=one_line(message["to_name"]), addr_spec=one_line(message["to_address"])
    )
    email.set_content(message["text"])
    email.add_alternative(message["html"], subtype="html")
    return email


def send_message(message: Message) -> None:
    """Send one message (the job). Raises smtplib.SMTPException or OSError on failure."""
    config = current_app.config
    email = build_email(message, config["MAIL_FROM"])
    if not config.get("MAIL_SERVER"):
        log.warning(
            "MAIL_SERVER is not set, so this message was written here instead of sent:\n"
            "To: %s\nSubject: %s\n\n%s",
            email["To"],
            email["Subject"],
            message["text"],
        )
        return
    with smtplib.SMTP(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)
    log.info("Sent %r to %s", email["Subject"], message["to_address"])
