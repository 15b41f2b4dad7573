"""The Gantt page at size: its table in pages that cover every row once, the chart's data with
every row, and the user's text in it kept out of the page's markup."""

from __future__ import annotations

import json

from tests.html import parse, text_of
from tests.test_timeline_views import _big_plan, gantt_data, url
from tracker.plan.models import Task
from tracker.plan.timeline_views import TABLE_PAGE_ROWS
from tracker.projects.models import Role

HOSTILE = '<a href="https://evil.example">x</a></script><!--'


def _row_headers(html: str) -> list[str]:
    return [text_of(th) for th in parse(html).select("#timeline-table tbody th[scope=row]")]


def test_the_table_pages_cover_every_row_once_and_keep_the_filters(db, client, login_as, project):
    login_as(Role.MANAGER)
    _big_plan(db, project, 450)
    first = client.get(url(project, "timeline")).get_data(as_text=True)
    data = gantt_data(first)
    total = len(data["rows"])  # every row is dated here, so the chart has them all
    assert total == 450 + 5 + 5  # tasks, milestones, stages
    pages = -(-total // TABLE_PAGE_ROWS)
    seen: list[str] = []
    for number in range(1, pages + 1):
        html = client.get(url(project, "timeline") + f"?page={number}").get_data(as_text=True)
        headers = _row_headers(html)
        assert len(headers) == min(TABLE_PAGE_ROWS, total - (number - 1) * TABLE_PAGE_ROWS)
        caption = text_of(parse(html).select_one("#timeline-table caption"))
        low = (number - 1) * TABLE_PAGE_ROWS + 1
        assert f"(rows {low:,} to {low + len(headers) - 1:,} of {total:,})" in caption
        seen += headers
    assert len(seen) == total == len(set(seen))
    # Out of range pages show the first or the last page rather than failing.
    assert _row_headers(
        client.get(url(project, "timeline") + "?page=0").get_data(as_text=True)
    ) == (_row_headers(first))
    last = client.get(url(project, "timeline") + "?page=999").get_data(as_text=True)
    assert _row_headers(last) == seen[-len(_row_headers(last)) :]
    # The pagination links keep the filter and the baseline chosen.
    stream = project.work_streams[0].id  # half the tasks: still more than a page
    html = client.get(url(project, "timeline", work_stream=stream, baseline="none")).get_data(
        as_text=True
    )
    links = [a["href"] for a in parse(html).select("nav.govuk-pagination a")]
    assert links and all(f"work_stream={stream}" in h and "baseline=none" in h for h in links)
    assert parse(html).select_one('nav.govuk-pagination [aria-current="page"]')


def test_the_chart_data_has_every_row_and_link_with_the_text_kept_inert(
    db, client, login_as, project
):
    login_as(Role.MANAGER)
    _big_plan(db, project, 40)
    task = db.session.execute(db.select(Task).limit(1)).scalar_one()
    task.activity = HOSTILE
    db.session.commit()
    html = client.get(url(project, "timeline")).get_data(as_text=True)
    script = html.split('id="gantt-data">', 1)[1].split("</script>", 1)[0]
    # Nothing in the JSON can end the script element or open markup.
    assert "<" not in script and ">" not in script and "&" not in script
    data = gantt_data(html)
    rows = {row["key"]: row for row in data["rows"]}
    assert rows[f"t{task.id}"]["label"].endswith(HOSTILE)  # gantt.js escapes it for Plotly
    kinds = [row["kind"] for row in data["rows"]]
    assert (kinds.count("task"), kinds.count("milestone"), kinds.count("stage")) == (40, 5, 5)
    assert len(data["links"]) == len(set(data["links"])) > 0
    assert all(a in rows and b in rows for a, b in data["links"])
    assert any(row["critical"] for row in data["rows"])
    assert any(row["baseline_finish"] is not None for row in data["rows"])
    assert all(
        name.startswith(("Complete", "On track", "At risk", "Late", "Not started"))
        for name in (style["name"] for style in data["styles"])
    )
    json.dumps(data)  # plain data only
