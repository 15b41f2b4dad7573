"""E-mail: messages to the people an event concerns, the daily digest, and each person's choice
of what they get.

An event (a stage review requested, evidence returned ...) calls its function in `events`, which
asks `recipients` whom it concerns and `notify.tell` composes one message per person and hands
`send.send_message` to tracker.jobs, so that it is sent only once the request's transaction has
committed. A message is plain data (`send.Message`), so that the job can be queued on Redis.
"""

from flask import Blueprint

bp = Blueprint("mail", __name__)
