"""E-mail in a real browser: the manager asks for a stage review, the sponsor's message arrives
at a real SMTP server, and its link, followed in the browser, opens the decision page."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.browser.test_change_request_browser import sign_out
from tests.browser.test_plan_browser import _plan
from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, member
from tests.smtp import Mailbox, html_body, text_body
from tracker.extensions import db
from tracker.projects.models import Role


def _wait_for_message(mailbox: Mailbox, address: str, seconds: float = 10) -> None:
    """The message is sent just after the request commits, on the server's thread."""
    deadline = time.monotonic() + seconds
    while not mailbox.to(address) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_sponsors_message_links_to_the_decision(
    page: Page, live_server, axe_check, smtp_server: Mailbox
):
    project, _tasks, meeting = _plan()
    manager = PersonFactory(name="Mary Manager")
    sponsor = PersonFactory(name="Sam Sponsor", email="sponsor@example.gov.uk")
    member(manager, project, Role.MANAGER)
    member(sponsor, project, Role.SPONSOR)
    db.session.commit()

    page.goto(f"/projects/{project.slug}/plan/reviews")
    sign_in(page, manager.email)
    page.get_by_role("link", name="Ask for a review of stage 1").click()
    page.get_by_label("Summary for the sponsor").fill("Workshop held; self assessment done.")
    page.get_by_label("Project group meeting").select_option(value=str(meeting.id))
    page.get_by_role("button", name="Ask for the review").click()
    page.wait_for_load_state()
    sign_out(page)

    _wait_for_message(smtp_server, sponsor.email)
    [message] = smtp_server.to(sponsor.email)
    assert smtp_server.to(manager.email) == []  # who asked is not told
    text = text_body(message)
    assert "Mary Manager asked for your decision on the review of stage 1" in text
    link = re.search(r"http://\S+/plan/reviews/\d+/decide", text)
    assert link, text
    assert link.group(0) in html_body(message)
    assert link.group(0).startswith(live_server)

    # Followed from the message: the sign-in page first, then the decision itself.
    page.goto(link.group(0))
    sign_in(page, sponsor.email)
    expect(page).to_have_url(link.group(0))
    axe_check(page)
    expect(page.get_by_label("Approved with conditions")).to_be_visible()
    page.get_by_label("Approved").first.check()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    axe_check(page)

    # The manager who asked is told of the decision.
    _wait_for_message(smtp_server, manager.email)
    [decided] = smtp_server.to(manager.email)
    assert "Sam Sponsor" in text_body(decided)


def test_the_email_preferences_page_passes_axe(page: Page, live_server, axe_check) -> None:
    person = PersonFactory()
    db.session.commit()
    page.goto("/account/email")
    sign_in(page, person.email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_label(re.compile("daily digest", re.I)).check()
    page.get_by_role("button").filter(has_text=re.compile("Save", re.I)).click()
    page.wait_for_load_state()
    axe_check(page)
    db.session.expire_all()
    db.session.refresh(person)
    assert person.mail_preference.value == "digest"
