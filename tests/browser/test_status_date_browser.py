"""The manager moves the seeded demo's status date and sees its figures change, with axe on
each page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, member
from tracker.extensions import db
from tracker.projects.models import Role


def test_the_manager_sets_a_status_date_and_the_figures_follow(
    page: Page, live_server, axe_check, seeded
):
    manager = PersonFactory(name="Pat Manager")
    member(manager, seeded, Role.MANAGER)
    db.session.commit()
    page.goto(f"/projects/{seeded.slug}/dashboard")
    sign_in(page, manager.email)
    line = page.locator("#status-date-line")
    expect(line).to_contain_text("Figures as at 26 February 2010 (status date)")
    expect(page.locator("main")).not_to_contain_text("tasks are late")
    page.goto(f"/projects/{seeded.slug}/plan/tasks?status=late")
    expect(page.get_by_role("status")).to_contain_text("0 tasks match this filter")
    page.goto(f"/projects/{seeded.slug}/dashboard")
    expect(page.locator("#project-budget")).to_contain_text("£22,600.00 allocated")
    axe_check(page)

    line.get_by_role("link", name="Change the status date").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Status date")
    axe_check(page)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2011")
    page.get_by_role("button", name="Save status date").click()
    message = "Status date must be on or before the project's end, 31 March 2011"
    expect(page.get_by_role("link", name=message)).to_be_visible()  # the error summary
    axe_check(page)

    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2010")
    page.get_by_role("button", name="Save status date").click()
    expect(page.locator("#status-date-line")).to_contain_text(
        "Figures as at 2 September 2010 (status date)"
    )
    # By September stage 1's four unfinished tasks are past their target finish.
    page.goto(f"/projects/{seeded.slug}/plan/tasks?status=late")
    expect(page.get_by_role("status")).to_contain_text("4 tasks match this filter")
    expect(page.get_by_role("status")).to_contain_text("Progress as on 2 Sep 2010")
    axe_check(page)

    page.goto(f"/projects/{seeded.slug}/status-date")
    page.get_by_role("button", name="Judge at today instead").click()
    expect(page.locator("#status-date-line")).to_contain_text("Figures as at today,")
    axe_check(page)
