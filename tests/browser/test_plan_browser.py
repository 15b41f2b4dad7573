"""The plan in a real browser: a stage review asked for by the manager and approved with a
condition by the sponsor, opening the next stage; a work stream lead updating their own task."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.browser.test_change_request_browser import sign_out
from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, make_project, member
from tracker.extensions import db
from tracker.filters import london_today
from tracker.plan.models import Milestone, Progress, ReviewDecision, StageReview, Task
from tracker.projects.models import Meeting, MeetingKind, Role


def _plan():
    """A project with a task on each work stream in stage 1, one in stage 2, and a meeting."""
    project = make_project()
    own, other = project.work_streams
    stage1, stage2 = project.stages[0], project.stages[1]
    later = london_today() + dt.timedelta(days=60)
    tasks = [
        Task(
            project_id=project.id,
            stage=stage1,
            code="1.1",
            activity="Getting Started Workshop",
            work_stream=own,
            target_finish=later,
            progress=Progress.NOT_STARTED,
            position=1,
        ),
        Task(
            project_id=project.id,
            stage=stage1,
            code="1.2",
            activity="Self Assessment",
            work_stream=other,
            target_finish=later,
            progress=Progress.NOT_STARTED,
            position=2,
        ),
        Task(
            project_id=project.id,
            stage=stage2,
            code="2.1",
            activity="Work stream evidence",
            work_stream=own,
            target_finish=later,
            progress=Progress.NOT_STARTED,
            position=3,
        ),
    ]
    meeting = Meeting(project_id=project.id, kind=MeetingKind.PROJECT_GROUP, held_on=later)
    db.session.add_all([*tasks, meeting])
    db.session.commit()
    return project, tasks, meeting


def test_the_sponsor_approves_a_stage_review_with_a_condition(page: Page, live_server, axe_check):
    project, tasks, meeting = _plan()
    manager, sponsor = PersonFactory(), PersonFactory()
    member(manager, project, Role.MANAGER)
    member(sponsor, project, Role.SPONSOR)
    db.session.commit()
    slug = project.slug

    page.goto(f"/projects/{slug}/plan/reviews")
    sign_in(page, manager.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage reviews")
    axe_check(page)
    page.get_by_role("link", name="Ask for a review of stage 1").click()
    axe_check(page)
    page.get_by_label("Summary for the sponsor").fill("Workshop held; self assessment done.")
    page.get_by_label("Project group meeting").select_option(value=str(meeting.id))
    page.get_by_role("button", name="Ask for the review").click()
    page.wait_for_load_state()
    axe_check(page)
    sign_out(page)

    sign_in(page, sponsor.email)
    page.goto(f"/projects/{slug}/")
    banner = page.get_by_role("region", name="Waiting for you")
    banner.get_by_role("link", name=re.compile("Decide the stage 1 review")).click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_label("Approved with conditions").check()
    page.get_by_role("textbox", name="Conditions").fill("Report the workshop feedback in April")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Report the workshop feedback in April").first).to_be_visible()
    axe_check(page)

    review = db.session.execute(db.select(StageReview)).scalars().one()
    db.session.refresh(review)
    assert review.decision is ReviewDecision.APPROVED_WITH_CONDITIONS
    assert review.decided_by_id == sponsor.id
    assert [c.text for c in review.conditions] == ["Report the workshop feedback in April"]

    # Stage 2 is open: its task may now be started.
    page.goto(f"/projects/{slug}/")
    stages = page.get_by_role("table", name="Stages")
    expect(stages.get_by_role("row", name=re.compile("^1. Stage 1"))).to_contain_text("Approved")
    expect(stages.get_by_role("row", name=re.compile("^2. Stage 2"))).to_contain_text("In progress")


def test_a_work_stream_lead_updates_their_own_task_only(page: Page, live_server, axe_check):
    project, tasks, _ = _plan()
    lead = PersonFactory()
    member(lead, project, Role.WS_LEAD)  # leads the first work stream
    db.session.commit()

    page.goto(f"/projects/{project.slug}/plan/tasks")
    sign_in(page, lead.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Work plan")
    axe_check(page)
    expect(page.get_by_role("link", name="Update progress of task 1.2")).to_have_count(0)
    page.get_by_role("link", name="Update progress of task 1.1").click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_label("On track").check()
    page.get_by_label("Comments").fill("Venue booked")
    page.get_by_role("button", name="Save progress").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Work plan")
    expect(page.get_by_role("row", name=re.compile("1.1 Getting Started"))).to_contain_text(
        "Venue booked"
    )
    axe_check(page)

    # A stage 2 task cannot be started before stage 1 is approved: the page says why.
    page.goto(f"/projects/{project.slug}/plan/tasks/{tasks[2].id}/progress")
    page.get_by_label("On track").check()
    page.get_by_role("button", name="Save progress").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("stage 1")
    axe_check(page)
    db.session.expire_all()
    assert db.session.get(Task, tasks[0].id).progress is Progress.ON_TRACK
    assert db.session.get(Task, tasks[2].id).progress is Progress.NOT_STARTED


def test_the_manager_reads_the_gantt_zooms_it_and_links_two_tasks(
    page: Page, live_server, axe_check
):
    project, tasks, _ = _plan()
    manager = PersonFactory()
    member(manager, project, Role.MANAGER)
    db.session.add(
        Milestone(
            project_id=project.id,
            stage=project.stages[0],
            name="Stage 1 review",
            scheduled_finish=london_today() + dt.timedelta(days=61),
        )
    )
    db.session.commit()
    slug = project.slug

    page.goto(f"/projects/{slug}/plan/timeline")
    sign_in(page, manager.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    chart = page.locator("#gantt-chart")
    expect(chart.locator(".main-svg").first).to_be_attached()  # plotly.js drew the chart
    expect(chart).to_have_attribute("aria-label", re.compile("^Gantt chart of 3 tasks"))
    axe_check(page)

    def tick_labels() -> list[str]:
        return chart.locator(".xtick text").evaluate_all("els => els.map(e => e.textContent)")

    # Zoomed to two weeks the axis names days; the whole project goes back to months.
    page.get_by_role("button", name="2 weeks").click()
    expect(chart.locator(".xtick text").first).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2}"))
    page.get_by_role("button", name="Later").click()
    page.get_by_role("button", name="Whole project").click()
    expect(chart.locator(".xtick text").first).to_have_text(re.compile(r"^[A-Z][a-z]{2}"))
    assert not any(re.match(r"^\d", text) for text in tick_labels())

    # A dependency, then the forecast: both pages pass axe.
    page.get_by_role("link", name="Dependencies").click()
    page.get_by_label("Task or milestone that must finish first").select_option(
        label="Task 1.1 Getting Started Workshop"
    )
    page.get_by_label("Task or milestone that waits for it").select_option(
        label="Task 2.1 Work stream evidence"
    )
    page.get_by_role("button", name="Add dependency").click()
    expect(page.get_by_text("2.1 Work stream evidence now waits for 1.1")).to_be_visible()
    axe_check(page)
    # Stage 2's work also waits for the stage 1 milestone.
    page.get_by_label("Task or milestone that must finish first").select_option(
        label="Milestone: Stage 1 review"
    )
    page.get_by_label("Task or milestone that waits for it").select_option(
        label="Task 2.1 Work stream evidence"
    )
    page.get_by_role("button", name="Add dependency").click()
    added = page.get_by_text("2.1 Work stream evidence now waits for Stage 1 review")
    expect(added).to_be_visible()
    expect(page.get_by_role("cell", name="Milestone: Stage 1 review")).to_be_visible()
    # The reverse link would close a circle: refused beside the field.
    page.get_by_label("Task or milestone that must finish first").select_option(
        label="Task 2.1 Work stream evidence"
    )
    page.get_by_label("Task or milestone that waits for it").select_option(
        label="Task 1.1 Getting Started Workshop"
    )
    page.get_by_role("button", name="Add dependency").click()
    expect(page.locator(".govuk-error-message")).to_contain_text("circular dependency")
    axe_check(page)
    for name in ("Forecast and critical path", "Baselines"):
        page.get_by_role("link", name=name, exact=True).click()
        page.wait_for_load_state()
        axe_check(page)
    page.goto(f"/projects/{slug}/plan/milestones")
    axe_check(page)
