"""The seed reproduces the figures of Project Document V1.2 and the Feb 2010 highlight report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.audit import AuditEvent
from tracker.auth.models import Person
from tracker.budget.figures import line_actual, line_remaining, source_totals
from tracker.budget.models import BudgetLine, FundingSource, SpendEntry, StaffResource
from tracker.evidence.models import (
    AssessmentRound,
    Criterion,
    Element,
    ElementRating,
    GuidanceItem,
    RatingScale,
    RatingScope,
    Standard,
    SubCriterion,
)
from tracker.issues.models import (
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
    EntryType,
    IssueLogEntry,
)
from tracker.plan.milestones import finish_variance
from tracker.plan.models import Milestone, PlanBaseline, Progress, Stage, Task
from tracker.projects.models import Meeting, MeetingKind, Membership, Project, Role, Service
from tracker.reports.models import HighlightReport, ReportKind, ReportStatus
from tracker.risks.models import Risk
from tracker.seeding import load_seed

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
SELF_RATINGS = {"100", ">50", "<50", "0"}


def count(db, model: type, *where: object) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_the_standard_has_57_elements_in_15_subcriteria_and_5_criteria(seeded, db):
    standard = db.session.execute(select(Standard)).scalar_one()
    assert (standard.name, standard.version) == ("Customer Service Excellence", "2008")
    assert (standard.min_full, standard.max_partial, standard.max_non_compliant) == (46, 11, 0)
    assert seeded.standard_id == standard.id
    assert count(db, Criterion) == 5
    assert count(db, SubCriterion) == 15
    assert count(db, Element) == 57
    element = db.session.execute(select(Element).where(Element.code == "1.1.1")).scalar_one()
    assert [item.position for item in element.guidance] == [1, 2, 3]
    assert count(db, GuidanceItem) > 57


def test_the_repository_holds_its_own_copy_of_the_standard():
    assert (SEED_DIR / "cse_criteria.csv").is_file()


def test_risk_log_has_eight_risks_with_their_letters(seeded, db):
    risks = db.session.execute(select(Risk).order_by(Risk.number)).scalars().all()
    assert [r.number for r in risks] == [f"0{n}" for n in range(1, 9)]
    assert [(r.probability.value, r.impact.value) for r in risks] == [
        ("M", "H"),
        ("H", "H"),
        ("L", "H"),
        ("M", "H"),
        ("L", "M"),
        ("L", "M"),
        ("H", "M"),
        ("H", "H"),
    ]
    assert {r.owner.initials for r in risks} == {"PK"}
    # Risk 08 has no status in the source; it stays blank.
    assert risks[7].status is None
    assert risks[0].action_ongoing and risks[0].action_date is None
    assert risks[3].action_date == dt.date(2010, 3, 31)


def test_issue_log_has_three_entries_and_the_third_is_the_request_for_change(seeded, db):
    entries = db.session.execute(select(IssueLogEntry).order_by(IssueLogEntry.number)).scalars()
    entries = list(entries)
    assert [e.number for e in entries] == ["01", "02", "03"]
    assert [e.type for e in entries] == [
        EntryType.ISSUE,
        EntryType.ISSUE,
        EntryType.REQUEST_FOR_CHANGE,
    ]
    assert all(e.identified_month_only for e in entries)
    assert entries[0].identified_on == dt.date(2010, 1, 1)


def test_change_request_1_moved_the_end_of_stage_1(seeded, db):
    request = db.session.execute(select(ChangeRequest)).scalar_one()
    assert request.number == 1
    assert request.issue_entry.number == "03"
    assert request.status is ChangeStatus.APPROVED
    assert request.meeting.held_on == dt.date(2010, 2, 26)
    stage_effect = next(e for e in request.effects if e.target is EffectTarget.STAGE)
    stage_1 = db.session.execute(select(Stage).where(Stage.number == 1)).scalar_one()
    assert stage_effect.target_id == stage_1.id
    assert stage_effect.field == "end_date"
    assert (stage_effect.old_date, stage_effect.new_date) == (
        dt.date(2010, 2, 28),
        dt.date(2010, 3, 31),
    )
    assert stage_effect.applied_at is not None
    assert (stage_1.start_date, stage_1.end_date) == (dt.date(2009, 12, 1), dt.date(2010, 3, 31))


def test_the_audit_trail_names_change_request_1_as_the_cause_of_the_moved_dates(seeded, db):
    caused = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.cause == "Change request 1", AuditEvent.action == "update")
        .where(AuditEvent.table_name.in_(["stage", "milestone"]))
        .order_by(AuditEvent.table_name)
    ).scalars()
    assert [(e.table_name, e.changes, e.project_id) for e in caused] == [
        ("milestone", {"scheduled_finish": ["2010-02-28", "2010-03-31"]}, seeded.id),
        ("stage", {"end_date": ["2010-02-28", "2010-03-31"]}, seeded.id),
    ]


def test_a_seed_file_at_odds_with_its_change_request_is_refused(app, db, tmp_path):
    for path in SEED_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    toml = tmp_path / "project.toml"
    toml.write_text(toml.read_text().replace("end = 2010-03-31", "end = 2010-04-30", 1))
    with pytest.raises(ValueError, match="change request 1 moved it to 2010-03-31"):
        load_seed(tmp_path)
    assert count(db, Project) == 0


def test_each_risk_starts_its_history_with_the_v1_2_risk_log(seeded, db):
    from tracker.risks.services import london_date, risk_trend

    risks = db.session.execute(select(Risk).order_by(Risk.number)).scalars().all()
    for risk in risks:
        (review,) = risk.reviews
        assert london_date(review.reviewed_at) == dt.date(2010, 2, 26)
        assert london_date(risk.created_at) == dt.date(2010, 2, 26)
        assert review.reviewed_by.initials == "PK"
        assert (review.probability, review.impact, review.status) == (
            risk.probability,
            risk.impact,
            risk.status,
        )
    trend = risk_trend(risks, dt.date(2010, 4, 15))
    assert [(m.month, m.live, m.reviews) for m in trend] == [
        (dt.date(2010, 2, 1), 8, 8),
        (dt.date(2010, 3, 1), 8, 0),
        (dt.date(2010, 4, 1), 8, 0),
    ]


def test_stage_1_milestone_is_scheduled_a_month_after_its_baseline(seeded, db):
    milestone = db.session.execute(
        select(Milestone).where(Milestone.name.startswith("Stage 1"))
    ).scalar_one()
    assert milestone.scheduled_finish == dt.date(2010, 3, 31)
    assert milestone.baseline_finish == dt.date(2010, 2, 28)
    assert finish_variance(milestone) == 31


def test_stage_4_and_5_milestones_keep_the_2010_slip(seeded, db):
    milestones = db.session.execute(select(Milestone).order_by(Milestone.position)).scalars()
    finishes = [m.scheduled_finish for m in milestones]
    assert finishes[3:] == [dt.date(2010, 2, 18), dt.date(2010, 2, 25)]


def test_meetings_of_section_9_1(seeded, db):
    assert count(db, Meeting, Meeting.kind == MeetingKind.PROJECT_GROUP) == 16
    for kind in (MeetingKind.EMT, MeetingKind.LEAD_MEMBER):
        meetings = db.session.execute(select(Meeting).where(Meeting.kind == kind)).scalars()
        assert [(m.held_on.day, m.month_only) for m in meetings] == [(1, True)] * 5


def test_stage_reviews_as_scheduled_in_9_2(seeded, db):
    stages = db.session.execute(select(Stage).order_by(Stage.number)).scalars().all()
    reviews = [stage.reviews[0] for stage in stages]
    assert [r.scheduled_on for r in reviews] == [
        dt.date(2010, 1, 29),
        dt.date(2010, 9, 24),
        dt.date(2010, 12, 18),
        dt.date(2010, 2, 25),  # written 2010 in the source (a slip for 2011)
        dt.date(2010, 3, 25),
    ]
    assert [r.meeting.held_on if r.meeting else None for r in reviews] == [
        dt.date(2010, 1, 29),
        dt.date(2010, 9, 24),
        None,
        None,
        None,
    ]
    assert all(r.decision is None for r in reviews)


def test_work_plan(seeded, db):
    tasks = {t.code: t for t in db.session.execute(select(Task)).scalars()}
    assert len(tasks) == 25
    assert tasks["1.1"].progress is Progress.COMPLETE
    assert tasks["1.2"].progress is Progress.ON_TRACK
    assert tasks["1.2"].responsible == []
    assert tasks["1.2"].responsibility_note == "EMT/ Service Managers"
    assert {p.initials for p in tasks["3.2"].responsible} == {
        "PK",
        "PH",
        "SH",
        "GJ",
        "PB",
        "JM",
        "DR",
    }
    assert tasks["2.3"].work_stream.code == "PSC"
    assert tasks["1.1"].target_finish == dt.date(2010, 1, 31)


def test_service_first_budget_figures(seeded, db):
    source = db.session.execute(
        select(FundingSource).where(FundingSource.code == "SF")
    ).scalar_one()
    totals = source_totals(source)
    assert totals.provision_pence == 2_260_000
    assert totals.actual_pence == 120_000
    assert totals.remaining_pence == 2_140_000
    meeting_criteria = next(line for line in source.lines if line.product == "Meeting Criteria")
    assert line_actual(meeting_criteria) == 120_000
    assert line_remaining(meeting_criteria) == 1_000_000


def test_training_line_derives_4100_while_its_notes_keep_the_stated_5000(seeded, db):
    line = db.session.execute(
        select(BudgetLine).join(FundingSource).where(FundingSource.code == "CT")
    ).scalar_one()
    assert (line.quantity, line.unit_cost_pence, line.provision_pence) == (3, 30_000, 500_000)
    assert line_actual(line) == 90_000
    assert line_remaining(line) == 410_000
    assert "£5000" in line.notes


def test_planned_staff_time_is_946_days(seeded, db):
    resources = db.session.execute(select(StaffResource)).scalars()
    assert sum(r.quantity * r.days_each for r in resources) == 946


def test_self_assessment_2009(seeded, db):
    round_ = db.session.execute(select(AssessmentRound)).scalar_one()
    assert round_.name == "Self-assessment May–June 2009"
    assert (round_.scale, round_.scope) == (RatingScale.SELF, RatingScope.SERVICE)
    assert count(db, Service) == 14
    ratings = db.session.execute(select(ElementRating)).scalars().all()
    # 57 elements x 14 services, less the one cell the source leaves blank (3.1.1, Major
    # Developments; see seed/README.md).
    assert len(ratings) == 57 * 14 - 1
    assert {r.rating for r in ratings} == SELF_RATINGS
    by_cell = {(r.element.code, r.service.name): r.rating for r in ratings}
    assert ("3.1.1", "Major Developments") not in by_cell
    # The second row written "4.1.1" is 4.1.2; the 15th value of 4.2.1 is left out.
    assert by_cell["4.1.2", "Planning Policy"] == "0"
    assert by_cell["4.1.1", "Planning Policy"] == "100"
    assert by_cell["4.2.1", "Major Developments"] == ">50"


def test_february_2010_highlight_report(seeded, db):
    report = db.session.execute(select(HighlightReport)).scalar_one()
    assert (report.kind, report.number, report.status) == (
        ReportKind.PROJECT,
        1,
        ReportStatus.ISSUED,
    )
    assert report.issued_on == dt.date(2010, 2, 26)
    assert (report.period_start, report.period_end) == (dt.date(2010, 1, 29), report.issued_on)
    assert report.produced_by.name == "Paul Knight"
    assert len(report.sections) == 8
    assert {tuple(s) for s in report.sections} == {("key", "heading", "status", "text")}
    assert report.snapshot["budget_status"] == {
        "allocated_pence": 2_260_000,
        "spent_pence": 120_000,
        "remaining_pence": 2_140_000,
    }
    training = report.snapshot["budgets"][1]
    assert training["lines"][0]["remaining_pence"] == 500_000  # as the report states it
    assert training["total"]["remaining_pence"] == 410_000
    assert [row["code"] for row in report.snapshot["work_plan"]] == [f"1.{n}" for n in range(1, 7)]


def test_every_role_is_held_and_nobody_has_a_password(seeded, db):
    roles = set(db.session.execute(select(Membership.role)).scalars())
    assert roles == set(Role)
    assert count(db, Person, Person.password_hash.is_not(None)) == 0
    demo = db.session.execute(select(Person).where(Person.is_demo)).scalars().all()
    assert all("(demo)" in person.name for person in demo)
    sponsor = db.session.execute(
        select(Person).join(Membership).where(Membership.role == Role.SPONSOR)
    ).scalar_one()
    assert sponsor.name == "Steve Hampson"


def test_baseline_v1_2_copies_the_plan(seeded, db):
    baseline = db.session.execute(select(PlanBaseline)).scalar_one()
    assert baseline.name == "V1.2 26 Feb 2010"
    kinds = [item["kind"] for item in baseline.items]
    assert (kinds.count("stage"), kinds.count("task"), kinds.count("milestone")) == (5, 25, 5)
    stage_1 = next(i for i in baseline.items if i["kind"] == "stage" and i["code"] == "S1")
    assert stage_1["finish"] == "2010-03-31"


def test_the_audit_trail_names_the_seed(seeded, db):
    labels = set(db.session.execute(select(AuditEvent.actor_label)).scalars())
    assert labels == {"flask seed"}


def test_loading_twice_adds_nothing(seeded, db):
    models = (Person, Project, Task, ElementRating, SpendEntry, Meeting, Membership, AuditEvent)
    before = {model: count(db, model) for model in models}
    result = load_seed(SEED_DIR)
    assert result.total == 0
    assert "Nothing to add" in result.summary()
    assert {model: count(db, model) for model in models} == before


@pytest.mark.parametrize("missing", ["people.csv", "tasks.csv"])
def test_a_broken_seed_leaves_nothing_behind(app, db, tmp_path, missing):
    for path in SEED_DIR.iterdir():
        if path.name != missing:
            (tmp_path / path.name).write_bytes(path.read_bytes())
    with pytest.raises(FileNotFoundError):
        load_seed(tmp_path)
    assert count(db, Project) == 0
    assert count(db, Standard) == 0


def test_flask_seed_command_loads_then_adds_nothing(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "element_rating" in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "Nothing to add" in second.output
    assert count(db, Project) == 1
