"""Copying a project: its structure comes, its history and (unless chosen) its people do not."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from tests.factories import ProjectFactory
from tests.pages import PDF
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry, StaffResource
from tracker.database import INCLUDE_WITHDRAWN, utcnow
from tracker.evidence.files import store_upload
from tracker.evidence.models import EvidenceFile, EvidenceItem, EvidenceStatus
from tracker.evidence.storage import storage
from tracker.issues.models import IssueLogEntry
from tracker.plan.models import Milestone, PlanBaseline, Progress, Stage, StageReview, Task
from tracker.projects.models import Membership, Service, WorkStream
from tracker.risks.models import Risk, RiskReview
from tracker.setup.copying import CopyOptions, copy_project


def _count(db, model, project, **where):
    query = select(func.count(model.id)).where(model.project_id == project.id).filter_by(**where)
    return db.session.execute(query).scalar_one()


def _copy(db, source, **options):
    target = ProjectFactory(
        slug="copy",
        council="Testshire District Council",
        start_date=source.start_date,
        end_date=source.end_date,
    )
    copy_project(source, target, CopyOptions(**options))
    return target


def test_the_structure_is_copied(db, seeded):
    target = _copy(db, seeded)
    for model in (Stage, WorkStream, Service, Task, Milestone, FundingSource, BudgetLine, Risk):
        assert _count(db, model, target) == _count(db, model, seeded), model.__name__
    assert _count(db, StaffResource, target) == _count(db, StaffResource, seeded)
    assert target.standard_id == seeded.standard_id
    products = db.session.execute(select(Stage.products).where(Stage.project_id == target.id))
    assert [p for (p,) in products] == [s.products for s in seeded.stages]


def test_progress_spend_reviews_and_history_are_not(db, seeded):
    target = _copy(db, seeded)
    tasks = db.session.execute(select(Task).where(Task.project_id == target.id)).scalars().all()
    assert {t.progress for t in tasks} == {Progress.NOT_STARTED}
    assert all(t.actual_finish is None and t.comments == "" and not t.responsible for t in tasks)
    milestones = db.session.execute(select(Milestone).where(Milestone.project_id == target.id))
    assert all(m.actual_finish is None and m.baseline_finish is None for m in milestones.scalars())
    spend = db.session.execute(
        select(func.count(SpendEntry.id)).join(BudgetLine).where(BudgetLine.project_id == target.id)
    ).scalar_one()
    reviews = db.session.execute(
        select(func.count(RiskReview.id)).join(Risk).where(Risk.project_id == target.id)
    ).scalar_one()
    stage_reviews = db.session.execute(
        select(func.count(StageReview.id)).join(Stage).where(Stage.project_id == target.id)
    ).scalar_one()
    assert (spend, reviews, stage_reviews) == (0, 0, 0)
    for model in (IssueLogEntry, PlanBaseline, Membership, EvidenceItem):
        assert _count(db, model, target) == 0, model.__name__
    risks = db.session.execute(select(Risk).where(Risk.project_id == target.id)).scalars()
    assert all(r.owner_id is None for r in risks)


def test_people_come_only_when_chosen(db, seeded):
    target = _copy(db, seeded, people=True)
    assert _count(db, Membership, target) == _count(db, Membership, seeded)
    stream_ids = set(
        db.session.execute(
            select(Membership.work_stream_id).where(
                Membership.project_id == target.id, Membership.work_stream_id.is_not(None)
            )
        ).scalars()
    )
    assert stream_ids <= {w.id for w in target.work_streams}
    tasks = db.session.execute(select(Task).where(Task.project_id == target.id)).scalars()
    assert any(t.responsible for t in tasks)


def test_withdrawn_records_are_left_behind(db, seeded):
    risk = db.session.execute(select(Risk).where(Risk.project_id == seeded.id)).scalars().first()
    risk.withdrawn_at, risk.withdrawn_reason = utcnow(), "Entered twice"
    db.session.flush()
    target = _copy(db, seeded)
    copied = db.session.execute(
        select(Risk.number)
        .where(Risk.project_id == target.id)
        .execution_options(**INCLUDE_WITHDRAWN)
    ).scalars()
    assert risk.number not in set(copied)


def test_dates_move_with_the_new_span(db, seeded):
    shift = dt.timedelta(days=365 * 17 + 4)  # 1 Dec 2009 -> 1 Dec 2026
    target = ProjectFactory(
        slug="next", start_date=seeded.start_date + shift, end_date=seeded.end_date + shift
    )
    copy_project(seeded, target, CopyOptions())
    stages = db.session.execute(
        select(Stage).where(Stage.project_id == target.id).order_by(Stage.number)
    ).scalars()
    assert [s.start_date for s in stages] == [s.start_date + shift for s in seeded.stages]


@pytest.mark.parametrize("evidence", [False, True])
def test_the_evidence_library_comes_as_drafts_only_when_chosen(db, seeded, evidence):
    upload = store_upload(io.BytesIO(PDF), "Survey.pdf", storage(), max_bytes=10**6)
    item = EvidenceItem(
        project_id=seeded.id,
        work_stream_id=seeded.work_streams[0].id,
        title="Customer survey",
        status=EvidenceStatus.ACCEPTED,
    )
    item.files.append(
        EvidenceFile(
            version=1,
            original_name=upload.original_name,
            storage_key=upload.key,
            size_bytes=upload.size_bytes,
            content_type=upload.content_type,
            sha256=upload.sha256,
        )
    )
    db.session.add(item)
    db.session.commit()  # publishes the stored file
    target = _copy(db, seeded, evidence=evidence)
    copies = (
        db.session.execute(select(EvidenceItem).where(EvidenceItem.project_id == target.id))
        .scalars()
        .all()
    )
    assert len(copies) == (1 if evidence else 0)
    if evidence:
        (copy,) = copies
        assert copy.status == EvidenceStatus.DRAFT
        assert copy.work_stream.project_id == target.id
        assert copy.files[0].storage_key != upload.key
        assert copy.files[0].sha256 == upload.sha256
