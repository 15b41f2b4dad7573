"""The timeline pages: Gantt chart and its table, dependencies, forecast, baselines, files."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook

from tests.factories import MilestoneFactory, PersonFactory, TaskDependencyFactory, TaskFactory
from tests.helpers import sign_in
from tests.html import hrefs, one, parse, text_of
from tracker.plan.models import Milestone, PlanBaseline, Progress, Stage, Task, TaskDependency
from tracker.projects.models import Role


def stages_of(db, project) -> list[Stage]:
    return list(
        db.session.execute(
            db.select(Stage).where(Stage.project_id == project.id).order_by(Stage.number)
        ).scalars()
    )


def add_task(db, project, stage, code, start, finish, **values) -> Task:
    values = {"activity": f"Task {code}", "position": 0} | values
    return TaskFactory(
        project=project, stage=stage, code=code, start_date=start, target_finish=finish, **values
    )


def add_milestone(db, project, stage, name, day, **values) -> Milestone:
    return MilestoneFactory(project=project, stage=stage, name=name, scheduled_finish=day, **values)


def link(db, project, predecessor, successor, lag=0) -> TaskDependency:
    return TaskDependencyFactory(
        project=project,
        predecessor_id=predecessor.id if isinstance(predecessor, Task) else None,
        predecessor_milestone_id=predecessor.id if isinstance(predecessor, Milestone) else None,
        successor_task_id=successor.id if isinstance(successor, Task) else None,
        successor_milestone_id=successor.id if isinstance(successor, Milestone) else None,
        lag_days=lag,
    )


@pytest.fixture
def small_plan(db, project):
    """Stage 1: 1.1 (finished 9 days late) -> 1.2 -> milestone; 1.3 on its own."""
    stage1, stage2 = stages_of(db, project)[:2]
    stream = project.work_streams[0]
    first = add_task(
        db,
        project,
        stage1,
        "1.1",
        dt.date(2010, 1, 1),
        dt.date(2010, 1, 31),
        activity="Getting Started Workshop",
        actual_finish=dt.date(2010, 2, 9),
        progress=Progress.COMPLETE,
        work_stream_id=stream.id,
    )
    second = add_task(
        db,
        project,
        stage1,
        "1.2",
        dt.date(2010, 2, 1),
        dt.date(2010, 2, 28),
        activity="Self Assessment",
        position=1,
    )
    add_task(
        db,
        project,
        stage2,
        "2.1",
        dt.date(2010, 4, 1),
        dt.date(2010, 4, 30),
        activity="Affordable Housing",
        position=2,
        progress=Progress.AT_RISK,
    )
    milestone = add_milestone(
        db, project, stage1, "Stage 1 - Organisational Preparation Complete", dt.date(2010, 2, 28)
    )
    link(db, project, first, second)
    link(db, project, second, milestone)
    db.session.commit()
    return {"first": first, "second": second, "milestone": milestone}


def gantt_data(response) -> dict:
    """The Gantt chart's data, from the JSON the page embeds for static/js/gantt.js, with each
    row as a dict of its fields and each link as a pair of row keys."""
    data = json.loads(one(response, 'script[type="application/json"]#gantt-data').string)
    data["rows"] = [dict(zip(data["fields"], row, strict=True)) for row in data["rows"]]
    keys = [row["key"] for row in data["rows"]]
    data["links"] = [(keys[a], keys[b]) for a, b in data["links"]]
    return data


def day(value: int) -> dt.date:
    """A date of the Gantt's data: days since 1 Jan 1970."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=value)


