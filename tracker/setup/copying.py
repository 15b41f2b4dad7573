"""Copying a project for another council or the next cycle: its structure, not its history.

Copied: the standard it is measured against, stages (with their products), work streams (with
the elements each is expected to evidence), services, funding sources, staff resources, the
work plan (tasks, dependencies, milestones) without progress, budget lines without spend, and
the risk log without reviews; on request the evidence library (as drafts, to be reviewed again
in the new cycle, files and all) and the people (their roles, task responsibilities and risk
ownership).

Not copied: stage reviews, baselines, progress, actual dates, spend, risk reviews, the issue
log, change requests, meetings, highlight reports, assessment rounds, gap actions. Withdrawn
records are left behind too: every ORM query leaves them out (tracker/database.py).

The plan's dates are laid over the new project's span in proportion: a copy with the same
length of span is simply moved by the difference in start dates.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.budget.models import BudgetLine, FundingSource, StaffResource
from tracker.evidence.models import EvidenceFile, EvidenceItem, EvidenceStatus, StreamElement
from tracker.evidence.storage import storage
from tracker.extensions import db
from tracker.plan.models import Milestone, Stage, Task, TaskDependency
from tracker.projects.models import Contact, Membership, Project, Service, WorkStream
from tracker.risks.models import Risk
from tracker.setup.template import day_at

M = TypeVar("M", bound=db.Model)


@dataclass(frozen=True)
class CopyOptions:
    evidence: bool = False  # the evidence library, for the next cycle
    people: bool = False  # the roles, contacts, task responsibilities and risk owners


class _Copier:
    """Copies one project's records into another, remembering new ids by old ones."""

    def __init__(self, source: Project, target: Project, options: CopyOptions) -> None:
        self.source = source
        self.target = target
        self.options = options
        self.ids: dict[tuple[type, int], int] = {}

    def day(self, day: dt.date | None) -> dt.date | None:
        """`day` of the source's span, at the same proportion of the target's."""
        if day is None:
            return None
        old_span = (self.source.end_date - self.source.start_date).days or 1
        fraction = (day - self.source.start_date).days / old_span
        return day_at(self.target.start_date, self.target.end_date, fraction)

    def rows(self, model: type[M], *options: Any) -> list[M]:
        query = select(model).where(model.project_id == self.source.id)  # type: ignore[attr-defined]
        return list(db.session.execute(query.options(*options).order_by(model.id)).scalars())

    def new_id(self, model: type, old_id: int | None) -> int | None:
        return None if old_id is None else self.ids.get((model, old_id))

    def add(self, old: Any, new: Any) -> None:
        db.session.add(new)
        db.session.flush()
        self.ids[type(old), old.id] = new.id


def copy_project(source: Project, target: Project, options: CopyOptions) -> None:
    """Copy `source`'s structure into the new, flushed `target` (see the module's docstring)."""
    copier = _Copier(source, target, options)
    target.standard_id = source.standard_id
    _copy_frame(copier)
    _copy_plan(copier)
    _copy_money(copier)
    _copy_risks(copier)
    if options.people:
        _copy_people(copier)
    if options.evidence:
        _copy_evidence(copier)
    db.session.flush()


def _copy_frame(c: _Copier) -> None:
    tid = c.target.id
    for s in c.rows(Stage):
        stage = Stage(
            project_id=tid,
            number=s.number,
            name=s.name,
            products=s.products,
            start_date=c.day(s.start_date),
            end_date=c.day(s.end_date),
        )
        c.add(s, stage)
    for w in c.rows(WorkStream):
        c.add(w, WorkStream(project_id=tid, code=w.code, name=w.name, position=w.position))
    _copy_stream_elements(c)
    for v in c.rows(Service):
        service = Service(
            project_id=tid,
            name=v.name,
            corporate_area=v.corporate_area,
            position=v.position,
            work_stream_id=c.new_id(WorkStream, v.work_stream_id),
        )
        c.add(v, service)


def _copy_stream_elements(c: _Copier) -> None:
    """The elements each work stream is expected to evidence, onto the copied streams."""
    old = db.session.execute(
        select(StreamElement.work_stream_id, StreamElement.element_id)
        .join(WorkStream)
        .where(WorkStream.project_id == c.source.id)
        .order_by(StreamElement.id)
    ).all()
    db.session.add_all(
        StreamElement(work_stream_id=c.new_id(WorkStream, stream_id), element_id=element_id)
        for stream_id, element_id in old
    )


