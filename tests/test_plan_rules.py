"""The plan's rules at their edges: the stage gate, lateness, variance, reviews, warnings."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PersonFactory
from tracker.auth.models import Person
from tracker.database import utcnow
from tracker.plan.milestones import finish_variance, milestone_warnings
from tracker.plan.models import (
    Milestone,
    Progress,
    ReviewCondition,
    ReviewDecision,
    Stage,
    StageReview,
    Task,
)
from tracker.plan.stage_reviews import (
    close_condition,
    decide_review,
    draft_review_summary,
    parse_conditions,
    request_review,
    reviews_awaiting_decision,
)
from tracker.plan.stages import (
    StageStatus,
    can_start_tasks_of,
    check_task_progress_allowed,
    gate_reason,
    plan_stages,
    stage_statuses,
)
from tracker.plan.tasks import (
    TaskValues,
    can_update_progress,
    effective_progress,
    resolve_people,
    save_task,
    task_date_problems,
)
from tracker.plan.work_plan import TaskFilter, work_plan_tasks
from tracker.projects.models import Meeting, MeetingKind, Project, Role
from tracker.rules import RuleRefused

D = dt.date
NOW = dt.datetime(2010, 3, 26, 10, 0, tzinfo=dt.UTC)


def stages_of(*decisions: ReviewDecision | str | None) -> list[Stage]:
    """Stages 1..n in memory; each argument is a stage's review: a decision, "asked" or None."""
    stages = []
    for number, decision in enumerate(decisions, start=1):
        stage = Stage(
            id=number,
            number=number,
            name=f"Stage {number}",
            start_date=D(2010, number, 1),
            end_date=D(2010, number, 28),
        )
        stage.reviews = []
        if decision == "asked":
            stage.reviews.append(StageReview(requested_at=NOW))
        elif decision is not None:
            stage.reviews.append(StageReview(requested_at=NOW, decision=decision))
        stages.append(stage)
    return stages


# The stage gate --------------------------------------------------------------------------------


def test_the_first_stage_can_always_start():
    stages = stages_of(None, None)
    assert can_start_tasks_of(stages[0], stages)
    assert gate_reason(stages[0], stages) is None


def test_stage_two_waits_for_stage_one_approval():
    stages = stages_of(None, None)
    assert not can_start_tasks_of(stages[1], stages)
    assert "stage 1 review" in gate_reason(stages[1], stages)


@pytest.mark.parametrize(
    ("decision", "opens"),
    [
        (ReviewDecision.APPROVED, True),
        (ReviewDecision.APPROVED_WITH_CONDITIONS, True),
        (ReviewDecision.NOT_APPROVED, False),
        ("asked", False),
    ],
)
def test_only_an_approval_opens_the_next_stage(decision, opens):
    stages = stages_of(decision, None, None)
    assert can_start_tasks_of(stages[1], stages) is opens
    # Stage 3 waits for stage 2 in any case.
    assert not can_start_tasks_of(stages[2], stages)


def test_the_gate_refuses_any_progress_but_not_started():
    stages = stages_of(None, None)
    check_task_progress_allowed(stages[1], stages, Progress.NOT_STARTED)
    for progress in set(Progress) - {Progress.NOT_STARTED}:
        with pytest.raises(RuleRefused) as refused:
            check_task_progress_allowed(stages[1], stages, progress)
        assert refused.value.field == "progress"
        assert "stage 1 review" in refused.value.message


def test_the_gate_refuses_an_actual_finish():
    stages = stages_of(None, None)
    with pytest.raises(RuleRefused) as refused:
        check_task_progress_allowed(stages[1], stages, Progress.NOT_STARTED, D(2010, 2, 3))
    assert refused.value.field == "actual_finish"


def test_the_gate_lets_an_already_started_task_keep_its_progress():
    stages = stages_of(None, None)
    task = Task(stage_id=stages[1].id, progress=Progress.ON_TRACK, actual_finish=None)
    check_task_progress_allowed(stages[1], stages, Progress.ON_TRACK, task=task)
    with pytest.raises(RuleRefused):
        check_task_progress_allowed(stages[1], stages, Progress.COMPLETE, task=task)
    # Moving a started task into a closed stage is refused.
    moved = Task(stage_id=stages[0].id, progress=Progress.ON_TRACK)
    with pytest.raises(RuleRefused):
        check_task_progress_allowed(stages[1], stages, Progress.ON_TRACK, task=moved)


