"""A request for change through its whole life in a real browser, on the demo project: the
manager raises it and writes the impact analysis, it comes out major, and the sponsor approves
it at a project group meeting; the plan moves and the audit trail names the change request."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, member
from tracker.audit import AuditEvent
from tracker.extensions import db
from tracker.filters import london_today
from tracker.issues.models import ChangeRequest, ChangeStatus
from tracker.plan.models import Milestone
from tracker.projects.models import Role


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_manager_raises_a_major_change_and_the_sponsor_approves_it(
    page: Page, live_server, axe_check, seeded
):
    manager = PersonFactory(name="Morgan Manager")
    sponsor = PersonFactory(name="Sam Sponsor")
    member(manager, seeded, Role.MANAGER)
    member(sponsor, seeded, Role.SPONSOR)
    milestone = (
        db.session.execute(
            db.select(Milestone)
            .where(Milestone.project_id == seeded.id)
            .order_by(Milestone.position)
        )
        .scalars()
        .first()
    )
    old_finish = milestone.scheduled_finish
    db.session.commit()
    slug = seeded.slug

    # Part 1: the manager raises the request from the change requests page.
    page.goto(f"/projects/{slug}/changes")
    sign_in(page, manager.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Change requests")
    axe_check(page)
    page.get_by_role("link", name=re.compile("Raise a request for change")).first.click()
    axe_check(page)
    page.get_by_label("Description of change").fill("Move the end of stage 1 back a month")
    page.get_by_label("Expected benefits").fill("Time for the evidence workshops")
    page.get_by_role("button", name="Raise the request for change").click()
    page.wait_for_load_state()
    change = (
        db.session.execute(
            db.select(ChangeRequest)
            .where(ChangeRequest.project_id == seeded.id)
            .order_by(ChangeRequest.number.desc())
        )
        .scalars()
        .first()
    )
    expect(page).to_have_url(re.compile(rf"/changes/{change.id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{change.number}")
    axe_check(page)

    # Part 2: the impact analysis, and a later milestone as its proposed effect.
    page.get_by_role("link", name="Write the impact analysis").click()
    axe_check(page)
    page.get_by_label("Number of days of work").fill("5")
    page.get_by_label("Cost of the change").fill("0")
    page.get_by_role("button", name="Save the impact analysis").click()
    page.wait_for_load_state()
    page.get_by_label("What the change moves").select_option(
        value=f"milestone:{milestone.id}:scheduled_finish"
    )
    new = old_finish.replace(year=old_finish.year + 1)
    page.get_by_label("Day").fill(str(new.day))
    page.get_by_label("Month").fill(str(new.month))
    page.get_by_label("Year").fill(str(new.year))
    page.get_by_role("button", name="Add to the proposed effects").click()
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile("Major change"))).to_be_visible()
    expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)
    axe_check(page)
    sign_out(page)

    # The sponsor finds it on the home page and approves it at a project group meeting.
    sign_in(page, sponsor.email)
    page.goto(f"/projects/{slug}/")
    banner = page.get_by_role("region", name="Waiting for you")
    expect(banner).to_contain_text(f"Decide change request {change.number}")
    axe_check(page)
    banner.get_by_role("link", name=f"Decide change request {change.number}").click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_label("Approve the change").check()
    # The demo's meetings are all in 2010, before this request was raised: the sponsor records
    # today's project group meeting as another date.
    form = page.locator("#decide form")
    form.get_by_label("Project group meeting", exact=True).select_option(value="other")
    today = london_today()
    form.get_by_label("Day").fill(str(today.day))
    form.get_by_label("Month").fill(str(today.month))
    form.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile("Approved"))).not_to_have_count(0)
    axe_check(page)

    db.session.expire_all()
    change = db.session.get(ChangeRequest, change.id)
    assert change.status is ChangeStatus.APPROVED and change.decided_by_id == sponsor.id
    assert change.meeting is not None and change.meeting.held_on == today
    assert db.session.get(Milestone, milestone.id).scheduled_finish == new
    causes = {
        e.table_name
        for e in db.session.execute(
            db.select(AuditEvent).where(AuditEvent.cause == f"Change request {change.number}")
        ).scalars()
    }
    assert "milestone" in causes
