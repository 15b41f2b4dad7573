"""The plan's long lists a page at a time (issue 15): the work plan and the forecast's late tasks
and critical path. Every task is on exactly one page, in the work plan's order, and a stage
that goes on over a page boundary says so; a page past the last shows the last."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.html import parse
from tests.test_plan_scale import bulk_plan
from tracker.extensions import db
from tracker.paging import Page
from tracker.plan.baselines import load_plan
from tracker.plan.plan_reading import read_plan
from tracker.plan.timeline_rows import timeline_rows
from tracker.plan.timeline_views import forecast_lists
from tracker.plan.views import WORK_PLAN_PAGE_SIZE
from tracker.projects.models import Role


def _task_codes(html: object) -> list[str]:
    return [th.get_text(strip=True) for th in parse(html).select("tr[id^=task-] th")]


def test_the_work_plan_pages_hold_every_task_once_in_order(client, login_as, project):
    login_as(Role.MANAGER)
    bulk_plan(project, WORK_PLAN_PAGE_SIZE * 2 + 25, 10)
    url = f"/projects/{project.slug}/plan/tasks"
    pages = [client.get(f"{url}?page={n}") for n in (1, 2, 3)]
    assert all(r.status_code == 200 for r in pages)
    codes = [_task_codes(r) for r in pages]
    assert [len(c) for c in codes] == [WORK_PLAN_PAGE_SIZE, WORK_PLAN_PAGE_SIZE, 25]
    every = [code for page in codes for code in page]
    assert len(set(every)) == len(every) == WORK_PLAN_PAGE_SIZE * 2 + 25
    whole = parse(pages[1])
    assert "this page shows tasks 201 to 400" in whole.get_text(" ", strip=True)
    assert whole.select_one("nav.govuk-pagination[aria-label='Pages of the work plan']")
    assert whole.select_one("a[aria-current=page]").get_text(strip=True) == "2"
    # A stage begun on page 1 goes on, and says so, on page 2.
    headings = [h.get_text(" ", strip=True) for h in whole.select("h2.govuk-heading-m")]
    assert "(continued)" in headings[0]
    # Past the last page: the last page.
    assert _task_codes(client.get(f"{url}?page=99")) == codes[2]


def test_a_filtered_work_plan_pages_keep_the_filter(client, login_as, project):
    login_as(Role.MANAGER)
    bulk_plan(project, WORK_PLAN_PAGE_SIZE * 3, 10)
    stream = project.work_streams[0]
    url = f"/projects/{project.slug}/plan/tasks?work_stream={stream.id}"
    first = client.get(url)
    next_link = parse(first).select_one("a[rel=next]")["href"]
    assert f"work_stream={stream.id}" in next_link and "page=2" in next_link
    shown = _task_codes(first) + _task_codes(client.get(next_link))
    assert len(shown) == len(set(shown)) == WORK_PLAN_PAGE_SIZE * 3 // len(project.work_streams)


def test_a_small_plan_is_one_page_without_pagination(client, login_as, project):
    login_as(Role.MANAGER)
    bulk_plan(project, 12, 10)
    page = parse(client.get(f"/projects/{project.slug}/plan/tasks"))
    assert len(page.select("tr[id^=task-]")) == 12
    assert page.select_one(".govuk-pagination") is None
    # Every stage still shows, the empty ones too.
    assert len(page.select("h2.govuk-heading-m")) == len(project.stages)


def test_theforecast_lists_late_tasks_a_page_at_a_time(client, login_as, project):
    login_as(Role.MANAGER)
    bulk_plan(project, 400, 600)
    url = f"/projects/{project.slug}/plan/forecast"
    first = parse(client.get(url))
    caption = first.select("caption")[1].get_text(" ", strip=True)
    total = int(re.search(r"late \((\d+)", caption).group(1))
    assert total > 100, caption
    seen: list[str] = []
    for number in range(1, (total + 99) // 100 + 1):
        page = parse(client.get(f"{url}?late_page={number}&as_of="))
        seen += [th.get_text(strip=True) for th in page.select("table")[1].select("tbody th")]
    assert len(seen) == len(set(seen)) == total
    nav = first.select_one("nav[aria-label='Pages of the tasks forecast to finish late']")
    assert nav.select_one("a[rel=next]")["href"].endswith("late_page=2")


@pytest.mark.parametrize(
    ("number", "count", "shown"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 9, [1, 2, None, 9]),
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (3, 9, [1, 2, 3, 4, None, 9]),
        (9, 9, [1, None, 8, 9]),
    ],
)
def test_page_numbers_keep_the_first_last_and_neighbours(number, count, shown):
    assert Page(number, 10, count * 10).numbers() == shown


def test_a_page_knows_its_slice():
    page = Page(3, 100, 250)
    assert (page.count, page.offset, page.first, page.last) == (3, 200, 201, 250)
    assert list(page.of(range(250))) == list(range(200, 250))
    assert (Page(1, 100, 0).count, Page(1, 100, 0).first) == (1, 0)


def test_the_plain_rows_read_the_same_plan_as_the_orm(project):
    bulk_plan(project, 40, 60)
    db.session.commit()
    loaded, read = load_plan(project), read_plan(project)
    assert loaded.links() == read.links()
    assert loaded.schedule_items() == read.schedule_items()
    assert loaded.forecast() == read.forecast()
    fields = ("id", "code", "activity", "stage_id", "work_stream_id", "progress", "comments")
    assert [tuple(getattr(t, f) for f in fields) for t in loaded.tasks] == [
        tuple(getattr(t, f) for f in fields) for t in read.tasks
    ]
    assert [[p.name for p in t.responsible] for t in loaded.tasks] == [
        [p.name for p in t.responsible] for t in read.tasks
    ]


def test_theforecast_lists_are_the_timelines_rows_in_its_order(project):
    """The forecast page picks its rows by key without building the whole timeline: the same
    rows, in the same order, as the timeline gives."""
    bulk_plan(project, 300, 450)
    plan = read_plan(project)
    forecasts = plan.forecast(as_of=dt.date(2010, 6, 1))
    whole = timeline_rows(plan, forecasts, today=dt.date(2010, 6, 1))
    late, critical, pushed = forecast_lists(plan, forecasts)
    assert late == [r.key for r in whole.tasks if r.slip > 0] and late
    assert pushed == [r.key for r in whole.pushed_milestones]
    by_start = sorted(whole.critical, key=lambda r: (r.forecast_start, r.kind != "task"))
    assert critical == [r.key for r in by_start] and critical


def test_page_links_keep_the_filters_but_not_stray_arguments(client, login_as, project):
    """An argument named like the view's or url_for's own is not carried into the page links:
    they stay on this project, relative, with no anchor but the list's own."""
    login_as(Role.MANAGER)
    bulk_plan(project, WORK_PLAN_PAGE_SIZE + 10, 10)
    base = f"/projects/{project.slug}/plan/tasks"
    response = client.get(f"{base}?status=&slug=other&_external=1&_anchor=x&_scheme=ftp&page=1")
    assert response.status_code == 200
    links = [a["href"] for a in parse(response).select("nav.govuk-pagination a")]
    assert links and all(link.startswith(f"{base}?") for link in links), links
    assert all("#" not in link and "other" not in link for link in links), links
    assert f"{base}?status=&page=2" in links