def test_stage_statuses_follow_the_decisions():
    stages = stages_of(ReviewDecision.APPROVED, "asked", None)
    assert stage_statuses(stages) == {
        1: StageStatus.APPROVED,
        2: StageStatus.AWAITING_REVIEW,
        3: StageStatus.NOT_STARTED,
    }
    refused = stages_of(ReviewDecision.APPROVED, ReviewDecision.NOT_APPROVED, None)
    assert stage_statuses(refused)[2] is StageStatus.IN_PROGRESS


# Lateness --------------------------------------------------------------------------------------


def task(**kwargs) -> Task:
    values = {"progress": Progress.ON_TRACK, "target_finish": D(2010, 3, 31), "actual_finish": None}
    return Task(**(values | kwargs))


def test_a_task_is_not_late_on_its_target_date_and_late_the_day_after():
    assert effective_progress(task(), D(2010, 3, 31)) is Progress.ON_TRACK
    assert effective_progress(task(), D(2010, 4, 1)) is Progress.LATE


@pytest.mark.parametrize("progress", [Progress.NOT_STARTED, Progress.AT_RISK, Progress.ON_TRACK])
def test_any_unfinished_progress_turns_late(progress):
    assert effective_progress(task(progress=progress), D(2010, 4, 1)) is Progress.LATE


def test_complete_or_finished_tasks_are_never_late():
    day_after = D(2010, 4, 1)
    assert effective_progress(task(progress=Progress.COMPLETE), day_after) is Progress.COMPLETE
    finished = task(progress=Progress.COMPLETE, actual_finish=D(2010, 4, 10))
    assert effective_progress(finished, D(2011, 1, 1)) is Progress.COMPLETE


def test_a_task_without_a_target_is_never_late():
    assert effective_progress(task(target_finish=None), D(2030, 1, 1)) is Progress.ON_TRACK


def test_typed_late_stays_late():
    assert effective_progress(task(progress=Progress.LATE), D(2010, 1, 1)) is Progress.LATE


def test_the_review_summary_is_drafted_from_the_stages_tasks():
    tasks = [
        task(code="1.1", activity="Workshop", progress=Progress.COMPLETE),
        task(code="1.2", activity="Self Assessment", progress=Progress.AT_RISK),
        task(code="1.3", activity="Seminar", target_finish=D(2010, 5, 31)),
    ]
    assert draft_review_summary(tasks, D(2010, 4, 1)).splitlines() == [
        "Products completed:",
        "- 1.1 Workshop",
        "Outstanding:",
        "- 1.2 Self Assessment (late)",
        "- 1.3 Seminar (on track)",
    ]
    assert draft_review_summary(tasks[1:], D(2010, 3, 1)).splitlines()[:2] == [
        "Products completed:",
        "- none yet",
    ]
    assert draft_review_summary(tasks[:1], D(2010, 3, 1)).splitlines()[-2:] == [
        "Outstanding:",
        "- nothing",
    ]


def test_the_status_filter_in_sql_agrees_with_effective_progress(db, project):
    stage = project.stages[0]
    cases = [
        ("a", Progress.ON_TRACK, D(2010, 3, 31), None),
        ("b", Progress.ON_TRACK, D(2010, 3, 30), None),
        ("c", Progress.COMPLETE, D(2010, 3, 1), None),
        ("d", Progress.LATE, D(2010, 5, 1), None),
        ("e", Progress.AT_RISK, None, None),
        ("f", Progress.NOT_STARTED, D(2010, 1, 1), None),
        ("g", Progress.COMPLETE, D(2010, 1, 1), D(2010, 1, 5)),
    ]
    tasks = []
    for code, progress, target, actual in cases:
        tasks.append(
            Task(
                project_id=project.id,
                stage=stage,
                code=code,
                activity=code,
                progress=progress,
                target_finish=target,
                actual_finish=actual,
            )
        )
    db.session.add_all(tasks)
    db.session.flush()
    today = D(2010, 3, 31)
    for progress in Progress:
        found = work_plan_tasks(project, TaskFilter(status=progress), today=today)
        expected = [t.code for t in tasks if effective_progress(t, today) is progress]
        assert sorted(t.code for t in found) == sorted(expected), progress