def url(project, page: str, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/projects/{project.slug}/plan/{page}" + (f"?{query}" if query else "")


# The Gantt page ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.WS_MEMBER, Role.EMT, Role.LEAD_MEMBER])
def test_every_role_sees_the_chart_and_its_accessible_table(client, login_as, project, role):
    login_as(role)
    response = client.get(url(project, "timeline"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    soup = parse(html)
    # The chart: labelled, drawn by the locally served plotly.js and our own script.
    chart = one(soup, "div#gantt-chart")
    assert chart["role"] == "img" and chart["aria-label"].startswith("Gantt chart")
    # plotly.js's basic bundle: a quarter of the full one, so the page is ready sooner.
    sources = " ".join(script["src"] for script in soup.select("script[src]"))
    assert "/vendor/plotly-basic.min.js?v=" in sources
    assert "/static/js/gantt.js" in html
    assert "cdn" not in html.lower()
    handlers = [(tag.name, name) for tag in soup.find_all(True) for name in tag.attrs]
    assert [found for found in handlers if found[1].startswith("on")] == []  # no inline handlers
    # The text alternative: a captioned table with header cells that have a scope.
    table = one(soup, "table.govuk-table.app-table--compact.app-timeline-table")
    assert "The plan as a table" in text_of(one(table, "caption"))
    assert table.select('th[scope="col"]')
    assert "Timeline" in html and "Baselines" in html  # in the navigation


@pytest.fixture
def on_1_march_2010(monkeypatch):
    """Today, so the status date of a project without one, is 1 Mar 2010, inside the small plan."""
    monkeypatch.setattr("tracker.projects.status.london_today", lambda: dt.date(2010, 3, 1))


@pytest.mark.parametrize("page", ["tasks", "milestones", "reviews", "timeline", "baselines"])
def test_every_plan_page_links_to_every_other_and_to_the_downloads(client, login_as, project, page):
    pages = ["tasks", "milestones", "reviews", "timeline", "forecast", "dependencies", "baselines"]
    login_as(Role.SUPPORT)
    nav = one(client.get(url(project, page)), 'nav.app-sub-nav[aria-label="Plan pages"]')
    links = hrefs(nav)
    for other in pages:
        if other != page:
            assert url(project, other) in links, other
    assert nav.select_one('[aria-current="page"]')
    assert url(project, "import") in links
    assert any("format=xlsx" in link for link in links)
    assert any("format=csv" in link for link in links)
    login_as(Role.EMT)
    assert url(project, "import") not in hrefs(client.get(url(project, page)))  # planners only


def test_the_page_embeds_the_figure_and_the_table_has_every_row(
    client, login_as, project, small_plan, on_1_march_2010
):
    login_as(Role.MANAGER)
    html = client.get(url(project, "timeline")).get_data(as_text=True)
    data = gantt_data(html)
    styles = [style["name"] for style in data["styles"]]
    by_key = {row["key"]: row for row in data["rows"]}
    tasks = [row for row in data["rows"] if row["kind"] == "task"]
    assert [styles[t["style"]] for t in tasks] == [
        "Complete (solid)",
        # 1.2 was never marked late, but on 1 Mar it is past its 28 Feb target: drawn as late.
        "Late (horizontal stripes)",
        "At risk (cross-hatched)",
    ]
    assert styles[by_key[f"t{small_plan['second'].id}"]["style"]] == "Late (horizontal stripes)"
    assert [t["critical"] for t in tasks] == [0, 0, 1]  # 2.1 finishes last
    assert (f"t{small_plan['first'].id}", f"t{small_plan['second'].id}") in data["links"]
    milestone = by_key[f"m{small_plan['milestone'].id}"]
    assert milestone["kind"] == "milestone" and day(milestone["finish"]) == dt.date(2010, 2, 28)
    assert [r["kind"] for r in data["rows"]].count("stage") == 5
    assert data["range"] == ["2009-11-24", "2011-03-09"]  # the stages, a week before and two after
    # The same data in the table: every task and milestone as a row header.
    for text in ("1.1 Getting Started Workshop", "1.2 Self Assessment", "2.1 Affordable Housing"):
        assert f"{text}" in html
    assert "Milestone: Stage 1 - Organisational Preparation Complete" in html
    assert html.count('<th scope="row"') == 3 + 1 + 5  # tasks, milestone, the five stages


def test_a_slip_shows_the_milestone_pushed_and_by_how_much(client, login_as, project, small_plan):
    login_as(Role.SPONSOR)
    html = client.get(url(project, "timeline")).get_data(as_text=True)
    # 1.1 finished 9 Feb instead of 31 Jan: 1.2 starts 10 Feb and keeps its 27 days.
    assert "1 milestone is pushed back" in html
    assert "forecast 9 Mar 2010, +9 days after its scheduled 28 Feb 2010" in html
    forecast = client.get(url(project, "forecast")).get_data(as_text=True)
    assert "Milestones pushed back (1)" in forecast
    assert "1.1 Getting Started Workshop → 1.2 Self Assessment" in forecast
    assert "Critical path" in forecast


def test_the_filter_shows_one_stage_or_one_work_stream(db, client, login_as, project, small_plan):
    login_as(Role.MANAGER)
    stage2 = stages_of(db, project)[1]
    html = client.get(url(project, "timeline", stage=stage2.id)).get_data(as_text=True)
    assert "2.1 Affordable Housing" in html
    assert "1.2 Self Assessment" not in html
    stream = project.work_streams[0]
    html = client.get(url(project, "timeline", work_stream=stream.id)).get_data(as_text=True)
    assert "1.1 Getting Started Workshop" in html
    assert "2.1 Affordable Housing" not in html
    # Nonsense filter values are ignored rather than failing.
    assert client.get(url(project, "timeline", stage="x", work_stream=99999)).status_code == 200


def test_the_baseline_is_drawn_behind_the_tasks(db, client, login_as, project, small_plan):
    person = login_as(Role.MANAGER)
    assert (
        client.post(url(project, "baselines/new"), data={"name": "V1.2 26 Feb 2010"}).status_code
        == 302
    )
    html = client.get(url(project, "timeline")).get_data(as_text=True)
    assert "compared with baseline V1.2 26 Feb 2010" in html
    tasks = [r for r in gantt_data(html)["rows"] if r["kind"] == "task"]
    assert [day(t["baseline_finish"]) for t in tasks] == [day(t["finish"]) for t in tasks]
    html = client.get(url(project, "timeline", baseline="none")).get_data(as_text=True)
    assert {r["baseline_finish"] for r in gantt_data(html)["rows"]} == {None}
    assert person.id


def test_the_today_line_is_drawn_when_today_is_inside_the_plan(db, client, login_as, project):
    login_as(Role.MANAGER)
    today = dt.date.today()
    stage = stages_of(db, project)[0]
    add_task(
        db, project, stage, "1.1", today - dt.timedelta(days=10), today + dt.timedelta(days=10)
    )
    db.session.commit()
    html = client.get(url(project, "timeline")).get_data(as_text=True)
    assert gantt_data(html)["today"]["day"] == today.isoformat()
    assert gantt_data(html)["today"]["text"].startswith("Status date ")


def _big_plan(db, project, tasks: int) -> None:
    stages = stages_of(db, project)
    people = [PersonFactory() for _ in range(3)]
    previous = None
    for n in range(tasks):
        stage = stages[n % len(stages)]
        start = dt.date(2010, 1, 1) + dt.timedelta(days=n % 300)
        task = add_task(
            db,
            project,
            stage,
            f"{stage.number}.{tasks}-{n}",
            start,
            start + dt.timedelta(days=5),
            position=n,
            work_stream_id=project.work_streams[n % 2].id,
            progress=list(Progress)[n % len(Progress)],
        )
        task.responsible = [people[n % 3]]
        if previous is not None and n % 3:
            link(db, project, previous, task, lag=n % 2)
        previous = task
    for stage in stages:
        milestone = add_milestone(
            db, project, stage, f"Stage {stage.number} complete", stage.end_date
        )
        link(db, project, previous, milestone)
    db.session.add(
        PlanBaseline(
            project_id=project.id,
            name=f"Baseline {tasks}",
            taken_on=dt.date(2010, 2, 26),
            items=[
                {
                    "kind": "task",
                    "id": 1,
                    "code": "1.0",
                    "name": "x",
                    "start": None,
                    "finish": "2010-01-05",
                }
            ],
        )
    )
    db.session.commit()


@pytest.mark.parametrize("page", ["timeline", "forecast", "dependencies", "baselines"])
def test_pages_run_a_fixed_number_of_queries_whatever_the_plan_size(
    db, client, login_as, project, count_queries, page
):
    login_as(Role.MANAGER)
    _big_plan(db, project, 10)
    with count_queries as small:
        assert client.get(url(project, page)).status_code == 200
    _big_plan(db, project, 300)
    with count_queries as large:
        response = client.get(url(project, page))
    assert response.status_code == 200
    assert large.count == small.count, (small.count, large.count)


def test_the_baseline_comparison_runs_a_fixed_number_of_queries(
    db, client, login_as, project, count_queries
):
    login_as(Role.MANAGER)
    _big_plan(db, project, 10)
    baseline_id = db.session.execute(db.select(PlanBaseline.id)).scalar_one()
    with count_queries as small:
        assert client.get(url(project, f"baselines/{baseline_id}")).status_code == 200
    _big_plan(db, project, 300)
    with count_queries as large:
        assert client.get(url(project, f"baselines/{baseline_id}")).status_code == 200
    assert large.count == small.count


# Dependencies -----------------------------------------------------------------------------


def _dependency_count(db) -> int:
    return db.session.execute(db.select(db.func.count(TaskDependency.id))).scalar_one()


def test_a_planner_adds_and_removes_a_dependency(db, client, login_as, project, small_plan):
    login_as(Role.SUPPORT)
    third = db.session.execute(db.select(Task).filter_by(code="2.1")).scalar_one()
    second = small_plan["second"]
    response = client.post(
        url(project, "dependencies/add"),
        data={"predecessor": f"t{second.id}", "successor": f"t{third.id}", "lag_days": "3"},
    )
    assert response.status_code == 302
    dep = db.session.execute(
        db.select(TaskDependency).filter_by(successor_task_id=third.id)
    ).scalar_one()
    assert dep.lag_days == 3
    page = client.get(url(project, "dependencies")).get_data(as_text=True)
    assert "2.1 Affordable Housing" in page and "+3 days" in page
    response = client.post(url(project, f"dependencies/{dep.id}/remove"))
    assert response.status_code == 302
    assert _dependency_count(db) == 2


def test_a_circular_dependency_is_refused_with_a_message(db, client, login_as, project, small_plan):
    login_as(Role.MANAGER)
    first, second = small_plan["first"], small_plan["second"]
    response = client.post(
        url(project, "dependencies/add"),
        data={"predecessor": f"t{second.id}", "successor": f"t{first.id}"},
    )
    assert response.status_code == 400
    assert "This would make a circular dependency (1.2 → 1.1 → 1.2)" in text_of(response)
    assert parse(response).select_one(".govuk-error-summary")
    assert _dependency_count(db) == 2


def test_a_planner_makes_a_task_wait_for_a_milestone(db, client, login_as, project, small_plan):
    """Stage 2's work waits for the stage 1 milestone: the milestone, pushed 9 days by 1.1's late
    finish, pushes 2.1 in turn, and the forecast page names the whole chain."""
    login_as(Role.MANAGER)
    third = db.session.execute(db.select(Task).filter_by(code="2.1")).scalar_one()
    milestone = small_plan["milestone"]
    page = client.get(url(project, "dependencies"))
    assert text_of(one(page, f'option[value="m{milestone.id}"]')).startswith("Milestone: Stage 1")
    response = client.post(
        url(project, "dependencies/add"),
        data={"predecessor": f"m{milestone.id}", "successor": f"t{third.id}", "lag_days": "30"},
    )
    assert response.status_code == 302
    dep = db.session.execute(
        db.select(TaskDependency).filter_by(predecessor_milestone_id=milestone.id)
    ).scalar_one()
    assert (dep.predecessor_id, dep.successor_task_id, dep.lag_days) == (None, third.id, 30)
    page = client.get(url(project, "dependencies")).get_data(as_text=True)
    assert "Milestone: Stage 1 - Organisational Preparation Complete" in page
    assert "2.1 Affordable Housing" in page and "+30 days" in page
    # The milestone is reached on 9 Mar (1.2 starts the day after 1.1's late finish); 2.1 may
    # start 31 days later, on 9 Apr rather than 1 Apr: it finishes 8 days late.
    headers = parse(client.get(url(project, "forecast"))).select('th[scope="row"]')
    row = next(text_of(th.parent) for th in headers if text_of(th).startswith("2.1"))
    assert "9 Apr 2010" in row and "8 May 2010" in row and "+8 days" in row
    assert "1.1 Getting Started Workshop → 1.2 Self Assessment → Stage 1" in row
    # The Gantt draws an arrow from the milestone's diamond to the task's bar, and the table
    # lists the milestone among the task's predecessors.
    timeline = client.get(url(project, "timeline")).get_data(as_text=True)
    data = gantt_data(timeline)
    assert (f"m{milestone.id}", f"t{third.id}") in data["links"]
    reached = next(r for r in data["rows"] if r["key"] == f"m{milestone.id}")["forecast_finish"]
    assert day(reached) == dt.date(2010, 3, 9)  # the arrow starts at the diamond
    assert "Milestone: Stage 1 - Organisational Preparation Complete +30d" in timeline
    # A circle through the milestone is refused, naming every link of it.
    first = small_plan["first"]
    response = client.post(
        url(project, "dependencies/add"),
        data={"predecessor": f"t{third.id}", "successor": f"t{first.id}"},
    )
    assert response.status_code == 400
    assert (
        "circular dependency (2.1 → 1.1 → 1.2 → Stage 1 - Organisational Preparation Complete"
        " → 2.1)" in response.get_data(as_text=True)
    )
    assert _dependency_count(db) == 3


def test_a_milestone_can_wait_for_a_milestone(db, client, login_as, project, small_plan):
    login_as(Role.SUPPORT)
    stage2 = stages_of(db, project)[1]
    later = add_milestone(db, project, stage2, "Stage 2 review", dt.date(2010, 3, 1))
    db.session.commit()
    response = client.post(
        url(project, "dependencies/add"),
        data={"predecessor": f"m{small_plan['milestone'].id}", "successor": f"m{later.id}"},
    )
    assert response.status_code == 302
    forecast = client.get(url(project, "forecast")).get_data(as_text=True)
    pushed = forecast[forecast.index("Milestones pushed back") : forecast.index("Tasks forecast")]
    # Reached the day the stage 1 milestone is (9 Mar), 8 days after its scheduled 1 Mar.
    assert "Stage 2 review" in pushed and "+8 days" in pushed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"predecessor": "", "successor": ""},
            "Select the task or milestone that must finish first",
        ),
        ({"predecessor": "tFIRST", "successor": "tFIRST"}, "cannot wait for itself"),
        ({"predecessor": "tFIRST", "successor": "tSECOND"}, "already in the plan"),
        ({"predecessor": "tFIRST", "successor": "tSECOND", "lag_days": "two"}, "whole number"),
        ({"predecessor": "FIRST", "successor": "tSECOND"}, "Select the task or milestone that"),
        ({"predecessor": "m999999", "successor": "tSECOND"}, "Select the task or milestone that"),
    ],
)
def test_dependency_form_errors(db, client, login_as, project, small_plan, data, message):
    login_as(Role.MANAGER)
    ids = {"FIRST": str(small_plan["first"].id), "SECOND": str(small_plan["second"].id)}
    data = {k: re.sub("FIRST|SECOND", lambda m: ids[m[0]], v) for k, v in data.items()}
    response = client.post(url(project, "dependencies/add"), data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _dependency_count(db) == 2


def test_readers_see_dependencies_but_cannot_change_them(db, client, login_as, project, small_plan):
    login_as(Role.WS_LEAD)
    html = client.get(url(project, "dependencies")).get_data(as_text=True)
    assert "Add a dependency" not in html and "Remove" not in html
    dep_id = db.session.execute(db.select(TaskDependency.id).limit(1)).scalar_one()
    assert client.post(url(project, f"dependencies/{dep_id}/remove")).status_code == 403
    assert _dependency_count(db) == 2


def test_a_dependency_of_another_project_cannot_be_removed(
    db, client, login_as, project, small_plan
):
    from tests.factories import make_project

    other = make_project()
    stage = stages_of(db, other)[0]
    a = add_task(db, other, stage, "1.1", dt.date(2010, 1, 1), dt.date(2010, 1, 2))
    b = add_task(db, other, stage, "1.2", dt.date(2010, 1, 3), dt.date(2010, 1, 4))
    dep = link(db, other, a, b)
    db.session.commit()
    login_as(Role.MANAGER)
    assert client.post(url(project, f"dependencies/{dep.id}/remove")).status_code == 404


# Baselines --------------------------------------------------------------------------------


def test_baselines_are_saved_with_a_required_unique_name_and_compared(
    db, client, login_as, project, small_plan
):
    login_as(Role.MANAGER)
    response = client.post(url(project, "baselines/new"), data={"name": "  "})
    assert response.status_code == 400
    assert "Enter a name for the baseline" in response.get_data(as_text=True)
    assert (
        client.post(url(project, "baselines/new"), data={"name": "V1.2 26 Feb 2010"}).status_code
        == 302
    )
    response = client.post(url(project, "baselines/new"), data={"name": "v1.2 26 feb 2010"})
    assert response.status_code == 400
    assert "There is already a baseline called" in response.get_data(as_text=True)
    baseline = db.session.execute(db.select(PlanBaseline)).scalar_one()
    assert baseline.name == "V1.2 26 Feb 2010"
    assert {item["kind"] for item in baseline.items} == {"stage", "task", "milestone"}

    task = db.session.get(Task, small_plan["second"].id)
    task.target_finish = dt.date(2010, 3, 14)
    db.session.commit()
    html = client.get(url(project, f"baselines/{baseline.id}")).get_data(as_text=True)
    assert "1.2 Self Assessment" in html
    assert "+14 days" in html
    listing = client.get(url(project, "baselines")).get_data(as_text=True)
    assert "V1.2 26 Feb 2010" in listing


def test_a_baseline_becomes_the_milestones_baseline_only_when_the_manager_says_so(
    db, client, login_as, project, small_plan
):
    milestone = db.session.get(Milestone, small_plan["milestone"].id)
    milestone.baseline_finish = dt.date(2010, 2, 1)
    db.session.commit()
    login_as(Role.MANAGER)
    form = client.get(url(project, "baselines")).get_data(as_text=True)
    assert "Also make each milestone&#39;s scheduled finish its baseline finish" in form

    assert client.post(url(project, "baselines/new"), data={"name": "V1"}).status_code == 302
    db.session.refresh(milestone)
    assert milestone.baseline_finish == dt.date(2010, 2, 1)  # kept: the box was not ticked
    assert "+27 days" in client.get(url(project, "milestones")).get_data(as_text=True)

    response = client.post(
        url(project, "baselines/new"), data={"name": "V2", "milestone_baselines": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(milestone)
    assert milestone.baseline_finish == milestone.scheduled_finish == dt.date(2010, 2, 28)
    html = client.get(url(project, "milestones")).get_data(as_text=True)
    assert "+27 days" not in html and "0 days" in html


def test_a_baseline_cannot_be_saved_by_readers_and_has_no_edit_routes(
    app, client, login_as, project
):
    login_as(Role.ASSURANCE)
    assert client.post(url(project, "baselines/new"), data={"name": "X"}).status_code == 403
    baseline_rules = [r for r in app.url_map.iter_rules() if "baseline" in r.endpoint]
    assert {r.endpoint for r in baseline_rules} == {
        "plan.baselines",
        "plan.baseline_save",
        "plan.baseline_compare",
    }
    assert all("DELETE" not in r.methods and "PUT" not in r.methods for r in baseline_rules)


def test_an_unknown_baseline_is_not_found(client, login_as, project):
    login_as(Role.MANAGER)
    assert client.get(url(project, "baselines/12345")).status_code == 404


# Export and import through the pages ------------------------------------------------------


def test_the_plan_downloads_as_csv_and_excel(client, login_as, project, small_plan):
    login_as(Role.LEAD_MEMBER)
    response = client.get(url(project, "export", format="csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    assert text.startswith("ID,Name,Start,Finish,Predecessors,Resource Names")
    response = client.get(url(project, "export", format="xlsx"))
    assert response.data.startswith(b"PK")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]][:6] == [
        "ID",
        "Name",
        "Start",
        "Finish",
        "Predecessors",
        "Resource Names",
    ]
    assert client.get(url(project, "export", format="pdf")).status_code == 404


def _upload(client, project, content: bytes, filename: str):
    return client.post(
        url(project, "import"),
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_importing_a_good_file_updates_the_plan(db, client, login_as, project):
    login_as(Role.MANAGER)
    content = (
        b"ID,Name,Start,Finish,Predecessors,Resource Names,WBS\n"
        b"1,Getting Started Workshop,01/12/2009,31/01/2010,,,1.1\n"
        b"2,Self Assessment,01/02/2010,31/03/2010,1FS+2 days,,1.2\n"
    )
    response = _upload(client, project, content, "plan.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    tasks = db.session.execute(db.select(Task).order_by(Task.code)).scalars().all()
    assert [t.code for t in tasks] == ["1.1", "1.2"]
    assert _dependency_count(db) == 1


def test_importing_a_broken_file_lists_problems_row_by_row_and_saves_nothing(
    db, client, login_as, project
):
    login_as(Role.SUPPORT)
    content = (
        b"ID,Name,Start,Finish,Predecessors,Resource Names\n"
        b"1,Good task,01/12/2009,31/01/2010,,\n"
        b"2,Bad dates,31/02/2010,not a date,1,\n"
        b"3,Backwards,01/03/2010,01/02/2010,9,ZZ\n"
    )
    response = _upload(client, project, content, "plan.csv")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "nothing was imported" in html
    assert "Problems in the file, row by row" in html
    assert "Start “31/02/2010” is not a date" in html
    assert "Finish is before Start" in html
    assert "Predecessors: there is no row with ID 9" in html
    assert "no one in the project has the initials or name ZZ" in html
    assert db.session.execute(db.select(db.func.count(Task.id))).scalar_one() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04not really a workbook", "not an Excel workbook"),
        ("ID,Name\n1,Caf\u00e9\n".encode("latin-1"), "saved as UTF-8"),
        (b"", "The selected file is empty"),
        (b"Name,Start\nx,2010-01-01\n", "no ID column"),
    ],
)
def test_files_of_the_wrong_kind_are_refused(db, client, login_as, project, content, message):
    login_as(Role.MANAGER)
    response = _upload(client, project, content, "plan.xlsx")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_file_must_be_chosen(client, login_as, project):
    login_as(Role.MANAGER)
    response = client.post(url(project, "import"), data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Select a file to import" in response.get_data(as_text=True)


def test_a_file_that_is_too_big_is_refused(client, login_as, project, monkeypatch):
    from tracker.plan import table_files

    monkeypatch.setattr(table_files, "MAX_IMPORT_BYTES", 100)
    login_as(Role.MANAGER)
    response = _upload(client, project, b"ID,Name\n" + b"1,x\n" * 100, "plan.csv")
    assert response.status_code == 400
    assert "The file must be smaller than" in response.get_data(as_text=True)


def test_only_planners_may_import(client, login_as, project):
    login_as(Role.SPONSOR)
    assert client.get(url(project, "import")).status_code == 403


def test_the_seeded_plan_draws_with_its_baseline(db, client, seeded):
    from tests.factories import member

    person = PersonFactory()
    member(person, seeded, Role.ASSURANCE)
    db.session.commit()
    sign_in(client, person)
    html = client.get(f"/projects/{seeded.slug}/plan/timeline").get_data(as_text=True)
    assert "The plan as a table: 25 tasks and 5 milestones, compared with baseline" in html
    assert "1.1 Getting Started Workshop" in html
    # Task 3.2's seven people may wrap after each slash, so the table keeps to the page.
    cell = next(td for td in parse(html).select("td") if td.get_text().startswith("SH/PK/PH/"))
    assert [part.name or str(part) for part in cell.contents[:6]] == [
        "SH/",
        "wbr",
        "PK/",
        "wbr",
        "PH/",
        "wbr",
    ]
