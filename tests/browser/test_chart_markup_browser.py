"""A milestone named with markup is drawn as text on the dashboard's chart, not as a link."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, member
from tracker.extensions import db
from tracker.plan.models import Milestone
from tracker.projects.models import Role

HOSTILE = 'MS <a href="https://evil.example/login">Session expired - sign in again</a>'
# Hover over the first of the next milestones, as a pointer on its diamond would.
HOVER_FIRST_MILESTONE = """() => {
  const chart = document.getElementById("stage-chart");
  const trace = chart.data.findIndex((t) => t.type === "scatter");
  window.Plotly.Fx.hover(chart, [{curveNumber: trace, pointNumber: 0}]);
}"""


def test_a_milestone_named_with_markup_shows_as_text(page: Page, live_server, axe_check, seeded):
    for milestone in db.session.execute(db.select(Milestone)).scalars():
        milestone.name = HOSTILE
    emt = PersonFactory()
    member(emt, seeded, Role.EMT)
    db.session.commit()
    page.goto(f"/projects/{seeded.slug}/dashboard")
    sign_in(page, emt.email)
    chart = page.locator("#stage-chart")
    expect(chart.locator(".main-svg").first).to_be_attached()

    page.evaluate(HOVER_FIRST_MILESTONE)

    expect(chart.locator(".hoverlayer")).to_contain_text(HOSTILE)
    expect(chart.locator("a")).to_have_count(0)
    expect(page.locator("a[href*='evil.example']")).to_have_count(0)
    axe_check(page)
