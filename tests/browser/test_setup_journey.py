"""A new council sets up from the screens: on an empty installation, the site administrator made
with `flask create-user --admin` creates a project from the CSE template, gives a manager and a
work stream lead their roles, and the manager adds a task and a risk. No command line after the
first; axe checks every page on the way."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_change_request_browser import sign_out
from tests.browser.test_sign_in import service_nav, sign_in
from tracker.extensions import db

ADMIN_PASSWORD = "a long enough admin password"
MANAGER_PASSWORD = "a long enough manager password"
LEAD_PASSWORD = "a long enough lead password"
COUNCIL = "Testshire District Council"
NAME = "Customer Service Excellence 2027"


def _fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def _create_project(page: Page, axe_check) -> None:
    expect(page.get_by_text("You have no role in any project yet")).to_have_count(0)
    page.get_by_role("link", name="Create a project").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a project")
    axe_check(page)
    page.get_by_label("Council").fill(COUNCIL)
    page.get_by_label("Project name").fill(NAME)
    page.get_by_label("Objective").fill("Customer Service Excellence accreditation by July 2027")
    page.get_by_label("Full name of the new sponsor").fill("Sam Sponsor")
    page.get_by_label("Email address of the new sponsor").fill("sam.sponsor@testshire.gov.uk")
    page.get_by_label("Full name of the new manager").fill("Morgan Manager")
    page.get_by_label("Email address of the new manager").fill("morgan.manager@testshire.gov.uk")
    _fill_date(page, "Start date", "1", "4", "2026")
    _fill_date(page, "End date", "31", "7", "2027")
    page.get_by_label("From the CSE template").check()
    page.get_by_role("button", name="Create the project").click()
    expect(page.get_by_text(f"{NAME} created for {COUNCIL}.")).to_be_visible()
    expect(page.get_by_role("cell", name=NAME)).to_be_visible()
    axe_check(page)


def _give_roles(page: Page, axe_check) -> None:
    # The manager named on the form gets a password, so that they can sign in.
    service_nav(page).get_by_role("link", name="Users").click()
    axe_check(page)
    page.get_by_role("link", name="Morgan Manager").click()
    axe_check(page)
    page.get_by_label("New password").fill(MANAGER_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("New password set for Morgan Manager.")).to_be_visible()
    # A work stream lead: a new user, then their role in the new project's corporate stream.
    service_nav(page).get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Add a user").click()
    axe_check(page)
    page.get_by_label("Full name").fill("Lee Lead")
    page.get_by_label("Email address").fill("lee.lead@testshire.gov.uk")
    page.get_by_label("Password", exact=True).fill(LEAD_PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Lee Lead can now sign in.")).to_be_visible()
    page.get_by_label("Project", exact=True).select_option(label=f"{NAME} ({COUNCIL})")
    page.get_by_label("Role").select_option(label="Work stream lead")
    page.get_by_label("Work stream").select_option(
        label=f"{NAME} ({COUNCIL}) — Work stream: Corporate (CORP)"
    )
    page.get_by_role("button", name="Add role").click()
    expect(page.get_by_text("Lee Lead is now work stream lead.")).to_be_visible()
    axe_check(page)


def _manager_adds_a_task_and_a_risk(page: Page, axe_check) -> None:
    sign_in(page, "morgan.manager@testshire.gov.uk", MANAGER_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_role("banner")).to_contain_text(COUNCIL)
    axe_check(page)
    page.get_by_role("link", name="Plan", exact=True).click()
    axe_check(page)
    page.get_by_role("link", name="Add a task").click()
    axe_check(page)
    page.get_by_label("Code").fill("1.7")
    page.get_by_label("Stage").select_option(label="Stage 1: Organisational Preparation")
    page.get_by_label("Activity").fill("Customer insight workshop")
    _fill_date(page, "Start", "1", "5", "2026")
    _fill_date(page, "Target completion", "30", "6", "2026")
    page.get_by_role("button", name="Save task").click()
    expect(page.get_by_text("Customer insight workshop").first).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Risks", exact=True).click()
    page.get_by_role("link", name="Add a risk").click()
    axe_check(page)
    page.get_by_label("Risk description").fill("Services cannot free staff to gather evidence")
    page.get_by_role("group", name="Probability").get_by_label("Medium").check()
    page.get_by_role("group", name="Impact").get_by_label("High").check()
    page.get_by_role("group", name="Status").get_by_label("Open").check()
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(page.get_by_text("Risk 01 added to the risk log.")).to_be_visible()
    axe_check(page)


def test_a_new_council_sets_up_its_project_from_the_screens(
    app, page: Page, live_server, axe_check
):
    created = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--name",
            "Alex Administrator",
            "--email",
            "alex.admin@testshire.gov.uk",
            "--admin",
        ],
        input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )
    assert created.exit_code == 0, created.output
    db.session.commit()

    page.goto("/")
    sign_in(page, "alex.admin@testshire.gov.uk", ADMIN_PASSWORD)
    axe_check(page)
    _create_project(page, axe_check)
    _give_roles(page, axe_check)
    sign_out(page)
    _manager_adds_a_task_and_a_risk(page, axe_check)
