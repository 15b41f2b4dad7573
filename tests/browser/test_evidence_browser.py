"""Evidence in a real browser: a work stream lead uploads a document for two elements and
submits it; a reviewer (policy & performance representative) accepts it. axe on every page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_change_request_browser import sign_out
from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, member
from tracker.evidence.models import EvidenceItem, EvidenceStatus
from tracker.extensions import db
from tracker.projects.models import Membership, Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_lead_uploads_evidence_and_a_reviewer_accepts_it(
    page: Page, live_server, axe_check, seeded, tmp_path
):
    stream = seeded.work_streams[0]
    lead, reviewer = PersonFactory(name="Lee Lead"), PersonFactory(name="Rita Reviewer")
    db.session.add(Membership(person=lead, project=seeded, role=Role.WS_LEAD, work_stream=stream))
    member(reviewer, seeded, Role.ASSURANCE)
    db.session.commit()
    document = tmp_path / "Customer survey 2009.pdf"
    document.write_bytes(PDF)
    slug = seeded.slug

    page.goto(f"/projects/{slug}/evidence")
    sign_in(page, lead.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence library")
    axe_check(page)
    page.get_by_role("link", name="Add evidence").click()
    axe_check(page)

    # No element ticked is refused beside the field, with the file chosen again after.
    page.get_by_label("Title").fill("Customer survey 2009")
    page.get_by_label("File", exact=True).set_input_files(str(document))
    page.get_by_role("button", name="Add the evidence").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text(
        "Select the elements of the standard this evidence supports"
    )
    axe_check(page)

    _pick_elements(page, axe_check)
    page.get_by_label("File", exact=True).set_input_files(str(document))
    page.get_by_role("group", name="Date of the evidence").get_by_label("Day").fill("1")
    page.get_by_role("group", name="Date of the evidence").get_by_label("Month").fill("6")
    page.get_by_role("group", name="Date of the evidence").get_by_label("Year").fill("2009")
    page.get_by_role("button", name="Add the evidence").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customer survey 2009")
    expect(page.get_by_role("link", name="1.2.1")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Submitted for review").first).to_be_visible()
    axe_check(page)
    sign_out(page)

    sign_in(page, reviewer.email)
    page.goto(f"/projects/{slug}/standard/elements/1.2.1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Element 1.2.1")
    axe_check(page)
    page.get_by_role("link", name="Customer survey 2009").click()
    page.wait_for_load_state()
    page.get_by_label("Accept the evidence").check()
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile("Review recorded: accepted"))).to_be_visible()
    axe_check(page)
    page.goto(f"/projects/{slug}/readiness")
    expect(page.get_by_role("heading", level=1)).to_have_text("Readiness for accreditation")
    axe_check(page)
    # The appendix 4 matrix of the 2009 self-assessment, filtered to the 0% ratings.
    page.get_by_role("link", name="Ratings").first.click()
    page.get_by_role("link", name="Self-assessment May–June 2009").click()
    page.get_by_label("Elements rated").select_option(label="0%")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-assessment May–June 2009")
    expect(page.get_by_role("row", name=re.compile("^Total 0%"))).to_be_visible()
    axe_check(page)

    item = db.session.execute(db.select(EvidenceItem)).scalar_one()
    db.session.refresh(item)
    assert item.status is EvidenceStatus.ACCEPTED
    assert [e.code for e in item.elements] == ["1.1.1", "1.2.1"]
    assert item.files[0].original_name == "Customer_survey_2009.pdf"


def _pick_elements(page: Page, axe_check) -> None:
    """Elements are found by a search on their number or title, and ticked; a search keeps
    what was typed and the elements already ticked."""
    search = page.get_by_role("searchbox", name="Search the standard")
    search.fill("1.1.1")
    page.get_by_role("button", name="Search the standard").click()
    page.wait_for_load_state()
    page.get_by_role("checkbox", name=re.compile(r"^1\.1\.1 ")).check()
    search.fill("engagement")
    page.get_by_role("button", name="Search the standard").click()
    page.wait_for_load_state()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Customer survey 2009")
    expect(page.get_by_role("checkbox", name=re.compile(r"^1\.1\.1 "))).to_be_checked()
    axe_check(page)
    page.get_by_role("checkbox", name=re.compile(r"^1\.2\.1 ")).check()
