"""Highlight reports in a real browser: the manager drafts, edits and issues the monthly report;
an EMT member reads it and the quarterly report. axe on every page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_change_request_browser import sign_out
from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, member
from tracker.extensions import db
from tracker.projects.models import Role


def test_the_manager_issues_a_report_and_the_emt_reads_it(
    page: Page, live_server, axe_check, seeded
):
    manager, emt = PersonFactory(), PersonFactory()
    member(manager, seeded, Role.MANAGER)
    member(emt, seeded, Role.EMT)
    db.session.commit()
    slug = seeded.slug

    page.goto(f"/projects/{slug}/reports")
    sign_in(page, manager.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Highlight reports")
    axe_check(page)
    page.get_by_role("link", name="Draft a highlight report").click()
    axe_check(page)
    start = page.get_by_role("group", name="Start of the period")
    start.get_by_label("Day").fill("27")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2010")
    end = page.get_by_role("group", name="End of the period")
    end.get_by_label("Day").fill("31")
    end.get_by_label("Month").fill("3")
    end.get_by_label("Year").fill("2010")
    page.get_by_role("button", name="Draft the report").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit:")
    axe_check(page)
    page.get_by_role("group", name="Status of schedule status").get_by_label("Amber").check()
    page.get_by_label("Text of schedule status").fill("Stage 1 extended to 31 March 2010.")
    page.get_by_role("button", name="Save the report").click()
    page.wait_for_load_state()
    axe_check(page)
    page.get_by_role("button", name="Issue the report").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Highlight report 2")
    expect(page.get_by_text("(frozen as issued)")).to_be_visible()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename == f"{slug}-highlight-report-2.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    page.goto(f"/projects/{slug}/meetings")
    axe_check(page)
    page.get_by_role("link", name=re.compile("^Pack for")).first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="5. Issue log")).to_be_visible()
    axe_check(page)

    # The quarterly report for the EMT and the lead member.
    page.goto(f"/projects/{slug}/reports")
    page.get_by_role("link", name="Draft a quarterly report").click()
    axe_check(page)
    page.get_by_label("Year").select_option("2010")
    page.get_by_label("January to March").check()
    page.get_by_role("button", name="Draft the report").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Save the report").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Issue the report").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quarterly highlight report 1")
    sign_out(page)

    sign_in(page, emt.email)
    page.goto(f"/projects/{slug}/reports")
    axe_check(page)
    page.get_by_role("link", name="Highlight report 2").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Stage 1 extended to 31 March 2010.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Issue"))).to_have_count(0)
    axe_check(page)
    page.goto(f"/projects/{slug}/reports")
    page.get_by_role("link", name="Quarterly highlight report 1").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Monthly reports this quarter")).to_be_visible()
    expect(
        page.get_by_role("table", name=re.compile("Planned against actual spend"))
    ).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Readiness by criterion"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Elements by criterion"))).to_be_visible()
    axe_check(page)
