"""Signing in and out in a real browser, the pages met on the way, and their accessibility."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Locator, Page, expect

from tests.factories import DEFAULT_PASSWORD, PersonFactory, make_project, member
from tracker.auth.models import Person
from tracker.extensions import db
from tracker.projects.models import Role

ERROR_MESSAGE = "Enter a correct email address and password"


def sign_in(page: Page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def service_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu")


def test_manager_signs_in_finds_their_way_and_signs_out(page: Page, live_server, axe_check):
    project = make_project()
    manager = PersonFactory(name="Pat Manager")
    member(manager, project, Role.MANAGER)
    db.session.commit()
    home = f"/projects/{project.slug}/"

    # Asking for the project home first leads to the sign-in page, and back after signing in.
    page.goto(home)
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to CSE Tracker")
    expect(page).to_have_title(re.compile(r"^Sign in – CSE Tracker"))
    axe_check(page)

    sign_in(page, manager.email)
    expect(page).to_have_url(re.compile(re.escape(home) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(project.name)
    expect(page.get_by_text(f"Signed in as Pat Manager ({Role.MANAGER.label})")).to_be_visible()
    stages = page.get_by_role("table", name="Stages")
    expect(stages).to_be_visible()
    expect(stages.locator("tbody tr")).to_have_count(5)
    expect(stages.get_by_role("rowheader").first).to_have_text("1. Stage 1")
    axe_check(page)

    service_nav(page).get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People and roles")
    expect(page.get_by_role("cell", name="Pat Manager")).to_be_visible()
    expect(service_nav(page).get_by_role("link", name="People")).to_have_attribute(
        "aria-current", re.compile(r"^(page|true)$")
    )
    axe_check(page)

    service_nav(page).get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page).to_have_url(re.compile(r"/audit$"))
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    page.goto(home)
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))


def test_a_work_stream_lead_is_not_offered_the_audit_trail(page: Page, live_server):
    project = make_project()
    lead = PersonFactory()
    member(lead, project, Role.WS_LEAD)
    db.session.commit()

    page.goto("/sign-in")
    sign_in(page, lead.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(project.name)
    expect(service_nav(page).get_by_role("link", name="People")).to_be_visible()
    expect(service_nav(page).get_by_role("link", name="Audit trail")).to_have_count(0)


def test_a_wrong_password_shows_the_error_summary(page: Page, live_server, axe_check):
    project = make_project()
    person = PersonFactory()
    member(person, project, Role.MANAGER)
    db.session.commit()

    page.goto("/sign-in")
    sign_in(page, person.email, "not the password")

    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page).to_have_title(re.compile(r"^Error: Sign in – CSE Tracker"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    # GOV.UK Frontend moves focus to the summary so that a screen reader announces it.
    expect(summary).to_be_focused()
    email_link = summary.get_by_role("link", name=ERROR_MESSAGE).first
    expect(email_link).to_have_attribute("href", "#email")
    # Each field repeats its own message, and what was typed in the email field is kept.
    expect(page.locator("#email-error")).to_contain_text(ERROR_MESSAGE)
    expect(page.locator("#password-error")).to_contain_text(ERROR_MESSAGE)
    expect(page.get_by_label("Email address")).to_have_value(person.email)
    expect(page.get_by_label("Email address")).to_have_attribute(
        "aria-describedby", re.compile(r"\bemail-error\b")
    )
    axe_check(page)

    # The summary's link takes the keyboard to the field.
    email_link.click()
    expect(page.get_by_label("Email address")).to_be_focused()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # Then the right password works.
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(project.name)


def test_an_empty_sign_in_asks_for_both_fields(page: Page, live_server, axe_check):
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter your email address")).to_have_attribute(
        "href", "#email"
    )
    expect(summary.get_by_role("link", name="Enter your password")).to_have_attribute(
        "href", "#password"
    )
    summary.get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    axe_check(page)


def test_the_page_not_found_page(page: Page, live_server, axe_check):
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_check(page)

    person = PersonFactory()
    db.session.commit()
    page.goto("/sign-in")
    sign_in(page, person.email)
    response = page.goto("/projects/no-such-project/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_check(page)


def test_a_site_administrator_manages_users(page: Page, live_server, axe_check):
    admin = PersonFactory(name="Ada Admin", is_admin=True)
    db.session.commit()

    page.goto("/sign-in")
    sign_in(page, admin.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your projects")

    service_nav(page).get_by_role("link", name="Users").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_role("link", name="Ada Admin")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Add a user").click()
    expect(page).to_have_url(re.compile(r"/admin/users/new$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a user")
    axe_check(page)

    # No name, a bad address, a short password: the form comes back with its errors, each
    # linked to its field.
    page.get_by_label("Email address").fill("not an address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    for message, field in [
        ("Enter the person's full name", "#name"),
        ("Enter an email address in the correct format", "#email"),
        ("Password must be 12 characters or more", "#password"),
    ]:
        expect(summary.get_by_role("link", name=message)).to_have_attribute("href", field)
    expect(page).to_have_title(re.compile(r"^Error: Add a user"))
    axe_check(page)

    summary.get_by_role("link", name="Enter the person's full name").click()
    expect(page.get_by_label("Full name")).to_be_focused()

    # A common password is refused beside its field, however long.
    page.get_by_label("Full name").fill("Nell New")
    page.get_by_label("Email address").fill("nell.new@example.gov.uk")
    page.get_by_label("Password", exact=True).fill("password1234")
    page.get_by_role("button", name="Save").click()
    common = "Password is too easy to guess. Choose one that is not a common password"
    expect(summary.get_by_role("link", name=common)).to_have_attribute("href", "#password")
    expect(page.locator("#password-error")).to_contain_text(common)

    # Put right, the user is saved (through the real form, with its CSRF token).
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Nell New can now sign in.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nell New")

    # Her record's history: created by the administrator, the password only as "(set)".
    page.get_by_role("link", name="Every change to Nell New's details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of Nell New")
    expect(page.get_by_role("cell", name="Ada Admin")).to_be_visible()
    expect(page.get_by_text("password hash: (set)")).to_be_visible()
    axe_check(page)


def test_a_copied_session_cookie_is_dead_once_its_owner_signs_out(
    page: Page, live_server, browser: Browser
):
    project = make_project()
    manager = PersonFactory()
    member(manager, project, Role.MANAGER)
    db.session.commit()
    home = f"/projects/{project.slug}/"
    page.goto("/sign-in")
    sign_in(page, manager.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(project.name)

    # Someone copies the session cookie into another browser: it works, until the owner signs out.
    other = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        other.add_cookies(page.context.cookies())
        copy = other.new_page()
        copy.goto(home)
        expect(copy.get_by_role("heading", level=1)).to_have_text(project.name)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("You have signed out.")).to_be_visible()
        copy.goto(home)
        expect(copy).to_have_url(re.compile(r"/sign-in\?next="))
    finally:
        other.close()


def test_signing_in_with_the_keyboard_alone(page: Page, live_server):
    project = make_project()
    person = PersonFactory()
    member(person, project, Role.SPONSOR)
    db.session.commit()

    page.goto("/sign-in")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show password")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(project.name)


def test_a_narrow_screen_needs_no_sideways_scrolling(page: Page, live_server, axe_check):
    """WCAG 1.4.10 Reflow: usable at 320 CSS pixels wide; the menu folds behind a button."""
    project = make_project()
    person = PersonFactory()
    member(person, project, Role.MANAGER)
    db.session.commit()
    page.set_viewport_size({"width": 320, "height": 640})

    def scrolls_sideways() -> bool:
        return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")

    page.goto("/sign-in")
    assert not scrolls_sideways()
    sign_in(page, person.email)
    expect(page.get_by_role("heading", level=1)).to_have_text(project.name)

    people = service_nav(page).get_by_role("link", name="People")
    expect(people).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    axe_check(page)
    people.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People and roles")


def test_a_form_whose_token_has_gone_saves_nothing(page: Page, live_server, axe_check):
    admin = PersonFactory(is_admin=True)
    db.session.commit()
    page.goto("/sign-in")
    sign_in(page, admin.email)
    page.goto("/admin/users/new")
    page.get_by_label("Full name").fill("Never Saved")
    page.get_by_label("Email address").fill("never.saved@example.gov.uk")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    # As when the session has ended since the page was opened: the form's token no longer fits.
    page.locator("main input[name=csrf_token]").evaluate("input => input.value = 'stale'")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your form has expired")
    expect(page.get_by_text("Nothing was saved.")).to_be_visible()
    axe_check(page)
    db.session.expire_all()
    assert db.session.execute(db.select(Person).filter_by(name="Never Saved")).first() is None


def test_a_page_the_role_may_not_see_is_a_clear_403(page: Page, live_server, axe_check):
    project = make_project()
    lead = PersonFactory()
    member(lead, project, Role.WS_LEAD)
    db.session.commit()
    page.goto("/sign-in")
    sign_in(page, lead.email)
    response = page.goto(f"/projects/{project.slug}/audit")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to see this page"
    )
    expect(page.get_by_text("Your role in this project does not allow this.")).to_be_visible()
    axe_check(page)
    # A number too large for the database is a missing page, not an error.
    response = page.goto(f"/projects/{project.slug}/risks/99999999999999999999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_the_manager_filters_the_audit_trail(page: Page, live_server, axe_check):
    project = make_project()
    manager = PersonFactory(name="Pat Manager")
    member(manager, project, Role.MANAGER)
    db.session.commit()
    page.goto("/sign-in")
    sign_in(page, manager.email)
    service_nav(page).get_by_role("link", name="Audit trail").click()

    page.get_by_label("Show changes to").select_option("membership")
    page.get_by_label("What").select_option("create")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"table=membership"))
    table = page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Created")
    axe_check(page)

    page.get_by_label("From (date)").fill("2010-03-01")
    page.get_by_label("To (date)").fill("2010-02-01")
    page.get_by_role("button", name="Filter").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The end date must be the same as or after the start date")
    expect(page.get_by_text("No changes match these filters.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Clear the filters").click()
    expect(page.get_by_label("Show changes to")).to_have_value("")
