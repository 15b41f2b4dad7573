"""Change control rules (9.3): major or minor at the edges, routing, applying effects, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    BudgetLineFactory,
    FundingSourceFactory,
    MeetingFactory,
    MilestoneFactory,
    PersonFactory,
    SpendEntryFactory,
    TaskDependencyFactory,
    TaskFactory,
)
from tracker.audit import AuditEvent
from tracker.database import utcnow
from tracker.forms import parse_pounds
from tracker.issues.changes import (
    AlreadyDecided,
    NotAllowedToDecide,
    assess_change,
    changes_approved_between,
    decide_change,
    raise_change,
    remove_effect,
    set_effect,
)
from tracker.issues.classification import (
    DateMove,
    ProvisionRise,
    classify_change,
    describe_change,
    money_left_pence,
    who_decides,
)
from tracker.issues.models import (
    ChangeRequest,
    ChangeStatus,
    EffectTarget,
    EntryStatus,
    EntryType,
)
from tracker.plan.conflicts import broken_links, dependency_breaks, stage_overlaps, stage_overruns
from tracker.plan.models import Stage, Task
from tracker.plan.schedule import Link
from tracker.projects.models import Meeting, MeetingKind, Role
from tracker.rules import RuleRefused

D = dt.date


def minor_inputs(**values):
    inputs = {
        "cost_pence": 0,
        "money_left_pence": 1_000_00,
        "needs_more_resources": False,
        "changes_requirements": False,
        "date_moves": [],
        "raised_to_major": False,
    }
    return inputs | values


# classify_change, the one rule ---------------------------------------------------------------


def test_a_cost_equal_to_the_money_left_is_minor_and_a_penny_more_is_major():
    assert not classify_change(**minor_inputs(cost_pence=1_000_00)).major
    major = classify_change(**minor_inputs(cost_pence=1_000_01))
    assert major.major
    assert major.reasons == ("It costs £1,000.01, more than the £1,000.00 left in the budget",)


def test_no_money_left_makes_any_cost_major_but_not_a_free_change():
    assert classify_change(**minor_inputs(cost_pence=1, money_left_pence=0)).major
    assert not classify_change(**minor_inputs(cost_pence=0, money_left_pence=0)).major
    assert not classify_change(**minor_inputs(cost_pence=None, money_left_pence=-5)).major


@pytest.mark.parametrize(
    ("target", "new", "major"),
    [
        (EffectTarget.MILESTONE, D(2010, 3, 1), True),  # one day later
        (EffectTarget.MILESTONE, D(2010, 2, 27), False),  # one day earlier
        (EffectTarget.MILESTONE, D(2010, 2, 28), False),  # unchanged
        (EffectTarget.STAGE, D(2010, 3, 31), True),
        (EffectTarget.STAGE, D(2010, 2, 1), False),
        (EffectTarget.PROJECT, D(2010, 3, 1), True),
        (EffectTarget.PROJECT, D(2010, 1, 1), False),
        # A task may move later inside its stage: only its dependencies can stop it.
        (EffectTarget.TASK, D(2010, 6, 1), False),
    ],
)
def test_only_a_later_milestone_stage_or_project_end_is_major(target, new, major):
    move = DateMove(target, "it", D(2010, 2, 28), new)
    result = classify_change(**minor_inputs(date_moves=[move]))
    assert result.major is major
    if major:
        assert result.reasons == (
            "It moves it later, from 28 Feb 2010 to " + f"{new.day} {new:%b %Y}",
        )


@pytest.mark.parametrize(
    "flag", ["needs_more_resources", "changes_requirements", "raised_to_major"]
)
def test_more_resources_changed_requirements_or_raising_make_it_major(flag):
    result = classify_change(**minor_inputs(**{flag: True}))
    assert result.major and result.label == "Major"
    assert len(result.reasons) == 1


def test_a_minor_change_has_no_reasons():
    result = classify_change(**minor_inputs())
    assert result.label == "Minor" and result.reasons == ()


# Money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pence"),
    [("600", 60000), ("£1,200.50", 120050), ("0.5", 50), (" 12. ", 1200), ("0", 0), (".05", 5)],
)
def test_parse_pounds_reads_what_people_type(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the amount"),
        ("-5", "The amount must be £0 or more"),
        ("-£5", "The amount must be £0 or more"),
        ("£-5", "The amount must be £0 or more"),
        ("five", "Enter the amount as a number of pounds, like 600 or 600.50"),
        ("1,2", "Enter the amount as a number of pounds, like 600 or 600.50"),
        ("12.345", "The amount must have 2 decimal places or fewer, like 600.50"),
        ("10000000.01", "The amount must be £10,000,000 or less"),
    ],
)
def test_parse_pounds_refuses_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("£", "£")):
        parse_pounds(text)


# Helpers for the database tests -----------------------------------------------------------


def budget(db, project, provision, spent=()):
    source = FundingSourceFactory(
        project=project, code="SF", name="Service First", allocation_pence=provision
    )
    line = BudgetLineFactory(
        project=project, source=source, product="Assessment", unit_cost_pence=provision
    )
    for day, amount in spent:
        SpendEntryFactory(line=line, spent_on=day, amount_pence=amount)
    return line


def stage_one(db, project) -> Stage:
    return db.session.execute(
        db.select(Stage).where(Stage.project_id == project.id, Stage.number == 1)
    ).scalar_one()


def plan(db, project):
    """Task 1.1 (1 to 31 Jan) -> task 1.2 (1 to 28 Feb) -> milestone (28 Feb); 1.1 -> milestone."""
    stage = stage_one(db, project)
    first = TaskFactory(
        project=project,
        stage=stage,
        code="1.1",
        activity="Workshop",
        start_date=D(2010, 1, 1),
        target_finish=D(2010, 1, 31),
    )
    second = TaskFactory(
        project=project,
        stage=stage,
        code="1.2",
        activity="Self assessment",
        start_date=D(2010, 2, 1),
        target_finish=D(2010, 2, 28),
        position=1,
    )
    milestone = MilestoneFactory(
        project=project,
        stage=stage,
        name="Stage 1 complete",
        scheduled_finish=D(2010, 2, 28),
    )
    TaskDependencyFactory(project=project, predecessor_id=first.id, successor_task_id=second.id)
    TaskDependencyFactory(
        project=project, predecessor_id=second.id, successor_milestone_id=milestone.id
    )
    return first, second, milestone


def meeting(db, project, day=None) -> Meeting:
    return MeetingFactory(project=project, held_on=day or D(2010, 2, 26))


def raised(db, project, person=None, **assessment) -> ChangeRequest:
    person = person or PersonFactory()
    change = raise_change(
        project,
        description="Extend stage 1",
        expected_benefits="Time to finish the self-assessment",
        requested_by=person,
        on=D(2010, 2, 1),
    )
    if assessment is not None:
        values = {
            "impact_days": 5,
            "impact_products": "",
            "impact_cost_pence": 0,
            "needs_more_resources": False,
            "changes_requirements": False,
            "raise_to_major": False,
        } | assessment
        assess_change(change, assessed_by=person, now=utcnow(), **values)
    return change


# Raising, classifying and routing ---------------------------------------------------------------


def test_raising_a_change_writes_its_r_entry_in_the_issue_log(db, project):
    person = PersonFactory(initials="PK")
    change = raise_change(
        project,
        description=" Combine 1.2 and 2.1 ",
        expected_benefits="Less work",
        requested_by=person,
        on=D(2010, 2, 1),
    )
    entry = change.issue_entry
    assert change.number == 1 and change.status is ChangeStatus.RAISED
    assert entry.number == "01" and entry.type is EntryType.REQUEST_FOR_CHANGE
    assert entry.change_request is change
    assert entry.description == "Combine 1.2 and 2.1"
    assert (entry.author_id, entry.status, entry.last_updated_on) == (
        person.id,
        EntryStatus.OPEN,
        D(2010, 2, 1),
    )
    second = raise_change(
        project, description="x", expected_benefits="y", requested_by=person, on=D(2010, 3, 1)
    )
    assert (second.number, second.issue_entry.number) == (2, "02")


def test_cost_against_money_left_at_the_edge(db, project):
    budget(db, project, 22_600_00, spent=[(D(2010, 2, 1), 1_200_00)])
    assert money_left_pence(project) == 21_400_00
    at_edge = raised(db, project, impact_cost_pence=21_400_00)
    assert not describe_change(at_edge).classification.major
    assert who_decides(at_edge) is Role.MANAGER
    penny_more = raised(db, project, impact_cost_pence=21_400_01)
    assert describe_change(penny_more).classification.major
    assert who_decides(penny_more) is Role.SPONSOR


def test_a_later_milestone_is_major_an_earlier_one_minor(db, project):
    _, _, milestone = plan(db, project)
    later = raised(db, project)
    set_effect(
        later,
        target=EffectTarget.MILESTONE,
        target_id=milestone.id,
        field_name="scheduled_finish",
        new_date=D(2010, 3, 31),
        on=D(2010, 2, 26),
    )
    view = describe_change(later)
    assert view.classification.major
    assert view.classification.reasons == (
        "It moves the scheduled finish of milestone Stage 1 complete later, "
        "from 28 Feb 2010 to 31 Mar 2010",
    )
    assert who_decides(later) is Role.SPONSOR
    earlier = raised(db, project)
    set_effect(
        earlier,
        target=EffectTarget.MILESTONE,
        target_id=milestone.id,
        field_name="scheduled_finish",
        new_date=D(2010, 2, 27),
        on=D(2010, 2, 26),
    )
    # 1.2 finishes on 28 Feb, so an earlier milestone breaks a dependency; still minor by the rule.
    assert not describe_change(earlier).classification.major
    assert who_decides(earlier) is Role.MANAGER


def test_raising_to_major_only_goes_up(db, project):
    person = PersonFactory()
    change = raised(db, project, person, raise_to_major=True)
    assert change.raised_to_major and who_decides(change) is Role.SPONSOR
    # Writing the analysis again without the box ticked does not lower it.
    assess_change(
        change,
        impact_days=1,
        impact_products="",
        impact_cost_pence=0,
        needs_more_resources=False,
        changes_requirements=False,
        raise_to_major=False,
        assessed_by=person,
        now=utcnow(),
    )
    assert change.raised_to_major and who_decides(change) is Role.SPONSOR
    # A change the rule classes as major stays major whatever the manager ticks.
    major = raised(db, project, person, needs_more_resources=True, raise_to_major=False)
    assert who_decides(major) is Role.SPONSOR


# Deciding -------------------------------------------------------------------------------------


def test_the_sponsor_approves_a_major_change_and_it_is_applied_with_its_cause(db, project):
    _, _, milestone = plan(db, project)
    stage = stage_one(db, project)
    # As in the seed, stage 2 starts on 1 April, so stage 1 can run to 31 March.
    _stage(db, project, 2).start_date = D(2010, 4, 1)
    line = budget(db, project, 22_600_00)
    group = meeting(db, project)
    sponsor = PersonFactory(name="Steve Hampson")
    change = raised(db, project)
    set_effect(
        change,
        target=EffectTarget.STAGE,
        target_id=stage.id,
        field_name="end_date",
        new_date=D(2010, 3, 31),
        on=D(2010, 2, 26),
    )
    set_effect(
        change,
        target=EffectTarget.MILESTONE,
        target_id=milestone.id,
        field_name="scheduled_finish",
        new_date=D(2010, 3, 31),
        on=D(2010, 2, 26),
    )
    set_effect(
        change,
        target=EffectTarget.BUDGET_LINE,
        target_id=line.id,
        field_name="provision_pence",
        new_amount_pence=20_000_00,
        on=D(2010, 2, 26),
    )
    old_stage_end = stage.end_date
    now = utcnow()
    decide_change(
        project,
        change,
        approve=True,
        note="",
        decided_by=sponsor,
        roles=frozenset({Role.SPONSOR}),
        meeting=group,
        now=now,
    )
    db.session.commit()
    assert change.status is ChangeStatus.APPROVED and change.meeting_id == group.id
    assert (stage.end_date, milestone.scheduled_finish, line.provision_pence) == (
        D(2010, 3, 31),
        D(2010, 3, 31),
        20_000_00,
    )
    stage_effect, milestone_effect, line_effect = change.effects
    assert (stage_effect.old_date, stage_effect.new_date) == (old_stage_end, D(2010, 3, 31))
    assert milestone_effect.old_date == D(2010, 2, 28)
    assert (line_effect.old_amount_pence, line_effect.new_amount_pence) == (22_600_00, 20_000_00)
    assert all(e.applied_at == now for e in change.effects)
    assert change.issue_entry.status is EntryStatus.CLOSED
    assert change.issue_entry.resolution.startswith("Approved by Steve Hampson")
    events = (
        db.session.execute(
            db.select(AuditEvent).where(AuditEvent.cause == f"Change request {change.number}")
        )
        .scalars()
        .all()
    )
    changed = {(e.table_name, e.record_id) for e in events}
    assert {("stage", stage.id), ("milestone", milestone.id), ("budget_line", line.id)} <= changed
    stage_event = next(e for e in events if e.table_name == "stage")
    assert stage_event.changes["end_date"] == [old_stage_end.isoformat(), "2010-03-31"]
    # Once decided, the change keeps its class: the moves are compared with the replaced dates.
    assert describe_change(change).classification.major


def test_routing_refuses_the_wrong_decider(db, project):
    _, _, milestone = plan(db, project)
    manager = PersonFactory()
    major = raised(db, project, needs_more_resources=True)
    with pytest.raises(NotAllowedToDecide):
        decide_change(
            project,
            major,
            approve=True,
            note="",
            decided_by=manager,
            roles=frozenset({Role.MANAGER, Role.SUPPORT}),
            meeting=meeting(db, project),
            now=utcnow(),
        )
    minor = raised(db, project)
    with pytest.raises(NotAllowedToDecide):
        decide_change(
            project,
            minor,
            approve=True,
            note="",
            decided_by=manager,
            roles=frozenset({Role.SPONSOR}),
            meeting=None,
            now=utcnow(),
        )
    assert major.status is minor.status is ChangeStatus.ASSESSED


def test_a_minor_change_is_approved_by_the_manager_and_reported(db, project):
    first, _, _ = plan(db, project)
    manager = PersonFactory()
    change = raised(db, project)
    set_effect(
        change,
        target=EffectTarget.TASK,
        target_id=first.id,
        field_name="target_finish",
        new_date=D(2010, 1, 20),
        on=D(2010, 2, 26),
    )
    now = utcnow()
    decide_change(
        project,
        change,
        approve=True,
        note="Go ahead",
        decided_by=manager,
        roles=frozenset({Role.MANAGER}),
        meeting=None,
        now=now,
    )
    assert first.target_finish == D(2010, 1, 20) and change.meeting_id is None
    today = now.date()
    day = dt.timedelta(days=1)
    reported = changes_approved_between(project, today - day, today + day, minor_only=True)
    assert [v.change.number for v in reported] == [change.number]
    assert not reported[0].classification.major
    assert changes_approved_between(project, today + 2 * day, today + 30 * day) == []


def test_decisions_are_final_and_a_rejection_needs_a_reason(db, project):
    manager = PersonFactory()
    change = raised(db, project)
    kwargs = {
        "decided_by": manager,
        "roles": frozenset({Role.MANAGER}),
        "meeting": None,
        "now": utcnow(),
    }
    with pytest.raises(RuleRefused, match="Enter the reason for rejecting the change"):
        decide_change(project, change, approve=False, note="  ", **kwargs)
    assert change.status is ChangeStatus.ASSESSED
    decide_change(project, change, approve=False, note="Not needed", **kwargs)
    assert change.status is ChangeStatus.REJECTED
    with pytest.raises(AlreadyDecided):
        decide_change(project, change, approve=True, note="", **kwargs)
    with pytest.raises(AlreadyDecided):
        set_effect(
            change,
            target=EffectTarget.PROJECT,
            target_id=project.id,
            field_name="end_date",
            new_date=D(2011, 1, 1),
            on=D(2010, 3, 1),
        )


def test_a_change_needs_its_analysis_and_a_major_one_a_project_group_meeting(db, project):
    sponsor = PersonFactory()
    change = raise_change(
        project, description="x", expected_benefits="y", requested_by=sponsor, on=D(2010, 2, 1)
    )
    assert who_decides(change) is Role.MANAGER  # nothing known yet
    with pytest.raises(RuleRefused, match="impact analysis"):
        decide_change(
            project,
            change,
            approve=True,
            note="",
            decided_by=sponsor,
            roles=frozenset(Role),
            meeting=None,
            now=utcnow(),
        )
    major = raised(db, project, changes_requirements=True)
    kwargs = {
        "approve": True,
        "note": "",
        "decided_by": sponsor,
        "roles": frozenset({Role.SPONSOR}),
        "now": utcnow(),
    }
    with pytest.raises(RuleRefused, match="Select the project group meeting"):
        decide_change(project, major, meeting=None, **kwargs)
    emt = MeetingFactory(project=project, kind=MeetingKind.EMT, held_on=D(2010, 4, 1))
    with pytest.raises(RuleRefused, match="project group meetings"):
        decide_change(project, major, meeting=emt, **kwargs)
    with pytest.raises(RuleRefused, match="on or after 1 Feb 2010"):
        decide_change(project, major, meeting=meeting(db, project, D(2010, 1, 29)), **kwargs)
    assert major.status is ChangeStatus.ASSESSED


# Dependencies ---------------------------------------------------------------------------------


def test_a_date_that_breaks_a_dependency_is_refused_and_nothing_is_applied(db, project):
    first, second, milestone = plan(db, project)
    stage = stage_one(db, project)
    manager = PersonFactory()
    change = raised(db, project)
    # The stage end would be fine; 1.1 finishing on 1 Feb collides with 1.2 starting on 1 Feb.
    set_effect(
        change,
        target=EffectTarget.STAGE,
        target_id=stage.id,
        field_name="end_date",
        new_date=D(2010, 2, 20),
        on=D(2010, 2, 26),
    )
    set_effect(
        change,
        target=EffectTarget.TASK,
        target_id=first.id,
        field_name="target_finish",
        new_date=D(2010, 2, 1),
        on=D(2010, 2, 26),
    )
    stage_end = stage.end_date
    db.session.commit()
    with pytest.raises(RuleRefused) as refused:
        decide_change(
            project,
            change,
            approve=True,
            note="",
            decided_by=manager,
            roles=frozenset({Role.MANAGER}),
            meeting=None,
            now=utcnow(),
        )
    message = str(refused.value)
    assert "nothing has been changed" in message
    assert (
        "Task 1.2 Self assessment would start on 1 Feb 2010, but it waits for Task 1.1 Workshop, "
        "which would finish on 1 Feb 2010: it cannot start before 2 Feb 2010" in message
    )
    db.session.rollback()
    db.session.refresh(change)
    assert change.status is ChangeStatus.ASSESSED
    assert stage.end_date == stage_end and first.target_finish == D(2010, 1, 31)
    assert all(e.applied_at is None and e.old_date is None for e in change.effects)
    assert second.start_date == D(2010, 2, 1) and milestone.scheduled_finish == D(2010, 2, 28)


def test_moving_a_milestone_onto_the_start_of_the_work_waiting_for_it_breaks_the_link(db, project):
    """Stage 2's first task waits for the stage 1 milestone: a change that moves the milestone
    to the day the task starts breaks the dependency (the task may start the day after)."""
    _, _, milestone = plan(db, project)
    stage2 = db.session.execute(
        db.select(Stage).where(Stage.project_id == project.id, Stage.number == 2)
    ).scalar_one()
    waiting = TaskFactory(
        project=project,
        stage=stage2,
        code="2.1",
        activity="Affordable housing",
        start_date=D(2010, 3, 2),
        target_finish=D(2010, 3, 31),
        position=2,
    )
    TaskDependencyFactory(
        project=project, predecessor_milestone_id=milestone.id, successor_task_id=waiting.id
    )
    change = raised(db, project)
    set_effect(
        change,
        target=EffectTarget.MILESTONE,
        target_id=milestone.id,
        field_name="scheduled_finish",
        new_date=D(2010, 3, 2),
        on=D(2010, 2, 26),
    )
    db.session.commit()
    breaks = dependency_breaks(project, change.effects)
    assert [b.message() for b in breaks] == [
        "Task 2.1 Affordable housing would start on 2 Mar 2010, but it waits for Milestone "
        "Stage 1 complete, which would be reached on 2 Mar 2010: it cannot start before "
        "3 Mar 2010"
    ]
    # One day earlier leaves the day after for the task.
    set_effect(
        change,
        target=EffectTarget.MILESTONE,
        target_id=milestone.id,
        field_name="scheduled_finish",
        new_date=D(2010, 3, 1),
        on=D(2010, 2, 26),
    )
    assert dependency_breaks(project, change.effects) == []


def test_a_milestone_may_fall_on_its_predecessors_finish_but_not_before(db, project):
    _, second, milestone = plan(db, project)
    manager = PersonFactory()
    change = raised(db, project)
    set_effect(
        change,
        target=EffectTarget.MILESTONE,
        target_id=milestone.id,
        field_name="scheduled_finish",
        new_date=D(2010, 2, 27),
        on=D(2010, 2, 26),
    )
    db.session.commit()
    with pytest.raises(
        RuleRefused, match="Milestone Stage 1 complete would be reached on 27 Feb 2010"
    ):
        decide_change(
            project,
            change,
            approve=True,
            note="",
            decided_by=manager,
            roles=frozenset({Role.MANAGER}),
            meeting=None,
            now=utcnow(),
        )
    db.session.rollback()
    # Moving 1.2 to finish earlier too makes room: both are applied together.
    change = db.session.get(ChangeRequest, change.id)
    set_effect(
        change,
        target=EffectTarget.TASK,
        target_id=second.id,
        field_name="target_finish",
        new_date=D(2010, 2, 27),
        on=D(2010, 2, 26),
    )
    decide_change(
        project,
        change,
        approve=True,
        note="",
        decided_by=manager,
        roles=frozenset({Role.MANAGER}),
        meeting=None,
        now=utcnow(),
    )
    assert milestone.scheduled_finish == D(2010, 2, 27) and second.target_finish == D(2010, 2, 27)


def test_a_task_cannot_be_made_to_end_before_it_starts(db, project):
    first, _, _ = plan(db, project)
    change = raised(db, project)
    set_effect(
        change,
        target=EffectTarget.TASK,
        target_id=first.id,
        field_name="target_finish",
        new_date=D(2009, 12, 1),
        on=D(2010, 2, 26),
    )
    with pytest.raises(RuleRefused, match="end on 1 Dec 2009, before it starts on 1 Jan 2010"):
        decide_change(
            project,
            change,
            approve=True,
            note="",
            decided_by=PersonFactory(),
            roles=frozenset({Role.MANAGER}),
            meeting=None,
            now=utcnow(),
        )


def test_an_old_slip_does_not_block_an_unrelated_change():
    before = {"t1": (D(2010, 1, 1), D(2010, 2, 10)), "t2": (D(2010, 2, 1), D(2010, 2, 28))}
    links = [Link("t1", "t2")]
    # Already broken by 10 days; moving t2's finish only does not make it worse.
    after = dict(before) | {"t2": (D(2010, 2, 1), D(2010, 3, 5))}
    assert broken_links(before, after, links) == []
    # Moving t1's finish later makes it worse: refused.
    worse = dict(before) | {"t1": (D(2010, 1, 1), D(2010, 2, 15))}
    assert broken_links(before, worse, links) == [(links[0], D(2010, 2, 16), D(2010, 2, 1))]
    # A lag counts too.
    lagged = [Link("t1", "t2", lag=3)]
    ok = {"t1": (D(2010, 1, 1), D(2010, 1, 28)), "t2": (D(2010, 2, 1), D(2010, 2, 28))}
    assert broken_links(ok, ok, lagged) == []
    late = ok | {"t1": (D(2010, 1, 1), D(2010, 1, 29))}
    assert broken_links(ok, late, lagged) == [(lagged[0], D(2010, 2, 2), D(2010, 2, 1))]


# The order of the stages ------------------------------------------------------------------


def _stage(db, project, number: int) -> Stage:
    return db.session.execute(
        db.select(Stage).where(Stage.project_id == project.id, Stage.number == number)
    ).scalar_one()


def _approve_as_sponsor(db, project, change) -> None:
    decide_change(
        project,
        change,
        approve=True,
        note="",
        decided_by=PersonFactory(),
        roles=frozenset({Role.SPONSOR}),
        meeting=meeting(db, project, D(2010, 2, 26)),
        now=utcnow(),
    )


def test_a_stage_end_moved_past_the_next_stage_start_is_refused_and_nothing_applied(db, project):
    first, second = _stage(db, project, 1), _stage(db, project, 2)
    assert (first.end_date, second.start_date) == (D(2010, 2, 28), D(2010, 3, 1))
    change = raised(db, project)
    set_effect(
        change,
        target=EffectTarget.STAGE,
        target_id=first.id,
        field_name="end_date",
        new_date=D(2010, 3, 31),
        on=D(2010, 2, 26),
    )
    db.session.commit()
    with pytest.raises(RuleRefused) as refused:
        _approve_as_sponsor(db, project, change)
    assert (
        "stage 2 Stage 2 would start on 1 Mar 2010, but stage 1 Stage 1 would end on "
        "31 Mar 2010: the stages run one after another, so move the start of stage 2 Stage 2 too"
    ) in str(refused.value)
    db.session.rollback()
    assert _stage(db, project, 1).end_date == D(2010, 2, 28)
    assert db.session.get(ChangeRequest, change.id).status is ChangeStatus.ASSESSED


def test_moving_the_next_stage_start_as_well_lets_the_change_through(db, project):
    first, second = _stage(db, project, 1), _stage(db, project, 2)
    change = raised(db, project)
    for stage, field_name, day in (
        (first, "end_date", D(2010, 3, 31)),
        (second, "start_date", D(2010, 3, 31)),  # the same day still overlaps
    ):
        set_effect(
            change,
            target=EffectTarget.STAGE,
            target_id=stage.id,
            field_name=field_name,
            new_date=day,
            on=D(2010, 2, 26),
        )
    db.session.commit()
    with pytest.raises(RuleRefused, match="would start on 31 Mar 2010"):
        _approve_as_sponsor(db, project, change)
    db.session.rollback()
    change = db.session.get(ChangeRequest, change.id)
    set_effect(
        change,
        target=EffectTarget.STAGE,
        target_id=second.id,
        field_name="start_date",
        new_date=D(2010, 4, 1),
        on=D(2010, 2, 26),
    )
    view = describe_change(change)
    assert view.classification.major
    assert "It moves the start of stage 2 Stage 2 later, from 1 Mar 2010 to 1 Apr 2010" in (
        view.classification.reasons
    )
    _approve_as_sponsor(db, project, change)
    assert (first.end_date, second.start_date) == (D(2010, 3, 31), D(2010, 4, 1))


def test_an_old_stage_overlap_does_not_block_an_unrelated_change(db, project):
    first, second = _stage(db, project, 1), _stage(db, project, 2)
    first.end_date = D(2010, 3, 10)  # already overlapping stage 2 by ten days
    change = raised(db, project)
    set_effect(
        change,
        target=EffectTarget.STAGE,
        target_id=first.id,
        field_name="end_date",
        new_date=D(2010, 3, 5),
        on=D(2010, 2, 26),
    )
    assert stage_overlaps(project, change.effects) == []
    change.effects[0].new_date = D(2010, 3, 15)
    assert [o.later_start for o in stage_overlaps(project, change.effects)] == [second.start_date]


def _task_in(db, project, stage: Stage, finish: dt.date) -> Task:
    task = TaskFactory(
        project=project,
        stage=stage,
        code="1.5",
        activity="Getting Ready Workshop",
        start_date=stage.start_date,
        target_finish=finish,
    )
    return task


def _move_finish(change, task: Task, day: dt.date) -> None:
    set_effect(
        change,
        target=EffectTarget.TASK,
        target_id=task.id,
        field_name="target_finish",
        new_date=day,
        on=D(2010, 2, 26),
    )


def test_a_task_moved_past_its_stage_end_is_a_conflict_until_the_stage_moves_too(db, project):
    first = _stage(db, project, 1)
    task = _task_in(db, project, first, first.end_date - dt.timedelta(days=7))
    change = raised(db, project)
    _move_finish(change, task, first.end_date)  # the stage's last day still fits
    assert stage_overruns(project, change.effects) == []
    _move_finish(change, task, first.end_date + dt.timedelta(days=1))
    [overrun] = stage_overruns(project, change.effects)
    assert overrun.stage_end == first.end_date
    assert overrun.message().startswith("Task 1.5 Getting Ready Workshop would finish on ")
    assert "after stage 1 ends on" in overrun.message()
    db.session.commit()
    with pytest.raises(RuleRefused, match="after stage 1 ends"):
        decide_change(
            project,
            change,
            approve=True,
            note="",
            decided_by=PersonFactory(),
            roles=frozenset({Role.MANAGER}),
            meeting=None,
            now=utcnow(),
        )
    db.session.rollback()
    change = db.session.get(ChangeRequest, change.id)
    assert db.session.get(Task, task.id).target_finish == first.end_date - dt.timedelta(days=7)
    set_effect(
        change,
        target=EffectTarget.STAGE,
        target_id=first.id,
        field_name="end_date",
        new_date=first.end_date + dt.timedelta(days=1),
        on=D(2010, 2, 26),
    )
    assert stage_overruns(project, change.effects) == []


def test_an_old_overrun_does_not_block_a_change_that_does_not_worsen_it(db, project):
    first = _stage(db, project, 1)
    task = _task_in(db, project, first, first.end_date + dt.timedelta(days=10))
    change = raised(db, project)
    _move_finish(change, task, first.end_date + dt.timedelta(days=5))  # brought closer
    assert stage_overruns(project, change.effects) == []
    _move_finish(change, task, first.end_date + dt.timedelta(days=11))
    assert len(stage_overruns(project, change.effects)) == 1


def test_a_stage_end_brought_before_its_tasks_finish_is_a_conflict(db, project):
    first = _stage(db, project, 1)
    _task_in(db, project, first, first.end_date - dt.timedelta(days=3))
    change = raised(db, project)

    def end_stage(day: dt.date) -> None:
        set_effect(
            change,
            target=EffectTarget.STAGE,
            target_id=first.id,
            field_name="end_date",
            new_date=day,
            on=D(2010, 2, 26),
        )

    end_stage(first.end_date - dt.timedelta(days=3))  # still holds the task's finish
    assert stage_overruns(project, change.effects) == []
    end_stage(first.end_date - dt.timedelta(days=4))
    [overrun] = stage_overruns(project, change.effects)
    assert overrun.stage_end == first.end_date - dt.timedelta(days=4)


# New provisions against a funding source's allocation -----------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "major"),
    [
        (22_600_00, 22_600_00, False),  # money moved between lines, the source's total unchanged
        (22_000_00, 22_600_00, False),  # up to the allocation exactly
        (22_600_00, 22_600_01, True),  # a penny above it
        (23_000_00, 22_800_00, False),  # already above, and the change brings it down
    ],
)
def test_a_provision_above_its_sources_allocation_is_major(before, after, major):
    rise = ProvisionRise("Service First", before, after, 22_600_00)
    classification = classify_change(**minor_inputs(provision_rises=[rise]))
    assert classification.major is major
    if major:
        assert classification.reasons == (
            "It raises the provision of Service First to £22,600.01, more than its allocation "
            "of £22,600.00",
        )


def _provide(change, line, pence: int) -> None:
    set_effect(
        change,
        target=EffectTarget.BUDGET_LINE,
        target_id=line.id,
        field_name="provision_pence",
        new_amount_pence=pence,
        on=D(2010, 2, 26),
    )


def test_new_provisions_are_classed_against_the_sources_allocation(db, project):
    line = budget(db, project, 1_000_00)  # allocation £1,000, all of it provided
    other = BudgetLineFactory(project=project, source=line.source, product="Workshop")
    # £200 moved from one line to another: the source still provides £1,000.
    moved = raised(db, project)
    _provide(moved, line, 800_00)
    _provide(moved, other, 200_00)
    assert not describe_change(moved).classification.major
    # £200 more for one line: £1,200 provided against £1,000 allocated.
    more = raised(db, project)
    _provide(more, other, 200_00)
    view = describe_change(more)
    assert view.classification.major and who_decides(more) is Role.SPONSOR
    assert view.classification.reasons == (
        "It raises the provision of Service First to £1,200.00, more than its allocation "
        "of £1,000.00",
    )
    # Once approved, it keeps the class it was decided under.
    _approve_as_sponsor(db, project, more)
    assert other.provision_pence == 200_00
    assert describe_change(more).classification.major


def test_a_major_change_stays_major_when_its_analysis_or_effects_change(db, project):
    _, _, milestone = plan(db, project)
    person = PersonFactory()
    # Major by the rule (more resources); a new analysis without them keeps it major.
    change = raised(db, project, person, needs_more_resources=True)
    assert describe_change(change).classification.major
    assess_change(
        change,
        impact_days=0,
        impact_products="",
        impact_cost_pence=0,
        needs_more_resources=False,
        changes_requirements=False,
        raise_to_major=False,
        assessed_by=person,
        now=utcnow(),
    )
    assert change.raised_to_major and who_decides(change) is Role.SPONSOR
    # Major because it moves a milestone later; removing that effect keeps it major.
    later = raised(db, project, person)
    set_effect(
        later,
        target=EffectTarget.MILESTONE,
        target_id=milestone.id,
        field_name="scheduled_finish",
        new_date=D(2010, 3, 31),
        on=D(2010, 2, 26),
    )
    assert who_decides(later) is Role.SPONSOR and not later.raised_to_major
    remove_effect(later, later.effects[0], on=D(2010, 2, 26))
    assert later.raised_to_major and who_decides(later) is Role.SPONSOR
    # A minor change whose analysis changes stays minor.
    minor = raised(db, project, person)
    set_effect(
        minor,
        target=EffectTarget.MILESTONE,
        target_id=milestone.id,
        field_name="scheduled_finish",
        new_date=D(2010, 2, 20),
        on=D(2010, 2, 26),
    )
    assert who_decides(minor) is Role.MANAGER and not minor.raised_to_major
