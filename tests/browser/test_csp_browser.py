"""The Content-Security-Policy in a real browser: GOV.UK Frontend's scripts run, the Plotly charts
draw, and the browser reports no violation on the pages with charts and on the sign-in page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, member
from tracker.extensions import db
from tracker.projects.models import Role

# Recorded before any script of the page runs (Playwright's init scripts are exempt from the CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber}) ${event.sample}`
  );
});
"""

# path under the project -> does the page draw a Plotly chart
CHART_PAGES = {
    "dashboard": True,
    "plan/timeline": True,
    "risks": False,  # the heat map is a table
    "budget": True,
    "readiness": True,
}


@pytest.fixture
def watched(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The page, and the CSP complaints and script errors the browser reports on it."""
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield page, problems


def _assert_clean(page: Page, problems: list[str]) -> None:
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_have_class(
        # GOV.UK's inline script (with the nonce) ran, and so did its module script.
        re.compile(r"\bjs-enabled\b.*\bgovuk-frontend-supported\b")
    )
    reported = page.evaluate("window.__cspViolations")
    assert reported == [] and problems == [], "\n".join(reported + problems)


# What an injected script would look like: inline, without the nonce.
INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.__injectedRan = true;";
  document.body.appendChild(script);
  return window.__injectedRan === true;
}"""


def test_no_csp_violation_on_the_sign_in_page_and_injected_script_is_refused(watched):
    page, problems = watched
    response = page.goto("/sign-in")
    assert response is not None and "'nonce-" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _assert_clean(page, problems)
    assert page.evaluate(INJECT) is False
    page.wait_for_function("window.__cspViolations.length > 0")  # reported asynchronously
    assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))


def test_charts_draw_under_the_csp_with_no_violation(watched, seeded):
    page, problems = watched
    manager = PersonFactory(name="Pat Manager")
    member(manager, seeded, Role.MANAGER)
    db.session.commit()
    page.goto(f"/projects/{seeded.slug}/")
    sign_in(page, manager.email)
    for path, has_chart in CHART_PAGES.items():
        response = page.goto(f"/projects/{seeded.slug}/{path}")
        assert response is not None and response.status == 200, path
        if has_chart:
            expect(page.locator("svg.main-svg").first).to_be_attached()
            # plotly.js put its rules in the nonced element of base.html, not in one of its own.
            assert page.locator("style:not([nonce])").count() == 0, path
        _assert_clean(page, problems)
