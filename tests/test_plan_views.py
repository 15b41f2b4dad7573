"""The work plan, milestones and stage reviews through the test client, role by role."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.factories import (
    MeetingFactory,
    MilestoneFactory,
    PersonFactory,
    ReviewConditionFactory,
    StageReviewFactory,
    TaskFactory,
    member,
)
from tests.helpers import sign_in
from tests.html import error_messages, field_value, one, parse, row_with, text_of
from tracker.extensions import db as _db
from tracker.plan.models import (
    Milestone,
    Progress,
    ReviewCondition,
    ReviewDecision,
    Stage,
    StageReview,
    Task,
)
from tracker.projects.models import MeetingKind, Role, WorkStream

D = dt.date


def page(project, path: str = "") -> str:
    return f"/projects/{project.slug}/plan/{path}"


def changes_offered(response) -> list:
    """The GOV.UK "Change<span hidden> what</span>" links and buttons on the page."""
    spans = parse(response).select("span")
    return [s.parent for s in spans if str(s.previous_sibling or "").endswith("Change")]


def person_with(project, role: Role, **kwargs):
    person = PersonFactory(**kwargs)
    member(person, project, role)
    _db.session.commit()
    return person


def date_parts(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def get_task(code: str) -> Task:
    return _db.session.execute(_db.select(Task).filter_by(code=code)).scalar_one()


@pytest.fixture
def plan(db, project):
    """Stage 1 and stage 2 tasks on two work streams, a milestone and a project group meeting."""
    stage1, stage2 = project.stages[0], project.stages[1]
    ccs, ah = project.work_streams
    pk = PersonFactory(name="Paul Knight", initials="PK")
    eg = PersonFactory(name="Emma George", initials="EG")
    member(pk, project, Role.SUPPORT)
    member(eg, project, Role.SUPPORT)
    TaskFactory(
        project=project,
        stage=stage1,
        code="1.1",
        activity="Getting Started Workshop",
        detail="EMT / Service Managers",
        work_stream=ccs,
        start_date=D(2009, 12, 1),
        target_finish=D(2010, 1, 31),
        progress=Progress.COMPLETE,
        responsible=[pk, eg],
        position=1,
    )
    TaskFactory(
        project=project,
        stage=stage1,
        code="1.2",
        activity="Self Assessment",
        responsibility_note="EMT/ Service Managers",
        work_stream=ah,
        start_date=D(2009, 12, 1),
        target_finish=D(2010, 3, 31),
        progress=Progress.ON_TRACK,
        position=2,
    )
    TaskFactory(
        project=project,
        stage=stage2,
        code="2.1",
        activity="Work Stream – Community & Customer Services",
        work_stream=ccs,
        start_date=D(2010, 4, 1),
        target_finish=D(2010, 9, 24),
        progress=Progress.NOT_STARTED,
        position=3,
    )
    MilestoneFactory(
        project=project,
        stage=stage1,
        name="Stage 1 - Organisational Preparation Complete",
        scheduled_finish=D(2010, 3, 31),
        baseline_finish=D(2010, 2, 28),
    )
    meeting = MeetingFactory(
        project=project, kind=MeetingKind.PROJECT_GROUP, held_on=D(2010, 3, 26)
    )
    db.session.commit()
    return {"stage1": stage1, "stage2": stage2, "ccs": ccs, "ah": ah, "meeting": meeting}


def task_data(**overrides) -> dict:
    data = {
        "code": "1.2",
        "stage": "",
        "activity": "Self Assessment",
        "detail": "All Services",
        "responsible": "PK/EG",
        "responsibility_note": "",
        "work_stream": "0",
        "start_date": date_parts(D(2009, 12, 1)),
        "target_finish": date_parts(D(2010, 3, 31)),
        "actual_finish": ["", "", ""],
        "progress": "on_track",
        "comments": "Changed from Feb 10",
    }
    return data | overrides


# The work plan ---------------------------------------------------------------------------------


def test_work_plan_groups_tasks_by_stage_with_words_and_symbols(client, login_as, project, plan):
    login_as(Role.EMT)
    response = client.get(page(project, "tasks"))
    assert response.status_code == 200
    text = text_of(response)
    assert "S1 Stage 1" in text and "S2 Stage 2" in text
    # "PK/EG" with the full names and a line-break opportunity after the slash.
    cell = one(response, 'abbr[title="Paul Knight"]').parent
    names = [(abbr["title"], abbr.get_text()) for abbr in cell.select("abbr")]
    assert names == [("Paul Knight", "PK"), ("Emma George", "EG")]
    assert cell.get_text().startswith("PK/EG") and cell.select_one(
        'abbr[title="Paul Knight"] + wbr'
    )
    assert "✓" in text and "Complete" in text
    # 1.2 is past its target of 31 Mar 2010 and not complete: late without anyone typing it.
    assert "Late" in text and "recorded as On track" in text
    assert "EMT/ Service Managers" in text
    assert "cannot be started or completed until the sponsor approves the stage 1 review" in text


def test_work_plan_filters_and_my_tasks(client, login_as, project, plan):
    me = login_as(Role.WS_LEAD)
    task = get_task("2.1")
    task.responsible = [me]
    _db.session.commit()

    def codes(query: str) -> list[str]:
        rows = parse(client.get(page(project, "tasks") + query)).select('th[scope="row"]')
        return [th.string for th in rows if th.string and re.fullmatch(r"[\d.]+", th.string)]

    assert codes("") == ["1.1", "1.2", "2.1"]
    assert codes(f"?stage={plan['stage2'].id}") == ["2.1"]
    assert codes(f"?work_stream={plan['ah'].id}") == ["1.2"]
    assert codes("?status=complete") == ["1.1"]
    assert codes("?status=late") == ["1.2", "2.1"]
    assert codes(f"?person={me.id}") == ["2.1"]
    assert codes(f"?work_stream={plan['ccs'].id}&status=complete") == ["1.1"]
    assert codes("?stage=nonsense&status=unknown") == ["1.1", "1.2", "2.1"]
    mine = client.get(page(project, "tasks") + f"?person={me.id}")
    assert "Showing the tasks you are responsible for" in text_of(mine)


def test_manager_edits_a_task(client, login_as, project, plan):
    login_as(Role.MANAGER)
    task = get_task("1.2")
    form = client.get(page(project, f"tasks/{task.id}/edit"))
    assert form.status_code == 200
    assert field_value(form, "activity") == "Self Assessment"
    response = client.post(
        page(project, f"tasks/{task.id}/edit"),
        data=task_data(
            stage=str(plan["stage1"].id),
            responsible="pk / eg",
            work_stream=str(plan["ccs"].id),
            target_finish=date_parts(D(2010, 2, 26)),
            progress="at_risk",
            comments="Brought forward to February",
        ),
    )
    assert response.status_code == 302, text_of(response)
    task = get_task("1.2")
    assert task.progress is Progress.AT_RISK
    assert task.target_finish == D(2010, 2, 26)
    assert [p.initials for p in task.responsible] == ["PK", "EG"]
    assert task.work_stream_id == plan["ccs"].id
    assert task.comments == "Brought forward to February"


def test_manager_adds_a_task(client, login_as, project, plan):
    login_as(Role.SUPPORT)
    assert client.get(page(project, "tasks/new")).status_code == 200
    response = client.post(
        page(project, "tasks/new"),
        data=task_data(
            code="1.7",
            stage=str(plan["stage1"].id),
            activity="Communication plan",
            target_finish=date_parts(D(2010, 2, 28)),  # the last day of stage 1
        ),
    )
    assert response.status_code == 302, text_of(response)
    task = get_task("1.7")
    assert task.activity == "Communication plan"
    assert task.position == 4


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"target_finish": date_parts(D(2009, 11, 30))},
            "Target completion must be the same as or after the start date",
        ),
        ({"responsible": "PK/ZZ"}, "No one in this project has the initials or name ZZ"),
        ({"start_date": ["31", "2", "2010"]}, "Start date must be a real date"),
        ({"start_date": ["1", "", "2010"]}, "Start date must include a month"),
        ({"target_finish": ["", "", ""]}, "Enter the target completion date"),
        ({"start_date": ["1", "4", "10"]}, "Year must include 4 numbers"),
        ({"code": "1.1"}, "A task with the code 1.1 already exists"),
        ({"activity": ""}, "Enter the activity"),
        (
            {"actual_finish": date_parts(D(2010, 3, 1))},
            "Select Complete, or remove the actual finish date",
        ),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(
    client, login_as, project, plan, overrides, message
):
    login_as(Role.MANAGER)
    task = get_task("1.2")
    before = (task.activity, task.target_finish, task.progress, task.comments, task.code)
    response = client.post(
        page(project, f"tasks/{task.id}/edit"),
        data=task_data(stage=str(plan["stage1"].id), comments="Half-saved?") | overrides,
    )
    assert response.status_code == 400
    assert "There is a problem" in text_of(response)
    assert error_messages(response)
    assert message in text_of(response)
    task = get_task("1.2")
    assert (task.activity, task.target_finish, task.progress, task.comments, task.code) == before
    assert [p.initials for p in task.responsible] == []


def test_several_problems_are_shown_together(client, login_as, project, plan):
    login_as(Role.MANAGER)
    response = client.post(
        page(project, "tasks/new"),
        data=task_data(
            code="",
            stage=str(plan["stage1"].id),
            responsible="ZZ",
            target_finish=date_parts(D(2009, 1, 1)),
        ),
    )
    assert response.status_code == 400
    text = text_of(response)
    assert "Enter the task's code" in text
    assert "ZZ" in text
    assert "Target completion must be the same as or after the start date" in text
    assert _db.session.execute(_db.select(Task).filter_by(code="")).first() is None


def test_work_stream_lead_updates_only_their_own_streams_tasks(client, login_as, project, plan):
    login_as(Role.WS_LEAD)  # leads the first work stream, CCS
    own, other = get_task("1.1"), get_task("1.2")
    listing = client.get(page(project, "tasks")).get_data(as_text=True)
    assert f"tasks/{own.id}/progress" in listing
    assert f"tasks/{other.id}/progress" not in listing
    assert f"tasks/{own.id}/edit" not in listing
    # A shortcut to the lead's own work stream, and that filter says what it shows.
    stream = own.work_stream
    shortcut = f"Show the tasks of your work stream, {stream.name}"
    assert shortcut in text_of(client.get(page(project, "tasks")))
    response = client.get(page(project, f"tasks?work_stream={stream.id}"))
    assert f"Showing the tasks of your work stream {stream.name}." in text_of(response)
    assert shortcut not in text_of(response)
    filtered = response.get_data(as_text=True)
    assert f"tasks/{other.id}/progress" not in filtered and f"tasks/{own.id}/progress" in filtered

    assert client.get(page(project, f"tasks/{own.id}/progress")).status_code == 200
    response = client.post(
        page(project, f"tasks/{own.id}/progress"),
        data={"progress": "complete", "comments": "Held on 3 Feb"},
    )
    assert response.status_code == 302
    assert get_task("1.1").comments == "Held on 3 Feb"

    assert client.get(page(project, f"tasks/{other.id}/progress")).status_code == 403
    refused = client.post(
        page(project, f"tasks/{other.id}/progress"),
        data={"progress": "late", "comments": "Not mine"},
    )
    assert refused.status_code == 403
    assert get_task("1.2").comments == ""
    # Progress and comments only: the full edit form is the planners'.
    assert client.post(page(project, f"tasks/{own.id}/edit"), data=task_data()).status_code == 403


def test_emt_reads_but_changes_nothing(client, login_as, project, plan):
    login_as(Role.EMT)
    task = get_task("1.1")
    for path in ("tasks", "milestones", "reviews"):
        response = client.get(page(project, path))
        assert response.status_code == 200
        assert changes_offered(response) == []
    assert "Add a task" not in client.get(page(project, "tasks")).get_data(as_text=True)
    assert client.post(page(project, f"tasks/{task.id}/edit"), data=task_data()).status_code == 403
    assert client.post(page(project, "tasks/new"), data=task_data()).status_code == 403
    progress = {"progress": "late", "comments": ""}
    assert client.post(page(project, f"tasks/{task.id}/progress"), data=progress).status_code == 403
    assert client.post(page(project, "reviews/request"), data={}).status_code == 403


# The stage gate ----------------------------------------------------------------------------------


def ask_for_review(client, project, plan, summary="Seminars held; self-assessment outstanding"):
    return client.post(
        page(project, "reviews/request"),
        data={"summary": summary, "meeting": str(plan["meeting"].id)},
    )


def stage1_reviews() -> list[StageReview]:
    return list(
        _db.session.execute(
            _db.select(StageReview).join(Stage).where(Stage.number == 1).order_by(StageReview.id)
        ).scalars()
    )


def test_gate_blocks_stage_two_until_stage_one_is_approved(client, login_as, project, plan):
    manager = login_as(Role.MANAGER)
    task = get_task("2.1")
    form = client.get(page(project, f"tasks/{task.id}/edit"))
    assert "until the sponsor approves the stage 1 review" in text_of(form)
    data = task_data(
        code="2.1",
        stage=str(plan["stage2"].id),
        activity=task.activity,
        responsible="",
        start_date=date_parts(D(2010, 4, 1)),
        target_finish=date_parts(D(2010, 9, 24)),
        progress="on_track",
    )
    refused = client.post(page(project, f"tasks/{task.id}/edit"), data=data)
    assert refused.status_code == 400
    assert "Stage 2 tasks cannot be started or completed" in text_of(refused)
    assert parse(refused).select_one("#progress-error")
    assert get_task("2.1").progress is Progress.NOT_STARTED
    # Marking it complete is refused as well.
    complete = data | {"progress": "complete"}
    assert client.post(page(project, f"tasks/{task.id}/edit"), data=complete).status_code == 400

    # The manager asks, the sponsor approves: stage 2 opens.
    assert ask_for_review(client, project, plan).status_code == 302
    review = stage1_reviews()[0]
    sign_in(client, person_with(project, Role.SPONSOR))
    decided = client.post(
        page(project, f"reviews/{review.id}/decide"), data={"decision": "approved"}
    )
    assert decided.status_code == 302
    sign_in(client, manager)
    assert client.post(page(project, f"tasks/{task.id}/edit"), data=data).status_code == 302
    assert get_task("2.1").progress is Progress.ON_TRACK


def test_gate_applies_to_a_leads_progress_update(client, login_as, project, plan):
    login_as(Role.WS_LEAD)
    task = get_task("2.1")  # CCS, stage 2
    response = client.post(
        page(project, f"tasks/{task.id}/progress"), data={"progress": "on_track", "comments": "Go"}
    )
    assert response.status_code == 400
    assert "until the sponsor approves the stage 1 review" in text_of(response)
    task = get_task("2.1")
    assert (task.progress, task.comments) == (Progress.NOT_STARTED, "")


# Stage reviews ---------------------------------------------------------------------------------


def test_manager_asks_for_a_review(client, login_as, project, plan):
    login_as(Role.MANAGER)
    form = client.get(page(project, "reviews/request"))
    assert form.status_code == 200
    assert "Ask for a review of stage 1" in text_of(form)
    # The summary is drafted from the stage's tasks (1.2 is past its target: late).
    draft = one(form, "textarea").get_text()
    assert draft.strip() == (
        "Products completed:\n- 1.1 Getting Started Workshop\n"
        "Outstanding:\n- 1.2 Self Assessment (late)"
    )
    missing = client.post(page(project, "reviews/request"), data={"summary": "", "meeting": "0"})
    assert missing.status_code == 400
    assert "Enter a summary of the stage" in text_of(missing)
    assert "Select the project group meeting" in text_of(missing)
    assert stage1_reviews() == []

    response = ask_for_review(client, project, plan)
    assert response.status_code == 302
    review = stage1_reviews()[0]
    assert review.requested_at is not None
    assert review.scheduled_on == D(2010, 3, 26)
    shown = client.get(response.headers["Location"])
    text = text_of(shown)
    assert "Seminars held; self-assessment outstanding" in text
    assert "Waiting for the sponsor's decision" in text
    # The stage's milestones and variance are on the review page without anyone typing them.
    assert "Stage 1 - Organisational Preparation Complete" in text
    assert "+31 days" in text
    # Asking twice is refused.
    again = ask_for_review(client, project, plan)
    assert again.status_code == 409
    assert len(stage1_reviews()) == 1


def sponsor_decides(client, project, plan, data: dict):
    manager = person_with(project, Role.MANAGER)
    sign_in(client, manager)
    assert ask_for_review(client, project, plan).status_code == 302
    review = stage1_reviews()[-1]
    sponsor = person_with(project, Role.SPONSOR, name="Steve Hampson")
    sign_in(client, sponsor)
    response = client.post(page(project, f"reviews/{review.id}/decide"), data=data)
    return response, review.id, sponsor


def test_sponsor_sees_waiting_reviews_and_approves(client, login_as, project, plan):
    login_as(Role.MANAGER)
    assert ask_for_review(client, project, plan).status_code == 302
    review = stage1_reviews()[0]
    sponsor = person_with(project, Role.SPONSOR, name="Steve Hampson")
    sign_in(client, sponsor)
    home = client.get(f"/projects/{project.slug}/")
    assert "Waiting for you" in text_of(home)
    assert f"reviews/{review.id}/decide" in home.get_data(as_text=True)
    reviews = client.get(page(project, "reviews"))
    assert "Waiting for your decision" in text_of(reviews)
    decide = client.get(page(project, f"reviews/{review.id}/decide"))
    assert decide.status_code == 200
    assert "+31 days" in text_of(decide)

    response = client.post(
        page(project, f"reviews/{review.id}/decide"), data={"decision": "approved"}
    )
    assert response.status_code == 302
    review = stage1_reviews()[0]
    assert review.decision is ReviewDecision.APPROVED
    assert review.decided_by_id == sponsor.id
    assert review.decided_at is not None
    shown = text_of(client.get(page(project, f"reviews/{review.id}")))
    assert "Approved" in shown and "by Steve Hampson" in shown
    assert "Waiting for you" not in text_of(client.get(f"/projects/{project.slug}/"))
    statuses = text_of(client.get(page(project, "reviews")))
    assert "Approved" in statuses


def test_sponsor_approves_with_conditions_which_are_tracked_until_closed(
    client, login_as, project, plan
):
    response, review_id, sponsor = sponsor_decides(
        client,
        project,
        plan,
        {
            "decision": "approved_with_conditions",
            "conditions": "Finish the self-assessment by 30 April\n\nReport progress in May\n",
        },
    )
    assert response.status_code == 302
    conditions = list(
        _db.session.execute(_db.select(ReviewCondition).order_by(ReviewCondition.id)).scalars()
    )
    assert [c.text for c in conditions] == [
        "Finish the self-assessment by 30 April",
        "Report progress in May",
    ]
    text = text_of(client.get(page(project, f"reviews/{review_id}")))
    assert "Approved with conditions" in text
    assert text.count("Open") >= 2

    # The manager closes one with a note; the note is required.
    sign_in(client, person_with(project, Role.MANAGER))
    url = page(project, f"conditions/{conditions[0].id}/close")
    assert client.get(url).status_code == 200
    empty = client.post(url, data={"note": " "})
    assert empty.status_code == 400
    assert "Enter a note saying how the condition was met" in text_of(empty)
    assert client.post(url, data={"note": "Completed 28 April"}).status_code == 302
    closed = _db.session.get(ReviewCondition, conditions[0].id)
    assert closed.closed_at is not None and closed.closing_note == "Completed 28 April"
    again = client.post(url, data={"note": "Again"})
    assert again.status_code == 409
    assert _db.session.get(ReviewCondition, conditions[0].id).closing_note == "Completed 28 April"
    # An assessor may not close conditions.
    sign_in(client, person_with(project, Role.ASSESSOR))
    other = page(project, f"conditions/{conditions[1].id}/close")
    assert client.post(other, data={"note": "x"}).status_code == 403


def test_conditions_are_required_for_a_conditional_approval(client, login_as, project, plan):
    response, review_id, _ = sponsor_decides(
        client, project, plan, {"decision": "approved_with_conditions", "conditions": ""}
    )
    assert response.status_code == 400
    assert "Enter the conditions of the approval, one per line" in text_of(response)
    assert _db.session.get(StageReview, review_id).decision is None


def test_sponsor_refuses_with_reasons_and_the_manager_asks_again(client, login_as, project, plan):
    no_reasons, review_id, sponsor = sponsor_decides(
        client, project, plan, {"decision": "not_approved", "reasons": ""}
    )
    assert no_reasons.status_code == 400
    assert "Enter the reasons the stage is not approved" in text_of(no_reasons)
    assert _db.session.get(StageReview, review_id).decision is None

    refused = client.post(
        page(project, f"reviews/{review_id}/decide"),
        data={"decision": "not_approved", "reasons": "The self-assessment is not finished"},
    )
    assert refused.status_code == 302
    review = _db.session.get(StageReview, review_id)
    assert review.decision is ReviewDecision.NOT_APPROVED
    assert review.reasons == "The self-assessment is not finished"
    # The stage stays current: stage 2 tasks still cannot start, and the manager can ask again.
    sign_in(client, person_with(project, Role.MANAGER))
    assert "In progress" in text_of(client.get(page(project, "reviews")))
    assert ask_for_review(client, project, plan, summary="Self-assessment done").status_code == 302
    assert len(stage1_reviews()) == 2


def test_a_decision_cannot_be_changed(client, login_as, project, plan):
    response, review_id, sponsor = sponsor_decides(client, project, plan, {"decision": "approved"})
    assert response.status_code == 302
    again = client.post(
        page(project, f"reviews/{review_id}/decide"),
        data={"decision": "not_approved", "reasons": "Changed my mind"},
    )
    assert again.status_code == 409
    assert "A decision cannot be changed" in text_of(again)
    review = _db.session.get(StageReview, review_id)
    assert review.decision is ReviewDecision.APPROVED
    assert review.reasons == ""
    page_after = client.get(page(project, f"reviews/{review_id}/decide"))
    assert "A decision cannot be changed" in text_of(page_after)
    assert parse(page_after).select_one('[name="decision"]') is None


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SUPPORT, Role.ASSURANCE, Role.WS_LEAD])
def test_only_the_sponsor_decides_a_forged_post_is_refused(client, login_as, project, plan, role):
    login_as(Role.MANAGER)
    assert ask_for_review(client, project, plan).status_code == 302
    review = stage1_reviews()[0]
    sign_in(client, person_with(project, role))
    response = client.post(
        page(project, f"reviews/{review.id}/decide"), data={"decision": "approved"}
    )
    assert response.status_code == 403
    assert stage1_reviews()[0].decision is None


def test_a_review_of_another_project_is_not_found(client, login_as, project, plan):
    from tests.factories import make_project

    other = make_project()
    review = StageReviewFactory(stage=other.stages[0], requested_at=dt.datetime.now(dt.UTC))
    _db.session.commit()
    login_as(Role.SPONSOR)
    assert client.get(page(project, f"reviews/{review.id}")).status_code == 404
    decide = client.post(
        page(project, f"reviews/{review.id}/decide"), data={"decision": "approved"}
    )
    assert decide.status_code == 404


# Milestones ------------------------------------------------------------------------------------


def test_manager_edits_a_milestone_but_not_its_baseline(client, login_as, project, plan):
    login_as(Role.MANAGER)
    milestone = _db.session.execute(_db.select(Milestone)).scalar_one()
    url = page(project, f"milestones/{milestone.id}/edit")
    form = client.get(url)
    assert form.status_code == 200
    assert "Changes only when a plan baseline is saved" in text_of(form)
    response = client.post(
        url,
        data={
            "scheduled_finish": date_parts(D(2010, 4, 2)),
            "actual_finish": ["", "", ""],
            "notes": "Moved by change request 1",
            "baseline_finish": date_parts(D(2011, 1, 1)),  # ignored: not a field of the form
        },
    )
    assert response.status_code == 302
    milestone = _db.session.get(Milestone, milestone.id)
    assert milestone.scheduled_finish == D(2010, 4, 2)
    assert milestone.baseline_finish == D(2010, 2, 28)
    assert milestone.notes == "Moved by change request 1"
    assert "+33 days" in text_of(client.get(page(project, "milestones")))

    bad = client.post(url, data={"scheduled_finish": ["30", "2", "2010"], "notes": "x"})
    assert bad.status_code == 400
    assert "Scheduled finish date must be a real date" in text_of(bad)
    assert _db.session.get(Milestone, milestone.id).notes == "Moved by change request 1"


def test_lead_cannot_edit_milestones(client, login_as, project, plan):
    login_as(Role.WS_LEAD)
    milestone = _db.session.execute(_db.select(Milestone)).scalar_one()
    assert client.get(page(project, f"milestones/{milestone.id}/edit")).status_code == 403


def test_seeded_milestones_show_the_variance_and_the_slips(client, seeded):
    from tracker.auth.models import Person

    manager = _db.session.execute(_db.select(Person).filter_by(initials="PK")).scalar_one()
    sign_in(client, manager)
    response = client.get(f"/projects/{seeded.slug}/plan/milestones")
    assert response.status_code == 200
    text = text_of(response)
    row1 = text_of(row_with(response, "Stage 1 - Organisational Preparation Complete"))
    assert "+31 days" in row1
    assert "31 Mar 2010" in row1 and "28 Feb 2010" in row1
    row4 = text_of(row_with(response, "Stage 4 - Assessment & Verification Complete"))
    assert "Check the dates" in row4
    assert "earlier than the stage 3 milestone (31 Dec 2010)" in text
    row5 = text_of(row_with(response, "Stage 5 - Project Review"))
    assert "Check the dates" in row5
    assert "milestones have dates to check" in text


def test_seeded_work_plan_shows_the_seed(client, seeded):
    from tracker.auth.models import Person

    manager = _db.session.execute(_db.select(Person).filter_by(initials="PK")).scalar_one()
    sign_in(client, manager)
    response = client.get(f"/projects/{seeded.slug}/plan/tasks")
    assert response.status_code == 200
    text = text_of(response)
    assert "Getting Started Workshop" in text
    # At the seed's status date (26 Feb 2010) no task is late: progress shows as recorded.
    assert "On track" in text and "recorded as" not in text
    assert "✓" in response.get_data(as_text=True)
    assert "Gap Analysis & Correction" in text
    assert one(response, 'abbr[title="Christine Smart"]').get_text() == "CS"
    # PK leads the Corporate Services stream (task 1.6) but as manager changes every task.
    task = _db.session.execute(_db.select(Task).filter_by(code="3.2")).scalar_one()
    edit = client.get(f"/projects/{seeded.slug}/plan/tasks/{task.id}/edit")
    value = one(edit, 'input[name="responsible"]')["value"]
    # The association table keeps no order, so the document's order of initials is not kept.
    assert sorted(value.split("/")) == sorted(["PK", "PH", "SH", "GJ", "PB", "JM", "DR"])


# Query counts ----------------------------------------------------------------------------------


def add_tasks(project, count: int) -> None:
    streams = list(
        _db.session.execute(_db.select(WorkStream).filter_by(project_id=project.id)).scalars()
    )
    people = [PersonFactory() for _ in range(3)]
    for person in people:
        member(person, project, Role.WS_MEMBER)
    existing = _db.session.execute(
        _db.select(_db.func.count(Task.id)).filter_by(project_id=project.id)
    ).scalar()
    for n in range(count):
        number = existing + n
        TaskFactory(
            project=project,
            stage=project.stages[number % 5],
            code=f"X{number}",
            work_stream=streams[number % len(streams)],
            start_date=D(2010, 1, 1),
            target_finish=D(2010, 6, 1) + dt.timedelta(days=number),
            progress=list(Progress)[number % 5],
            responsible=people[: 1 + number % 3],
            position=number,
        )
    _db.session.commit()


@pytest.mark.parametrize("query", ["", "?status=late", "?person=1"])
def test_work_plan_runs_the_same_number_of_queries_for_5_and_200_tasks(
    client, login_as, project, count_queries, query
):
    login_as(Role.WS_LEAD)
    slug = project.slug
    add_tasks(project, 5)

    def count() -> int:
        with count_queries as counted:
            assert client.get(f"/projects/{slug}/plan/tasks{query}").status_code == 200
        return counted.count

    few = count()
    add_tasks(project, 195)
    assert _db.session.execute(_db.select(_db.func.count(Task.id))).scalar() == 200
    assert count() == few


def test_milestones_and_reviews_pages_run_a_fixed_number_of_queries(
    client, login_as, project, plan, count_queries
):
    login_as(Role.SPONSOR)
    # One review with a condition, so that every eager load has something to load from the start.
    review = StageReviewFactory(
        stage=project.stages[0],
        requested_at=dt.datetime(2010, 3, 1, tzinfo=dt.UTC),
        decision=ReviewDecision.APPROVED_WITH_CONDITIONS,
    )
    ReviewConditionFactory(review=review, text="Report in April")
    _db.session.commit()

    def counts() -> tuple[int, int]:
        with count_queries as milestones:
            assert client.get(page(project, "milestones")).status_code == 200
        with count_queries as reviews:
            assert client.get(page(project, "reviews")).status_code == 200
        return milestones.count, reviews.count

    few = counts()
    for n in range(20):
        stage = project.stages[n % 5]
        MilestoneFactory(project=project, stage=stage, scheduled_finish=D(2010, 5, 1))
        StageReviewFactory(stage=stage, scheduled_on=D(2010, 5, 1))
    _db.session.commit()
    assert counts() == few
