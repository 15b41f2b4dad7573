"""Load the South Cambridgeshire CSE project from the readable files in `seed/`.

Every figure, date and name comes from the data files; this package only knows how the files map
onto the models. The load is idempotent: each record is looked up by its natural key (a project's
slug, a person's e-mail address or name, a task's code ...) and only added when it is missing.
Records that already exist are never changed, so running the seed against a live database does
not undo anyone's edits. Child records that only make sense with their parent (a task's
responsible people, a change request's effects, a baseline's items) are written when the parent is
created.

This module holds the order of the load; each module of the package loads one part of the files
(the standard, the project and its people, the plan, the logs, the budget, the self-assessment,
the highlight report), reading them with `files` into the records `loader` keeps.

Where the sources are ambiguous or contain slips, seed/README.md says what the files hold and why.
"""

from __future__ import annotations

from pathlib import Path

from tracker.audit import acting_as
from tracker.extensions import db
from tracker.seeding.assessment import (
    load_self_assessment,
    load_services,
    load_stream_elements,
)
from tracker.seeding.budget import load_budget, load_staff_resources
from tracker.seeding.loader import SeedResult, _Loader
from tracker.seeding.logs import load_change_requests, load_issue_log, load_risks
from tracker.seeding.plan import load_baseline, load_milestones, load_stages, load_tasks
from tracker.seeding.project import (
    load_contacts,
    load_meetings,
    load_memberships,
    load_people,
    load_project,
    load_work_streams,
)
from tracker.seeding.reports import load_highlight_report
from tracker.seeding.standard import load_standard

ACTOR = "flask seed"


def _run(loader: _Loader) -> None:
    standard = load_standard(loader)
    load_project(loader, standard)
    load_people(loader)
    load_work_streams(loader)
    load_memberships(loader)
    load_contacts(loader)
    load_meetings(loader)
    load_stages(loader)
    load_tasks(loader)
    load_milestones(loader)
    load_risks(loader)
    load_issue_log(loader)
    load_change_requests(loader)
    load_budget(loader)
    load_staff_resources(loader)
    load_services(loader)
    load_self_assessment(loader)
    load_stream_elements(loader)
    load_highlight_report(loader)
    load_baseline(loader)


def load_seed(seed_dir: Path) -> SeedResult:
    """Load the demo project from `seed_dir` in one transaction; a second run adds nothing."""
    loader = _Loader(Path(seed_dir))
    with acting_as(ACTOR):
        try:
            _run(loader)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return loader.result
