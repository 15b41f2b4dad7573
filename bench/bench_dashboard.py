"""Benchmark: the dashboard (and the API's largest lists) on a project of 2,000 tasks, 500 risks,
500 issue log entries and 20,000 evidence items.

Builds the project in a temporary SQLite database with bulk inserts, then times
- gathering the dashboard (every section's data) on its own,
- the whole dashboard page through the test client, as the manager and as a member of the EMT
  (who reads it; the assessor does not),
- the API's tasks, risks and issue log lists with a token,
- the whole-project export (without evidence files),
- drafting a monthly highlight report from all of it, and producing its PDF,
and prints each with the number of SQL queries it ran. It asserts nothing about time. Run with
`make bench` or `.venv/bin/python bench/bench_dashboard.py`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import flask_migrate
from sqlalchemy import event, insert, select

from tracker import create_app
from tracker.api.services import create_token
from tracker.auth.models import Person
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry
from tracker.config import TestConfig
from tracker.database import utcnow
from tracker.evidence.models import EvidenceItem, EvidenceStatus
from tracker.extensions import db
from tracker.issues.models import ChangeRequest, ChangeStatus, EntryStatus, EntryType, IssueLogEntry
from tracker.permissions import project_roles
from tracker.plan.models import Milestone, Progress, Stage, Task
from tracker.projects.models import Membership, Project, Role, WorkStream
from tracker.reports.dashboard import gather_dashboard
from tracker.reports.drafting import draft_sections
from tracker.reports.models import HighlightReport, ReportKind
from tracker.reports.pdf import report_pdf
from tracker.risks.models import Level, Risk, RiskStatus
from tracker.transfer.services import export_project

TASKS, RISKS, ISSUES, EVIDENCE = 2000, 500, 500, 20000
REPEATS = 5
TODAY = dt.date(2010, 9, 1)


def timed(action: Callable[[], object], repeats: int = REPEATS) -> tuple[float, object]:
    """Median wall time in milliseconds over `repeats` runs (after one warm-up run)."""
    result = action()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def build(rng: random.Random) -> tuple[int, int, int]:
    """The project; returns its id, the manager's id and an EMT member's id."""
    start = dt.date(2009, 12, 1)
    project = Project(
        slug="bench-dashboard",
        name="Benchmark dashboard",
        council="Benchmark District Council",
        start_date=start,
        end_date=start + dt.timedelta(days=480),
    )
    manager = Person(name="Manager", initials="PM", email="pm@example.gov.uk")
    emt = Person(name="EMT member", initials="EM", email="emt@example.gov.uk")
    db.session.add_all([project, manager, emt])
    db.session.flush()
    db.session.add_all(
        [
            Membership(project_id=project.id, person_id=manager.id, role=Role.MANAGER),
            Membership(project_id=project.id, person_id=emt.id, role=Role.EMT),
        ]
    )
    stages = [
        Stage(
            project_id=project.id,
            number=n,
            name=f"Stage {n}",
            start_date=start + dt.timedelta(days=96 * (n - 1)),
            end_date=start + dt.timedelta(days=96 * n - 1),
        )
        for n in range(1, 6)
    ]
    streams = [
        WorkStream(project_id=project.id, code=f"WS{n}", name=f"Work stream {n}", position=n)
        for n in range(10)
    ]
    db.session.add_all(stages + streams)
    db.session.flush()
    progress = list(Progress)
    db.session.execute(
        insert(Task),
        [
            {
                "project_id": project.id,
                "stage_id": stages[n * 5 // TASKS].id,
                "code": f"{n * 5 // TASKS + 1}.{n + 1}",
                "activity": f"Activity {n + 1}",
                "work_stream_id": streams[n % 10].id,
                "start_date": start + dt.timedelta(days=rng.randrange(400)),
                "target_finish": start + dt.timedelta(days=rng.randrange(400, 480)),
                "progress": progress[n % len(progress)],
                "position": n,
                "detail": "",
                "responsibility_note": "",
                "comments": "",
            }
            for n in range(TASKS)
        ],
    )
    db.session.add_all(
        Milestone(
            project_id=project.id,
            stage_id=stage.id,
            name=f"Stage {stage.number} complete",
            scheduled_finish=stage.end_date,
            baseline_finish=stage.end_date - dt.timedelta(days=rng.randrange(20)),
            position=stage.number,
        )
        for stage in stages
    )
    levels = list(Level)
    db.session.execute(
        insert(Risk),
        [
            {
                "project_id": project.id,
                "number": str(n + 1),
                "description": f"Risk {n + 1}",
                "probability": rng.choice(levels),
                "impact": rng.choice(levels),
                "owner_id": manager.id,
                "status": RiskStatus.OPEN if n % 4 else RiskStatus.CLOSED,
                "countermeasures": "",
                "action_ongoing": False,
            }
            for n in range(RISKS)
        ],
    )
    db.session.execute(
        insert(IssueLogEntry),
        [
            {
                "project_id": project.id,
                "number": str(n + 1),
                "type": EntryType.ISSUE if n % 5 else EntryType.REQUEST_FOR_CHANGE,
                "description": f"Entry {n + 1}",
                "identified_on": start + dt.timedelta(days=n % 300),
                "last_updated_on": start + dt.timedelta(days=n % 300),
                "status": EntryStatus.OPEN if n % 3 else EntryStatus.CLOSED,
                "author_id": manager.id,
                "resolution": "",
                "identified_month_only": False,
            }
            for n in range(ISSUES)
        ],
    )
    db.session.execute(
        insert(ChangeRequest),
        [
            {
                "project_id": project.id,
                "number": n + 1,
                "raised_on": start + dt.timedelta(days=n * 3),
                "description": f"Change {n + 1}",
                "status": [ChangeStatus.RAISED, ChangeStatus.ASSESSED, ChangeStatus.APPROVED][
                    n % 3
                ],
                "requested_by_id": manager.id,
            }
            for n in range(ISSUES // 5)
        ],
    )
    source = FundingSource(project_id=project.id, code="CP", name="Corporate", allocation_pence=0)
    line = BudgetLine(
        project_id=project.id,
        source=source,
        product="Training",
        unit_cost_pence=2_000_000,
        provision_pence=2_000_000,
    )
    db.session.add(line)
    db.session.flush()
    db.session.execute(
        insert(SpendEntry),
        [
            {
                "line_id": line.id,
                "spent_on": start + dt.timedelta(days=n),
                "amount_pence": 1000,
                "supplier": "",
                "reference": "",
                "description": "",
            }
            for n in range(300)
        ],
    )
    statuses = list(EvidenceStatus)
    db.session.execute(
        insert(EvidenceItem),
        [
            {
                "project_id": project.id,
                "work_stream_id": streams[n % 10].id,
                "title": f"Evidence {n + 1}",
                "description": "",
                "status": statuses[n % len(statuses)],
                "personal_data": False,
            }
            for n in range(EVIDENCE)
        ],
    )
    db.session.commit()
    return project.id, manager.id, emt.id


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object) -> None:
        self.count += 1


def counted(engine: object, action: Callable[[], object]) -> tuple[int, object]:
    counter = Counter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return counter.count, result


def main() -> int:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
            UPLOAD_FOLDER = str(Path(tmp) / "uploads")

        app = create_app(BenchConfig)
        with app.app_context():
            flask_migrate.upgrade()
            began = time.perf_counter()
            project_id, manager_id, emt_id = build(random.Random(2010))
            built_s = time.perf_counter() - began
            _, token = create_token(db.session.get(Person, manager_id), "bench", utcnow())
            db.session.commit()
            engine = db.engine
        print(
            f"Dashboard benchmark: {TASKS} tasks, {RISKS} risks, {ISSUES} issue log entries, "
            f"{EVIDENCE} evidence items (built in {built_s:.1f} s); median of {REPEATS} runs, "
            f"SQLite in {tmp}"
        )
        header = f"{'what':<40} {'ms':>9} {'queries':>8} {'KB':>7}"
        print(header)
        print("-" * len(header))

        with app.app_context():
            project = db.session.get(Project, project_id)
            roles = project_roles(manager_id, project_id)

            def gather() -> object:
                db.session.expire_all()
                return gather_dashboard(project, roles, TODAY)

            ms, _ = timed(gather)
            queries, _ = counted(engine, gather)
            print(f"{'gather_dashboard (manager)':<40} {ms:>9.1f} {queries:>8} {'':>7}")

            def export() -> io.BytesIO:
                buffer = io.BytesIO()
                export_project(project_id, buffer)
                return buffer

            ms, buffer = timed(export, 1)
            queries, _ = counted(engine, export)
            size = len(buffer.getvalue()) / 1024  # type: ignore[attr-defined]
            print(f"{'whole-project export (ZIP)':<40} {ms:>9.1f} {queries:>8} {size:>7.0f}")

            # Drafting a monthly highlight report, and its PDF (without keeping either).
            start, end = TODAY - dt.timedelta(days=30), TODAY

            def draft() -> list[dict]:
                db.session.expire_all()
                return draft_sections(project, start, end, TODAY)

            ms, sections = timed(draft)
            queries, _ = counted(engine, draft)
            print(f"{'draft a monthly highlight report':<40} {ms:>9.1f} {queries:>8} {'':>7}")
            report = HighlightReport(
                project_id=project_id,
                kind=ReportKind.PROJECT,
                period_start=start,
                period_end=end,
                sections=sections,
                snapshot={},
            )
            ms, pdf = timed(lambda: report_pdf(project, report, "Highlight report (draft)"))
            size = len(pdf) / 1024  # type: ignore[arg-type]
            print(f"{'its PDF':<40} {ms:>9.1f} {0:>8} {size:>7.0f}")
            db.session.remove()

        rows: list[tuple[str, str, int, dict[str, str]]] = [
            ("dashboard page (manager)", "/projects/bench-dashboard/dashboard", manager_id, {}),
            ("dashboard page (EMT)", "/projects/bench-dashboard/dashboard", emt_id, {}),
            ("API tasks (2,000)", "/api/v1/projects/bench-dashboard/tasks", 0, {}),
            ("API risks (500)", "/api/v1/projects/bench-dashboard/risks", 0, {}),
            ("API issue log (500)", "/api/v1/projects/bench-dashboard/issues", 0, {}),
        ]
        for label, url, person_id, headers in rows:
            client = app.test_client()
            if person_id:
                with client.session_transaction() as session:
                    session["_user_id"] = str(person_id)
                    session["_fresh"] = True
            else:
                headers = {"Authorization": f"Bearer {token}"}
            queries, response = counted(
                engine, lambda c=client, u=url, h=headers: c.get(u, headers=h)
            )
            if response.status_code != 200:  # type: ignore[attr-defined]
                print(f"{url} answered {response.status_code}", file=sys.stderr)  # type: ignore[attr-defined]
                return 1
            ms, response = timed(lambda c=client, u=url, h=headers: c.get(u, headers=h), 3)
            size = len(response.data) / 1024  # type: ignore[attr-defined]
            print(f"{label:<40} {ms:>9.1f} {queries:>8} {size:>7.0f}")
        with app.app_context():
            count = db.session.execute(select(db.func.count()).select_from(EvidenceItem)).scalar()
        print(f"(evidence items in the database: {count})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
