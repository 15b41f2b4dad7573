"""The Gantt chart of a plan longer than the chart's window, in a real browser: drawn, its rows
moved by the keyboard, the wheel, the slider and the buttons (each re-drawing the rows in view),
zoomed, a name with markup shown as text, axe clean, and usable at 320 px wide."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_sign_in import sign_in
from tests.factories import PersonFactory, make_project, member
from tests.test_timeline_views import _big_plan
from tracker.extensions import db
from tracker.plan.models import Task
from tracker.projects.models import Role

HOSTILE = '<a href="https://evil.example/login">Sign in again</a>'
ROWS = 30  # rows in view: ROWS of static/js/gantt.js
TOTAL = 60 + 5 + 5  # tasks, milestones, stages
# Hover over the bar of the task with the hostile name, as a pointer on it would.
HOVER_HOSTILE_BAR = """() => {
  const plot = document.querySelector("#gantt-chart .js-plotly-plot");
  const trace = plot.data.findIndex(
    (t) => t.type === "bar" && (t.hovertext || []).some((h) => h.includes("evil.example"))
  );
  const point = plot.data[trace].hovertext.findIndex((h) => h.includes("evil.example"));
  window.Plotly.Fx.hover(plot, [{curveNumber: trace, pointNumber: point}]);
  return plot.data[trace].hovertext[point];
}"""


def _first_row(page: Page) -> int:
    return int(page.locator("#gantt-chart").get_attribute("data-gantt-first-row") or 0)


def _names(page: Page) -> list[str]:
    return page.locator("#gantt-chart .app-gantt__name").all_text_contents()


def test_the_chart_scrolls_its_rows_zooms_and_keeps_names_as_text(
    page: Page, live_server, axe_check
):
    project = make_project()
    manager = PersonFactory()
    member(manager, project, Role.MANAGER)
    _big_plan(db, project, 60)
    task = db.session.execute(db.select(Task).order_by(Task.position).limit(1)).scalar_one()
    task.activity = HOSTILE
    db.session.commit()

    page.goto(f"/projects/{project.slug}/plan/timeline")
    sign_in(page, manager.email)
    chart = page.locator("#gantt-chart")
    expect(chart).to_have_attribute("data-gantt-drawn", "true")
    expect(chart).to_have_attribute("role", "img")
    assert len(_names(page)) == ROWS and _first_row(page) == 1
    expect(page.locator("#gantt-rows-shown")).to_have_text(
        f"Rows 1 to 30 of {TOTAL} shown on the chart"
    )
    # The names beside the plot and the hover text show the markup as text, never as a link.
    titles = chart.locator(".app-gantt__name").evaluate_all("els => els.map(e => e.title)")
    assert any(title.endswith(HOSTILE) for title in titles)
    assert any(name.startswith("1.60-0 <a href") for name in _names(page))
    hover = page.evaluate(HOVER_HOSTILE_BAR)
    assert "&lt;a href" in hover and "<a" not in hover
    expect(chart.locator(".hoverlayer")).to_contain_text(HOSTILE)
    expect(page.locator("a[href*='evil.example']")).to_have_count(0)
    axe_check(page)

    # The keyboard on the focused chart: a row, a window, the end and back to the start.
    chart.focus()
    page.keyboard.press("ArrowDown")
    expect(chart).to_have_attribute("data-gantt-first-row", "2")
    before = _names(page)
    page.keyboard.press("PageDown")
    expect(chart).to_have_attribute("data-gantt-first-row", "32")
    assert _names(page) != before  # re-drawn for the rows in view
    page.keyboard.press("End")
    expect(chart).to_have_attribute("data-gantt-first-row", str(TOTAL - ROWS + 1))
    page.keyboard.press("Home")
    expect(chart).to_have_attribute("data-gantt-first-row", "1")
    # The wheel over the chart, the buttons and the slider above it.
    chart.hover()
    page.mouse.wheel(0, 120)
    expect(chart).not_to_have_attribute("data-gantt-first-row", "1")
    page.get_by_role("button", name="Next rows").click()
    expect(page.locator("#gantt-rows-shown")).to_contain_text(re.compile(r"^Rows (3[1-9]|4\d)"))
    page.get_by_role("button", name="Previous rows").click()
    page.get_by_label("First row shown on the chart").fill("20")
    expect(chart).to_have_attribute("data-gantt-first-row", "20")
    assert len(chart.locator(".barlayer .point").all()) > 0

    # Zoomed to two weeks the axis names days; the rows keep the zoom as they move.
    page.get_by_role("button", name="2 weeks").click()
    ticks = chart.locator(".xtick text")
    expect(ticks.first).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2}"))
    chart.focus()
    page.keyboard.press("ArrowUp")
    expect(chart).to_have_attribute("data-gantt-first-row", "19")
    expect(ticks.first).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]{2}"))
    page.get_by_role("button", name="Whole project").click()
    expect(ticks.first).to_have_text(re.compile(r"^[A-Z][a-z]{2}"))
    axe_check(page)

    # At 320 px the chart scrolls sideways in its box and the controls still work.
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(chart).to_have_attribute("data-gantt-drawn", "true")
    assert chart.evaluate("el => el.scrollWidth > el.clientWidth")
    page.get_by_role("button", name="Next rows").click()
    expect(chart).to_have_attribute("data-gantt-first-row", "31")
    axe_check(page)