# Variance --------------------------------------------------------------------------------------


def milestone(**kwargs) -> Milestone:
    values = {
        "scheduled_finish": D(2010, 3, 31),
        "baseline_finish": D(2010, 2, 28),
        "actual_finish": None,
    }
    return Milestone(**(values | kwargs))


def test_variance_is_positive_when_later_than_the_baseline():
    assert finish_variance(milestone()) == 31


def test_variance_is_negative_when_earlier_and_zero_on_the_day():
    assert finish_variance(milestone(scheduled_finish=D(2010, 2, 27))) == -1
    assert finish_variance(milestone(scheduled_finish=D(2010, 2, 28))) == 0


def test_variance_uses_the_actual_finish_once_there_is_one():
    assert finish_variance(milestone(actual_finish=D(2010, 3, 1))) == 1


def test_no_baseline_no_variance():
    assert finish_variance(milestone(baseline_finish=None)) is None


# Task dates and people -------------------------------------------------------------------------


def test_target_on_the_start_date_is_fine_and_the_day_before_is_not():
    today = D(2011, 1, 1)
    assert task_date_problems(D(2010, 4, 1), D(2010, 4, 1), None, today=today) == []
    problems = task_date_problems(D(2010, 4, 1), D(2010, 3, 31), None, today=today)
    assert [(p.field, p.message) for p in problems] == [
        ("target_finish", "Target completion must be the same as or after the start date")
    ]


def test_actual_finish_before_start_or_in_the_future_is_refused():
    today = D(2010, 5, 1)
    before = task_date_problems(D(2010, 4, 1), D(2010, 5, 1), D(2010, 3, 31), today=today)
    assert [p.field for p in before] == ["actual_finish"]
    assert task_date_problems(D(2010, 4, 1), None, D(2010, 5, 1), today=today) == []
    future = task_date_problems(D(2010, 4, 1), None, D(2010, 5, 2), today=today)
    assert "today or in the past" in future[0].message


def people() -> list[Person]:
    return [
        Person(id=1, name="Paul Knight", initials="PK"),
        Person(id=2, name="Emma George", initials="EG"),
        Person(id=3, name="Iain Green", initials="IG"),
    ]


def test_people_by_initials_in_any_case_and_separator():
    everyone = people()
    assert [p.initials for p in resolve_people("PK/EG", everyone)] == ["PK", "EG"]
    assert [p.initials for p in resolve_people("pk, eg ; ig", everyone)] == ["PK", "EG", "IG"]
    assert [p.initials for p in resolve_people("PK / Emma George", everyone)] == ["PK", "EG"]
    assert [p.initials for p in resolve_people("PK EG", everyone)] == ["PK", "EG"]
    assert resolve_people("", everyone) == []
    assert len(resolve_people("PK/PK", everyone)) == 1


def test_unknown_initials_are_named_in_the_message():
    with pytest.raises(RuleRefused) as refused:
        resolve_people("PK/ZZ", people())
    assert refused.value.field == "responsible"
    assert "ZZ" in refused.value.message


def test_shared_initials_ask_for_the_full_name():
    everyone = people() + [Person(id=4, name="Paul Kelly", initials="PK")]
    with pytest.raises(RuleRefused) as refused:
        resolve_people("PK", everyone)
    assert "full name" in refused.value.message
    assert [p.name for p in resolve_people("Paul Kelly", everyone)] == ["Paul Kelly"]


def test_who_may_update_a_task():
    t = Task(work_stream_id=7)
    assert can_update_progress(t, frozenset({Role.MANAGER}), frozenset())
    assert can_update_progress(t, frozenset({Role.SUPPORT}), frozenset())
    assert can_update_progress(t, frozenset({Role.WS_LEAD}), frozenset({7}))
    assert not can_update_progress(t, frozenset({Role.WS_LEAD}), frozenset({8}))
    assert not can_update_progress(Task(work_stream_id=None), frozenset({Role.WS_LEAD}), {7})
    assert not can_update_progress(t, frozenset({Role.SPONSOR, Role.EMT}), frozenset({7}))


