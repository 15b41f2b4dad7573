"""The dashboard for the EMT, and the API token page, in a real browser with axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_sign_in import service_nav, sign_in
from tests.factories import PersonFactory, member
from tracker.extensions import db
from tracker.projects.models import Role


def test_emt_member_reads_the_dashboard(page: Page, live_server, axe_check, seeded):
    emt = PersonFactory(name="Eve Executive")
    member(emt, seeded, Role.EMT)
    db.session.commit()
    page.goto(f"/projects/{seeded.slug}/")
    sign_in(page, emt.email)
    service_nav(page).get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("table", name=re.compile("The stages"))).to_be_visible()
    expect(page.locator("#stage-chart .main-svg").first).to_be_attached()
    expect(page.locator("#spend-chart .main-svg").first).to_be_attached()
    expect(page.get_by_role("link", name="Export the whole project")).to_have_count(0)
    axe_check(page)


def test_a_user_makes_and_revokes_an_api_token(page: Page, live_server, axe_check, project):
    person = PersonFactory(name="Pat Performance")
    member(person, project, Role.ASSURANCE)
    db.session.commit()
    page.goto("/account/api-tokens")
    sign_in(page, person.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("link", name="Enter a name for the token")).to_be_visible()
    axe_check(page)
    page.get_by_label("Name of the token").fill("Performance dashboard")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("cse_")
    axe_check(page)
    response = page.request.get(
        f"/api/v1/projects/{project.slug}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200 and response.json()["slug"] == project.slug
    page.get_by_role("button", name="Revoke the token Performance dashboard").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    axe_check(page)


def test_manager_finds_the_export_from_the_dashboard(page: Page, live_server, axe_check, project):
    manager = PersonFactory(name="Pat Manager")
    member(manager, project, Role.MANAGER)
    db.session.commit()
    page.goto(f"/projects/{project.slug}/dashboard")
    sign_in(page, manager.email)
    axe_check(page)
    page.get_by_role("link", name="Export the whole project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export the whole project")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the project export (ZIP)").click()
    assert download.value.suggested_filename == f"{project.slug}-export.zip"
