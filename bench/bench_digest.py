"""Benchmark: the daily digest (`flask --app tracker send-reminders`) for 500 people on a
project of 20,000 tasks (issue 14, Scale).

Builds the project in a temporary SQLite database with bulk inserts: 20,000 tasks over five
stages and twenty work streams, their target finishes spread around the project's status date
so that many are late or due within 14 days, each with one or two people responsible; risks
whose review is due, evidence submitted and returned, gap actions, change requests and a stage
review awaiting the sponsor; and 500 people with addresses, each wanting immediate messages or
a daily digest, who hold every role (sponsor, manager, support, a lead for each stream, members,
assurance, policy and performance, EMT).

Then times `queue_digests()` and the commit after it, which (without REDIS_URL and MAIL_SERVER)
runs each person's job in this process, as the command does: builds the digest and "sends" it to
the log (with REDIS_URL the worker runs the same jobs, one per person); and `digest_for` for the
person with the longest digest. Prints each with its SQL queries. It asserts nothing about time.
Run with `make bench` or `.venv/bin/python bench/bench_digest.py`.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import flask_migrate
from bench_dashboard import counted
from sqlalchemy import insert, select

from tracker import create_app
from tracker.auth.models import MailPreference, Person
from tracker.config import TestConfig
from tracker.database import utcnow
from tracker.evidence.models import (
    ActionStatus,
    Criterion,
    Element,
    EvidenceItem,
    EvidenceStatus,
    EvidenceStep,
    GapAction,
    Standard,
    SubCriterion,
)
from tracker.extensions import db
from tracker.issues.models import ChangeRequest, ChangeStatus
from tracker.mail.digest import digest_for, queue_digests
from tracker.plan.models import Progress, Stage, StageReview, Task, task_responsible
from tracker.projects.models import Membership, Project, Role, WorkStream
from tracker.risks.models import Level, Risk, RiskStatus

PEOPLE, TASKS, STREAMS = 500, 20_000, 20
RISKS, EVIDENCE, GAP_ACTIONS, CHANGES = 1_000, 4_000, 2_000, 60
REPEATS = 5
STATUS_DATE = dt.date(2010, 9, 1)
START = dt.date(2009, 12, 1)


def days(n: int) -> dt.date:
    """The status date moved by `n` days."""
    return STATUS_DATE + dt.timedelta(days=n)


def roles_of(n: int, streams: list[int]) -> list[tuple[Role, int | None]]:
    """The roles of person number `n`: the first few hold the project's single roles, the next
    lead a stream each, and the rest are members, assurance, P&P or EMT."""
    stream = streams[n % len(streams)]
    single = [Role.SPONSOR, Role.MANAGER, Role.SUPPORT, Role.SUPPORT]
    if n < len(single):
        return [(single[n], None)]
    if n < len(single) + len(streams):
        return [(Role.WS_LEAD, streams[n - len(single)])]
    if n % 50 == 0:
        return [(Role.ASSURANCE, None)]
    if n % 50 == 1:
        return [(Role.EMT, None)]
    if n % 25 == 2:
        return [(Role.PP_REP, stream), (Role.WS_MEMBER, stream)]
    return [(Role.WS_MEMBER, stream)]


def build_people(project_id: int, streams: list[int]) -> list[int]:
    """The 500 people and their memberships; returns their ids in order."""
    preferences = [MailPreference.IMMEDIATE, MailPreference.DIGEST]
    db.session.execute(
        insert(Person),
        [
            {
                "name": f"Person {n + 1}",
                "initials": f"P{n + 1}",
                "email": f"person{n + 1}@example.gov.uk",
                "mail_preference": preferences[n % 2],
            }
            for n in range(PEOPLE)
        ],
    )
    ids = list(db.session.execute(select(Person.id).order_by(Person.id)).scalars())
    db.session.execute(
        insert(Membership),
        [
            {"project_id": project_id, "person_id": pid, "role": role, "work_stream_id": stream}
            for n, pid in enumerate(ids)
            for role, stream in roles_of(n, streams)
        ],
    )
    return ids


def build_tasks(
    rng: random.Random, project_id: int, stages: list[int], streams: list[int], people: list[int]
) -> None:
    """20,000 tasks finishing from 200 days before the status date to 200 after (about half
    late or due within 14 days), a sixth of them complete; one or two people responsible each,
    and every tenth also its stream's lead."""
    progress = list(Progress)
    db.session.execute(
        insert(Task),
        [
            {
                "project_id": project_id,
                "stage_id": stages[n * len(stages) // TASKS],
                "code": f"{n * len(stages) // TASKS + 1}.{n + 1}",
                "activity": f"Activity {n + 1}",
                "work_stream_id": streams[n % len(streams)],
                "start_date": START,
                "target_finish": days(rng.randrange(-200, 200)),
                "progress": progress[n % len(progress)],
                "position": n,
                "detail": "",
                "responsibility_note": "",
                "comments": "",
            }
            for n in range(TASKS)
        ],
    )
    task_ids = list(db.session.execute(select(Task.id).order_by(Task.id)).scalars())
    leads = people[4 : 4 + len(streams)]
    rows = set()
    for n, task_id in enumerate(task_ids):
        for person_id in rng.sample(people, rng.choice((1, 2))):
            rows.add((task_id, person_id))
        if n % 10 == 0:
            rows.add((task_id, leads[n % len(streams)]))
    db.session.execute(
        insert(task_responsible), [{"task_id": t, "person_id": p} for t, p in sorted(rows)]
    )


def build_standard() -> list[int]:
    """A standard of 5 criteria, 4 subcriteria each and 3 elements each; the element ids."""
    standard = Standard(name="Customer Service Excellence", version="bench")
    for c in range(1, 6):
        criterion = Criterion(standard=standard, number=c, title=f"Criterion {c}")
        for s in range(1, 5):
            sub = SubCriterion(
                criterion=criterion, code=f"{c}.{s}", title=f"Subcriterion {c}.{s}", position=s
            )
            for e in range(1, 4):
                sub.elements.append(Element(code=f"{c}.{s}.{e}", text=f"Element {e}", position=e))
    db.session.add(standard)
    db.session.flush()
    return list(db.session.execute(select(Element.id).order_by(Element.id)).scalars())


def build_risks_and_actions(
    rng: random.Random, project_id: int, people: list[int], elements: list[int]
) -> None:
    """Risks whose review falls either side of the status date (a quarter closed), and gap
    actions due around it owned by anyone."""
    levels = list(Level)
    db.session.execute(
        insert(Risk),
        [
            {
                "project_id": project_id,
                "number": str(n + 1),
                "description": f"Risk {n + 1}",
                "probability": rng.choice(levels),
                "impact": rng.choice(levels),
                "owner_id": rng.choice(people),
                "status": RiskStatus.CLOSED if n % 4 == 0 else RiskStatus.OPEN,
                "review_by": days(rng.randrange(-90, 90)),
                "countermeasures": "",
                "action_ongoing": False,
            }
            for n in range(RISKS)
        ],
    )
    statuses = list(ActionStatus)
    db.session.execute(
        insert(GapAction),
        [
            {
                "project_id": project_id,
                "element_id": elements[n % len(elements)],
                "description": f"Close gap {n + 1}",
                "owner_id": rng.choice(people),
                "due_on": days(rng.randrange(-60, 120)),
                "status": statuses[n % len(statuses)],
            }
            for n in range(GAP_ACTIONS)
        ],
    )


def build_evidence(
    rng: random.Random, project_id: int, streams: list[int], people: list[int]
) -> None:
    """Evidence in every status, one in ten holding personal data, each submitted or returned
    item with the step that put it there."""
    statuses = list(EvidenceStatus)
    db.session.execute(
        insert(EvidenceItem),
        [
            {
                "project_id": project_id,
                "work_stream_id": streams[n % len(streams)],
                "title": f"Evidence {n + 1}",
                "description": "",
                "status": statuses[n % len(statuses)],
                "personal_data": n % 10 == 0,
                "created_by_id": rng.choice(people),
            }
            for n in range(EVIDENCE)
        ],
    )
    waiting = db.session.execute(
        select(EvidenceItem.id, EvidenceItem.status).where(
            EvidenceItem.status.in_((EvidenceStatus.SUBMITTED, EvidenceStatus.RETURNED))
        )
    )
    now = utcnow()
    db.session.execute(
        insert(EvidenceStep),
        [
            {
                "item_id": item_id,
                "at": now - dt.timedelta(days=rng.randrange(60)),
                "by_id": rng.choice(people),
                "to_status": status,
                "comment": "",
            }
            for item_id, status in waiting
        ],
    )


def build_decisions(project_id: int, stages: list[int], people: list[int]) -> None:
    """Change requests raised and assessed, and the stage 3 review awaiting the sponsor."""
    db.session.execute(
        insert(ChangeRequest),
        [
            {
                "project_id": project_id,
                "number": n + 1,
                "raised_on": days(-n),
                "description": f"Change {n + 1}",
                "status": [ChangeStatus.RAISED, ChangeStatus.ASSESSED, ChangeStatus.APPROVED][
                    n % 3
                ],
                "assessed_at": utcnow() if n % 3 else None,
                "impact_days": n % 40,
                "requested_by_id": people[1],
            }
            for n in range(CHANGES)
        ],
    )
    db.session.add(
        StageReview(
            stage_id=stages[2],
            scheduled_on=days(7),
            requested_by_id=people[1],
            requested_at=utcnow(),
            summary="Stage 3 is done",
        )
    )


def build(rng: random.Random) -> int:
    """The project and its people; returns the project's id."""
    project = Project(
        slug="bench-digest",
        name="Benchmark digest",
        council="Benchmark District Council",
        start_date=START,
        end_date=START + dt.timedelta(days=600),
        status_date=STATUS_DATE,
    )
    db.session.add(project)
    db.session.flush()
    stages = [
        Stage(
            project_id=project.id,
            number=n,
            name=f"Stage {n}",
            start_date=START + dt.timedelta(days=120 * (n - 1)),
            end_date=START + dt.timedelta(days=120 * n - 1),
        )
        for n in range(1, 6)
    ]
    streams = [
        WorkStream(project_id=project.id, code=f"WS{n}", name=f"Work stream {n}", position=n)
        for n in range(STREAMS)
    ]
    db.session.add_all(stages + streams)
    db.session.flush()
    stage_ids, stream_ids = [s.id for s in stages], [s.id for s in streams]
    people = build_people(project.id, stream_ids)
    build_tasks(rng, project.id, stage_ids, stream_ids, people)
    build_risks_and_actions(rng, project.id, people, build_standard())
    build_evidence(rng, project.id, stream_ids, people)
    build_decisions(project.id, stage_ids, people)
    db.session.commit()
    return project.id


class Outbox(logging.Handler):
    """Keeps, instead of printing, the address and text length of each message that
    send_message writes to the log (MAIL_SERVER unset)."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        to, _subject, text = record.args  # type: ignore[misc]
        self.sizes[str(to)] = len(text)


def run_digests(engine: object) -> tuple[dict[str, float], dict[str, int], int, Outbox]:
    """One send-reminders run: the seconds and queries of queueing the digests and of the
    commit that sends them, how many were queued, and what was sent."""
    mail_log = logging.getLogger("tracker.mail")
    outbox = Outbox()
    mail_log.addHandler(outbox)
    mail_log.propagate = False
    seconds, queries = {}, {}
    queued = 0

    def queue() -> None:
        nonlocal queued
        queued = queue_digests()

    try:
        for step, action in (
            ("queue_digests()", queue),
            ("commit (jobs: build, send)", db.session.commit),
        ):
            began = time.perf_counter()
            queries[step], _ = counted(engine, action)
            seconds[step] = time.perf_counter() - began
    finally:
        mail_log.removeHandler(outbox)
        mail_log.propagate = True
    return seconds, queries, queued, outbox


def peak_kib() -> float:
    """Peak Python memory of a second run of the digests (traced, so slower), in KiB."""
    mail_log = logging.getLogger("tracker.mail")
    mail_log.disabled = True
    db.session.expire_all()
    tracemalloc.start()
    try:
        queue_digests()
        db.session.commit()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()
        mail_log.disabled = False


def main() -> int:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
            UPLOAD_FOLDER = str(Path(tmp) / "uploads")
            MAIL_SERVER = None
            REDIS_URL = None

        app = create_app(BenchConfig)
        with app.app_context():
            flask_migrate.upgrade()
            began = time.perf_counter()
            build(random.Random(2010))
            built_s = time.perf_counter() - began
            engine = db.engine
            db.session.remove()
        print(
            f"Digest benchmark: {PEOPLE} people, {TASKS} tasks, {RISKS} risks, {EVIDENCE} "
            f"evidence items, {GAP_ACTIONS} gap actions (built in {built_s:.1f} s); "
            f"status date {STATUS_DATE}, SQLite in {tmp}"
        )
        with app.app_context():
            seconds, queries, queued, outbox = run_digests(engine)
            db.session.remove()
        sizes = outbox.sizes
        total_s, total_q = sum(seconds.values()), sum(queries.values())
        print(f"people wanting a digest      {PEOPLE:>10}")
        print(f"digests queued               {queued:>10}")
        print(f"digests sent (to the log)    {len(sizes):>10}")
        for step in seconds:
            print(f"{step + ', seconds':<28} {seconds[step]:>10.2f} ({queries[step]} queries)")
        print(f"total seconds                {total_s:>10.2f}")
        print(f"ms per person (average)      {total_s * 1000 / PEOPLE:>10.1f}")
        print(f"SQL queries                  {total_q:>10}")
        print(f"SQL queries per person       {total_q / PEOPLE:>10.1f}")
        if sizes:
            print(f"digest text, median chars    {statistics.median(sizes.values()):>10.0f}")
        with app.app_context():
            print(f"peak Python memory (KiB)     {peak_kib():>10.0f}")
            db.session.remove()
        if not sizes:
            return 0
        busiest = max(sizes, key=lambda to: sizes[to])
        with app.app_context():
            address = busiest.rsplit("<", 1)[-1].rstrip(">")
            person = db.session.execute(select(Person).where(Person.email == address)).scalar_one()
            times = []
            for _ in range(REPEATS):
                db.session.expire_all()
                began = time.perf_counter()
                digest_for(person)
                times.append((time.perf_counter() - began) * 1000)
            db.session.expire_all()
            queries, _ = counted(engine, lambda: digest_for(person))
            roles = ", ".join(sorted({m.role.label for m in person.memberships}))
            print(
                f"digest_for the busiest ({person.name}, {roles}; {sizes[busiest]} chars): "
                f"median {statistics.median(times):.1f} ms of {REPEATS}, {queries} queries"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