def test_save_task_refuses_everything_at_once_and_changes_nothing(db, project):
    stages = plan_stages(project)
    values = TaskValues(
        code="2.1",
        stage=stages[1],
        activity="Work stream",
        start_date=D(2010, 4, 1),
        target_finish=D(2010, 3, 1),
        progress=Progress.ON_TRACK,
    )
    with pytest.raises(RuleRefused) as refused:
        save_task(project, None, values, stages, today=D(2010, 6, 1))
    assert refused.value.field == "target_finish"
    assert db.session.execute(db.select(Task)).first() is None


def test_a_code_taken_a_moment_earlier_is_refused_beside_the_code(db, project):
    stages = plan_stages(project)
    values = TaskValues(code="3.1", stage=stages[0], activity="Workshop")
    with db.session.no_autoflush:  # someone else's task, not yet seen by the check
        db.session.add(
            Task(project_id=project.id, stage_id=stages[0].id, code="3.1", activity="Theirs")
        )
        with pytest.raises(RuleRefused) as refused:
            save_task(project, None, values, stages, today=D(2010, 6, 1))
    assert (refused.value.message, refused.value.field) == (
        "A task with the code 3.1 already exists",
        "code",
    )
    db.session.rollback()


# Stage reviews ---------------------------------------------------------------------------------


@pytest.fixture
def meeting(db, project) -> Meeting:
    found = Meeting(project_id=project.id, kind=MeetingKind.PROJECT_GROUP, held_on=D(2010, 3, 26))
    db.session.add(found)
    db.session.flush()
    return found


@pytest.fixture
def sponsor(db) -> Person:
    return PersonFactory(name="Steve Hampson")


def ask(project: Project, meeting: Meeting, number: int = 1) -> StageReview:
    stages = plan_stages(project)
    return request_review(
        stages[number - 1],
        stages,
        person=PersonFactory(),
        summary="Seminars held; self-assessment outstanding",
        meeting=meeting,
        now=NOW,
    )


def test_asking_for_a_review_uses_the_scheduled_one(db, project, meeting):
    stages = plan_stages(project)
    scheduled = StageReview(scheduled_on=D(2010, 1, 29))
    stages[0].reviews.append(scheduled)
    db.session.flush()
    review = ask(project, meeting)
    assert review is scheduled
    assert review.scheduled_on == meeting.held_on
    assert review.meeting_id == meeting.id
    assert reviews_awaiting_decision(project) == [review]


def test_asking_needs_a_summary_and_a_project_group_meeting(db, project, meeting):
    stages = plan_stages(project)
    with pytest.raises(RuleRefused) as refused:
        request_review(stages[0], stages, person=None, summary=" ", meeting=meeting, now=NOW)
    assert refused.value.field == "summary"
    emt = Meeting(project_id=project.id, kind=MeetingKind.EMT, held_on=D(2010, 4, 1))
    with pytest.raises(RuleRefused) as refused:
        request_review(stages[0], stages, person=None, summary="Done", meeting=emt, now=NOW)
    assert refused.value.field == "meeting"


def test_only_the_current_stage_can_be_reviewed_and_only_once_at_a_time(db, project, meeting):
    with pytest.raises(RuleRefused, match="cannot be reviewed until"):
        ask(project, meeting, number=2)
    ask(project, meeting)
    with pytest.raises(RuleRefused, match="already waiting"):
        ask(project, meeting)


def test_approval_with_conditions_records_who_when_and_the_conditions(
    db, project, meeting, sponsor
):
    review = ask(project, meeting)
    decide_review(
        review,
        plan_stages(project),
        person=sponsor,
        decision=ReviewDecision.APPROVED_WITH_CONDITIONS,
        conditions=parse_conditions("- Finish the self-assessment\n\n2. Report in April\n"),
        now=NOW,
    )
    db.session.expire_all()
    stages = plan_stages(project)
    review = stages[0].reviews[0]
    assert review.decided_by_id == sponsor.id
    assert review.decided_at == NOW
    assert [c.text for c in review.conditions] == ["Finish the self-assessment", "Report in April"]
    assert stage_statuses(stages)[1] is StageStatus.APPROVED
    assert stage_statuses(stages)[2] is StageStatus.IN_PROGRESS
    assert can_start_tasks_of(stages[1], stages)


