"""axe on every page: the project manager, signed in once, visits every HTML page of the seeded
South Cambridgeshire project that the manager may reach (worked out from `app.url_map`, so a new
page is checked as soon as it has a route), each pointed at a real record; then the sponsor, an
EMT member, a work stream lead, the assessor and a site administrator visit the pages they come
for. Every page must answer 200 and pass axe (WCAG 2.2 AA), with the one exception `run_axe`
allows; the busiest pages are checked again on a 320px screen, where they must not scroll
sideways (WCAG 1.4.10) nor cut a table's caption off. Downloads (CSV, XLSX, PDF, ZIP, JSON) are
not pages and are left out."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.browser.conftest import format_violations, run_axe
from tests.browser.test_change_request_browser import sign_out
from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, member
from tests.pages import manager_pages, seeded_records
from tracker.auth.models import Person
from tracker.extensions import db
from tracker.projects.models import Membership, Role

WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 800}  # WCAG 1.4.10 reflow: 1280px at 400% zoom


def _check(page: Page, url: str, failures: list[str]) -> bool:
    """Open `url` and run axe on it; False when it is not a page that answered 200."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:  # a download: not a page
        reason = error.message.splitlines()[0]
        failures.append(f"{url} is not a page ({reason}): add it to DOWNLOADS in tests/pages.py")
        return False
    assert response is not None
    if response.status != 200:
        failures.append(f"{url} answered {response.status}")
        return False
    page.wait_for_load_state("load")
    headings = page.locator("h1").count()
    if headings != 1:
        failures.append(f"{url} has {headings} level 1 headings, not one")
    if not page.title().partition(" – CSE Tracker")[0].strip():  # WCAG 2.4.2: says which page
        failures.append(f"{url} is titled {page.title()!r}, which does not name the page")
    violations = run_axe(page)
    if violations:
        failures.append(format_violations(f"{url} ({page.viewport_size['width']}px)", violations))
    return True


def _check_reflow(page: Page, url: str, failures: list[str]) -> None:
    """WCAG 1.4.10: at 320 CSS pixels the page scrolls one way only (a wide table scrolls in its
    own box), and no table caption is cut off at its box's edge."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROW["width"]:
        failures.append(f"{url} is {width}px wide at {NARROW['width']}px: it scrolls sideways")
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.app-table-scroll caption')]
            .filter(c => c.offsetWidth > c.closest('.app-table-scroll').clientWidth)
            .map(c => c.textContent.trim())"""
    )
    if cut:
        failures.append(f"{url}: captions cut off at {NARROW['width']}px: {cut}")


def _visit_as(
    page: Page, person: Person, urls: list[str], failures: list[str], narrow: Sequence[str] = ()
) -> None:
    """Sign in as `person`, check each of `urls`, then each of `narrow` on a 320px screen."""
    page.goto(urls[0])
    sign_in(page, person.email)
    for url in urls:
        _check(page, url, failures)
    page.set_viewport_size(NARROW)
    for url in narrow:
        if _check(page, url, failures):
            _check_reflow(page, url, failures)
    page.set_viewport_size(WIDE)
    sign_out(page)


def test_every_page_passes_axe(page: Page, app: Flask, seeded, live_server) -> None:
    people = {role: PersonFactory(name=f"Axe {role.label}") for role in Role}
    for role, person in people.items():
        if role is Role.WS_LEAD:
            stream = seeded.work_streams[0]
            db.session.add(Membership(person=person, project=seeded, role=role, work_stream=stream))
        else:
            member(person, seeded, role)
    admin = PersonFactory(name="Axe Administrator", is_admin=True)
    values, particular = seeded_records(seeded, people[Role.MANAGER])
    db.session.commit()
    manager_urls = manager_pages(app, values, particular)
    assert len(manager_urls) > 60, manager_urls  # the url_map walk found the pages

    p = f"/projects/{seeded.slug}"
    failures: list[str] = []
    busiest = [
        f"{p}/dashboard",
        f"{p}/plan/timeline",
        f"{p}/plan/tasks",
        f"{p}/risks",
        f"{p}/risks/{values['risk_id']}",
        f"{p}/changes/{values['change_id']}",
        f"{p}/budget",
        f"{p}/readiness",
        f"{p}/ratings/{values['round_id']}",
        f"{p}/evidence/coverage",
        f"{p}/work-streams/{particular['evidence.stream_owes_page']['work_stream_id']}/owes",
        f"{p}/reports/{values['report_id']}",
        f"{p}/meetings/{values['meeting_id']}/pack",
    ]
    _visit_as(page, people[Role.MANAGER], manager_urls, failures, narrow=busiest)
    _visit_as(
        page,
        people[Role.SPONSOR],
        [
            f"{p}/plan/reviews",
            f"{p}/plan/reviews/{values['review_id']}",
            f"{p}/plan/reviews/{particular['plan.review_decide']['review_id']}/decide",
            f"{p}/changes/{values['change_id']}",
        ],
        failures,
    )
    _visit_as(
        page,
        people[Role.EMT],
        [
            f"{p}/",
            f"{p}/dashboard",
            f"{p}/reports",
            f"{p}/reports/{values['report_id']}",
            f"{p}/readiness",
        ],
        failures,
    )
    _visit_as(
        page,
        people[Role.WS_LEAD],
        [
            f"{p}/evidence",
            f"{p}/evidence/new",
            f"{p}/evidence/{values['item_id']}",
            f"{p}/work-streams/{values['work_stream_id']}/owes",
            f"{p}/plan/tasks/{values['task_id']}/progress",
            f"{p}/reports/new-work-stream",
            f"{p}/gap-actions",
            f"{p}/standard/elements/1.2.1/gap-actions/new",
        ],
        failures,
    )
    _visit_as(
        page,
        people[Role.ASSESSOR],
        [  # the seeded item is a draft, which the assessor does not see
            f"{p}/evidence",
            f"{p}/readiness",
            f"{p}/evidence/coverage",
            f"{p}/standard",
            f"{p}/standard/elements/1.1.1",
            f"{p}/ratings/{values['round_id']}",
        ],
        failures,
    )
    _visit_as(
        page,
        admin,
        [
            "/",
            "/admin/users",
            "/admin/users/new",
            f"/admin/users/{people[Role.MANAGER].id}",
            "/admin/projects",
            "/admin/projects/new",
            "/admin/jobs",
            "/account/api-tokens",
        ],
        failures,
    )
    assert not failures, "\n\n".join(failures)