def _copy_plan(c: _Copier) -> None:
    tid = c.target.id
    for t in c.rows(Task, selectinload(Task.responsible)):
        task = Task(
            project_id=tid,
            stage_id=c.new_id(Stage, t.stage_id),
            code=t.code,
            activity=t.activity,
            detail=t.detail,
            responsibility_note=t.responsibility_note,
            work_stream_id=c.new_id(WorkStream, t.work_stream_id),
            start_date=c.day(t.start_date),
            target_finish=c.day(t.target_finish),
            position=t.position,
            responsible=list(t.responsible) if c.options.people else [],
        )
        c.add(t, task)
    for m in c.rows(Milestone):
        milestone = Milestone(
            project_id=tid,
            stage_id=c.new_id(Stage, m.stage_id),
            name=m.name,
            scheduled_finish=c.day(m.scheduled_finish),
            notes=m.notes,
            position=m.position,
        )
        c.add(m, milestone)
    for d in c.rows(TaskDependency):
        ends = (
            c.new_id(Task, d.predecessor_id),
            c.new_id(Milestone, d.predecessor_milestone_id),
            c.new_id(Task, d.successor_task_id),
            c.new_id(Milestone, d.successor_milestone_id),
        )
        if sum(end is not None for end in ends) != 2:
            continue  # it depends on a withdrawn task or milestone, which was not copied
        before, before_milestone, after, after_milestone = ends
        dependency = TaskDependency(
            project_id=tid,
            predecessor_id=before,
            predecessor_milestone_id=before_milestone,
            successor_task_id=after,
            successor_milestone_id=after_milestone,
            lag_days=d.lag_days,
        )
        c.add(d, dependency)


def _copy_money(c: _Copier) -> None:
    tid = c.target.id
    for f in c.rows(FundingSource):
        source = FundingSource(
            project_id=tid,
            code=f.code,
            name=f.name,
            allocation_pence=f.allocation_pence,
            in_project_budget=f.in_project_budget,
            position=f.position,
        )
        c.add(f, source)
    for b in c.rows(BudgetLine):
        line = BudgetLine(
            project_id=tid,
            source_id=c.new_id(FundingSource, b.source_id),
            product=b.product,
            quantity=b.quantity,
            unit_cost_pence=b.unit_cost_pence,
            provision_pence=b.provision_pence,
            notes=b.notes,
            position=b.position,
        )
        c.add(b, line)
    for r in c.rows(StaffResource):
        resource = StaffResource(
            project_id=tid,
            role_name=r.role_name,
            quantity=r.quantity,
            days_each=r.days_each,
            position=r.position,
        )
        c.add(r, resource)


def _copy_risks(c: _Copier) -> None:
    for r in c.rows(Risk):
        risk = Risk(
            project_id=c.target.id,
            number=r.number,
            description=r.description,
            probability=r.probability,
            impact=r.impact,
            owner_id=r.owner_id if c.options.people else None,
            countermeasures=r.countermeasures,
            action_date=c.day(r.action_date),
            action_ongoing=r.action_ongoing,
            status=r.status,
            review_by=c.day(r.review_by),
        )
        c.add(r, risk)


def _copy_people(c: _Copier) -> None:
    tid = c.target.id
    for m in c.rows(Membership):
        membership = Membership(
            project_id=tid,
            person_id=m.person_id,
            role=m.role,
            work_stream_id=c.new_id(WorkStream, m.work_stream_id),
            note=m.note,
        )
        c.add(m, membership)
    for k in c.rows(Contact):
        contact = Contact(
            project_id=tid,
            person_id=k.person_id,
            responsibility=k.responsibility,
            position=k.position,
        )
        c.add(k, contact)


def _copy_evidence(c: _Copier) -> None:
    store = storage()
    items = c.rows(
        EvidenceItem, selectinload(EvidenceItem.elements), selectinload(EvidenceItem.files)
    )
    for e in items:
        item = EvidenceItem(
            project_id=c.target.id,
            work_stream_id=c.new_id(WorkStream, e.work_stream_id),
            title=e.title,
            description=e.description,
            evidence_date=e.evidence_date,
            review_by=e.review_by,
            link_url=e.link_url,
            status=EvidenceStatus.DRAFT,
            personal_data=e.personal_data,
            retain_until=e.retain_until,
            created_by_id=e.created_by_id if c.options.people else None,
            elements=list(e.elements),
        )
        for f in e.files:
            key = store.new_key()
            with store.open_reader(f.storage_key) as original, store.open_writer(key) as out:
                shutil.copyfileobj(original, out)
            item.files.append(
                EvidenceFile(
                    version=f.version,
                    original_name=f.original_name,
                    storage_key=key,
                    size_bytes=f.size_bytes,
                    content_type=f.content_type,
                    sha256=f.sha256,
                    uploaded_by_id=f.uploaded_by_id if c.options.people else None,
                )
            )
        c.add(e, item)