def test_a_decision_cannot_be_changed(db, project, meeting, sponsor):
    review = ask(project, meeting)
    stages = plan_stages(project)
    decide_review(review, stages, person=sponsor, decision=ReviewDecision.APPROVED, now=NOW)
    with pytest.raises(RuleRefused, match="cannot be changed"):
        decide_review(
            review,
            stages,
            person=sponsor,
            decision=ReviewDecision.NOT_APPROVED,
            reasons="Changed my mind",
            now=NOW,
        )
    assert review.decision is ReviewDecision.APPROVED


def test_a_decision_made_elsewhere_a_moment_ago_wins(db, project, meeting, sponsor):
    review = ask(project, meeting)
    db.session.commit()
    stages = plan_stages(project)
    assert review.decision is None
    # Another request decided it; this session still holds the undecided review.
    db.session.execute(
        StageReview.__table__.update()
        .where(StageReview.__table__.c.id == review.id)
        .values(decided_at=NOW, decision="approved")
    )
    with pytest.raises(RuleRefused, match="decided a moment ago"):
        decide_review(
            review,
            stages,
            person=sponsor,
            decision=ReviewDecision.NOT_APPROVED,
            reasons="No",
            now=NOW,
        )


def test_conditions_and_reasons_are_required_for_their_decisions(db, project, meeting, sponsor):
    review = ask(project, meeting)
    stages = plan_stages(project)
    with pytest.raises(RuleRefused) as refused:
        decide_review(
            review,
            stages,
            person=sponsor,
            decision=ReviewDecision.APPROVED_WITH_CONDITIONS,
            conditions=["  "],
            now=NOW,
        )
    assert refused.value.field == "conditions"
    with pytest.raises(RuleRefused) as refused:
        decide_review(review, stages, person=sponsor, decision=ReviewDecision.NOT_APPROVED, now=NOW)
    assert refused.value.field == "reasons"
    assert review.decision is None


def test_a_refusal_leaves_the_stage_current_and_the_manager_can_ask_again(
    db, project, meeting, sponsor
):
    first = ask(project, meeting)
    decide_review(
        first,
        plan_stages(project),
        person=sponsor,
        decision=ReviewDecision.NOT_APPROVED,
        reasons="The self-assessment is not finished",
        now=NOW,
    )
    stages = plan_stages(project)
    assert stage_statuses(stages)[1] is StageStatus.IN_PROGRESS
    assert not can_start_tasks_of(stages[1], stages)
    second = ask(project, meeting)
    assert second.id != first.id
    assert first.reasons == "The self-assessment is not finished"


def test_the_gate_opens_with_the_approval(db, project, meeting, sponsor):
    stages = plan_stages(project)
    with pytest.raises(RuleRefused):
        check_task_progress_allowed(stages[1], stages, Progress.ON_TRACK)
    review = ask(project, meeting)
    decide_review(review, stages, person=sponsor, decision=ReviewDecision.APPROVED, now=NOW)
    check_task_progress_allowed(stages[1], stages, Progress.ON_TRACK)


def test_closing_a_condition_needs_a_note_and_happens_once(db, project, meeting, sponsor):
    review = ask(project, meeting)
    decide_review(
        review,
        plan_stages(project),
        person=sponsor,
        decision=ReviewDecision.APPROVED_WITH_CONDITIONS,
        conditions=["Finish the self-assessment"],
        now=NOW,
    )
    condition: ReviewCondition = review.conditions[0]
    with pytest.raises(RuleRefused) as refused:
        close_condition(condition, person=sponsor, note="", now=utcnow())
    assert refused.value.field == "note"
    close_condition(condition, person=sponsor, note="Done on 30 March", now=NOW)
    assert condition.closed_by_id == sponsor.id
    with pytest.raises(RuleRefused, match="already closed"):
        close_condition(condition, person=sponsor, note="Again", now=NOW)


# Milestone warnings ----------------------------------------------------------------------------


PROJECT_START, PROJECT_END = D(2009, 12, 1), D(2011, 3, 31)


def warn(milestones, stages, latest=None):
    project = Project(start_date=PROJECT_START, end_date=PROJECT_END)
    return milestone_warnings(project, milestones, stages, latest or {})


def staged_milestone(id: int, stage: Stage, finish: dt.date, **kwargs) -> Milestone:
    return Milestone(id=id, stage_id=stage.id, name=f"M{id}", scheduled_finish=finish, **kwargs)


def test_no_warnings_for_a_consistent_plan():
    stages = stages_of(None, None)
    milestones = [
        staged_milestone(1, stages[0], D(2010, 1, 28), baseline_finish=D(2010, 1, 28)),
        staged_milestone(2, stages[1], D(2010, 2, 28)),
    ]
    assert warn(milestones, stages) == {1: [], 2: []}


def test_a_milestone_earlier_than_an_earlier_stages_milestone_is_flagged():
    stages = stages_of(None, None, None)
    stages[1].start_date = stages[2].start_date = D(2010, 1, 1)
    milestones = [
        staged_milestone(1, stages[0], D(2010, 3, 31)),
        staged_milestone(2, stages[1], D(2010, 3, 31)),  # the same day is fine
        staged_milestone(3, stages[2], D(2010, 3, 30)),
    ]
    warnings = warn(milestones, stages)
    assert warnings[1] == warnings[2] == []
    assert warnings[3] == [
        "The scheduled finish (30 Mar 2010) is earlier than the stage 1 milestone (31 Mar 2010)"
    ]


def test_a_milestone_before_its_stage_starts_is_flagged():
    stages = stages_of(None, None)
    warnings = warn([staged_milestone(2, stages[1], D(2010, 1, 31))], stages)
    assert warnings[2] == [
        "The scheduled finish (31 Jan 2010) is before stage 2 starts (1 Feb 2010)"
    ]


def test_a_review_before_the_stages_work_ends_is_flagged():
    stages = stages_of(None)
    stages[0].reviews = [StageReview(scheduled_on=D(2010, 1, 27))]
    milestones = [staged_milestone(1, stages[0], D(2010, 1, 27))]
    # On the day the work ends: fine.
    assert warn(milestones, stages, {stages[0].id: D(2010, 1, 27)})[1] == []
    # Work going on after the review: flagged, naming what ends later.
    late_task = warn(milestones, stages, {stages[0].id: D(2010, 1, 28)})[1]
    assert late_task == [
        "The stage 1 review is scheduled for 27 Jan 2010, before the stage's work ends "
        "(28 Jan 2010, its latest task target)"
    ]
    stages[0].reviews = [StageReview(scheduled_on=D(2010, 1, 26))]
    assert "its milestone" in warn(milestones, stages)[1][0]


def test_decided_reviews_are_history_and_not_flagged():
    stages = stages_of(None)
    stages[0].reviews = [
        StageReview(scheduled_on=D(2010, 1, 1), decision=ReviewDecision.NOT_APPROVED)
    ]
    assert warn([staged_milestone(1, stages[0], D(2010, 1, 27))], stages)[1] == []


def test_dates_outside_the_project_are_flagged():
    stages = stages_of(None)
    milestones = [
        Milestone(
            id=1,
            name="Open day",
            scheduled_finish=D(2011, 4, 1),
            baseline_finish=D(2011, 3, 31),
            actual_finish=D(2009, 11, 30),
        )
    ]
    assert warn(milestones, stages)[1] == [
        "The scheduled finish (1 Apr 2011) is outside the project's dates "
        "(1 Dec 2009 to 31 Mar 2011)",
        "The actual finish (30 Nov 2009) is outside the project's dates "
        "(1 Dec 2009 to 31 Mar 2011)",
    ]


def test_the_seeds_slips_are_flagged(seeded):
    from tracker.plan.milestones import latest_task_finishes, project_milestones

    stages = plan_stages(seeded)
    milestones = project_milestones(seeded)
    warnings = milestone_warnings(seeded, milestones, stages, latest_task_finishes(seeded))
    by_stage = {m.stage.number: warnings[m.id] for m in milestones}
    assert any("earlier than the stage 3 milestone" in w for w in by_stage[4])
    assert any("before stage 4 starts" in w for w in by_stage[4])
    assert any("earlier than the stage 3 milestone" in w for w in by_stage[5])
    assert not any("earlier than" in w for w in by_stage[2] + by_stage[3])
    variance = {m.stage.number: finish_variance(m) for m in milestones}
    assert variance[1] == 31
