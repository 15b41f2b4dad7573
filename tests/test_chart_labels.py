"""No user's text is drawn as markup in a chart.

Plotly draws a subset of HTML in chart text: a milestone named `<a href=...>` became a live link
on the dashboard. Every free-text column of the seeded project (tests/hostile.py) is given
markup, then every page a project manager can open is read, and every figure on it is checked:
the markup is there only as escaped text. The test finds the chart builders itself (each
function of the tracker that returns a `go.Figure`) and fails when one is not drawn by any page,
so that a new chart cannot escape it.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import pkgutil
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from markupsafe import Markup
from sqlalchemy.orm.attributes import flag_modified

import tracker
from tests.factories import PersonFactory, member
from tests.helpers import sign_in
from tests.hostile import make_hostile
from tests.html import parse
from tests.pages import manager_pages, seeded_records
from tracker.charts import escape_figure
from tracker.extensions import db
from tracker.projects.models import Role
from tracker.reports.models import HighlightReport

LINK = '<a href="https://evil.example/login">Session expired - sign in again</a>'
STYLED = '<span style="color:red">styled</span>'
# The bold part first, so that it survives in a column as short as a person's initials.
HOSTILE = f"<b>B</b>{LINK}{STYLED}<i>i</i>"
# Markup that must never reach a figure from the data.
RAW = ("<a", "<span", "<b>B", "<i>", 'evil.example/login"', "&amp;lt;")  # the last: escaped twice
ESCAPED = ("&lt;b&gt;B&lt;/b&gt;", "&lt;a href=&#34;https://evil.example/login&#34;&gt;")
TRACKER = Path(tracker.__file__).parent


def chart_builders() -> dict[str, Callable]:
    """Every function in the tracker package that returns a Plotly figure, by dotted name."""
    found = {}
    for info in pkgutil.walk_packages(tracker.__path__, "tracker."):
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == info.name and function.__annotations__.get("return") in (
                "go.Figure",
                "Figure",
                "plotly.graph_objects.Figure",
            ):
                found[f"{info.name}.{name}"] = function
    drawing = {
        "tracker." + ".".join(path.relative_to(TRACKER).with_suffix("").parts)
        for path in TRACKER.rglob("*.py")
        if "plotly.graph_objects" in path.read_text(encoding="utf-8")
    } - {"tracker.charts"}
    unseen = drawing - {name.rsplit(".", 1)[0] for name in found}
    assert not unseen, (
        f"these draw with Plotly but no function says it returns a go.Figure: {unseen}"
    )
    return found


def _spy_on(monkeypatch: pytest.MonkeyPatch, builders: dict[str, Callable]) -> set[str]:
    """Replace each builder wherever the tracker holds it; returns the names of those called."""
    called: set[str] = set()
    by_function = {function: name for name, function in builders.items()}
    for module in [m for n, m in sys.modules.items() if n.startswith("tracker")]:
        for attribute, value in list(vars(module).items()):
            if inspect.isfunction(value) and value in by_function:

                @functools.wraps(value)
                def spy(*args, _name=by_function[value], _real=value, **kwargs):  # noqa: ANN002, ANN003, ANN202
                    called.add(_name)
                    return _real(*args, **kwargs)

                monkeypatch.setattr(module, attribute, spy)
    return called


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _figures(html: str) -> list[dict]:
    blocks = parse(html).select('script[type="application/json"]')
    figures = [json.loads(block.string or "") for block in blocks]
    return [f for f in figures if isinstance(f, dict) and "data" in f and "layout" in f]


def test_every_chart_shows_markup_from_the_data_as_text(app, client, seeded, monkeypatch):
    manager = PersonFactory()
    member(manager, seeded, Role.MANAGER)
    values, particular = seeded_records(seeded, manager)
    db.session.commit()
    make_hostile(lambda label, n: f"{HOSTILE} {label}", variants=1)
    for report in db.session.execute(db.select(HighlightReport)).scalars():
        for stage in (report.snapshot or {}).get("stages", []):
            stage["name"] = HOSTILE
        flag_modified(report, "snapshot")
    db.session.commit()
    builders = chart_builders()
    assert builders, "no chart builder found: has the way charts are made changed?"
    called = _spy_on(monkeypatch, builders)
    sign_in(client, manager)

    problems, escaped_on = [], []
    for url in manager_pages(app, values, particular):
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        for number, figure in enumerate(_figures(response.get_data(as_text=True)), start=1):
            texts = list(_strings(figure))
            problems += [
                f"{url} chart {number}: {text[:160]!r}"
                for text in texts
                if any(raw in text for raw in RAW)
            ]
            if any(all(e in t for e in ESCAPED) for t in texts):
                escaped_on.append(url)

    assert not problems, "markup from the data reached a chart:\n" + "\n".join(problems)
    assert escaped_on, "no chart showed the hostile text at all: the test proves nothing"
    missing = sorted(set(builders) - called)
    assert not missing, f"chart builders no page drew (add a page that shows them): {missing}"


def test_every_figure_leaves_through_the_one_escaping_serialiser():
    """Only tracker/charts.py turns a figure into JSON, and no chart module vouches for text it
    has put together itself (Markup of an f-string would not escape what it holds)."""
    offenders = []
    for path in sorted(TRACKER.rglob("*.py")):
        if path == TRACKER / "charts.py":
            continue
        source = path.read_text(encoding="utf-8")
        for pattern in (r"\.to_json\(", r"to_plotly_json", r"pio\.", r"Markup\(f[\"']"):
            if re.search(pattern, source):
                offenders.append(f"{path.relative_to(TRACKER.parent)}: {pattern}")
    assert not offenders, "\n".join(offenders)


def test_the_escaper_keeps_the_charts_own_markup_and_escapes_the_rest_once():
    figure = {
        "data": [
            {
                "name": Markup("Spent<br>(grey bars)"),
                "hovertext": [Markup("<b>{}</b>").format("<i>x</i>"), "a & <b>b</b>"],
                "hovertemplate": "%{y} from the data",
                "x": [1, 2],
            }
        ],
        "layout": {"yaxis": {"ticktext": ['it\'s "<u>"']}},
    }
    assert escape_figure(figure) == {
        "data": [
            {
                "name": "Spent<br>(grey bars)",
                "hovertext": ["<b>&lt;i&gt;x&lt;/i&gt;</b>", "a &amp; &lt;b&gt;b&lt;/b&gt;"],
                # text in a template cannot name a field of the trace
                "hovertemplate": "%&#123;y} from the data",
                "x": [1, 2],
            }
        ],
        "layout": {"yaxis": {"ticktext": ["it&#39;s &#34;&lt;u&gt;&#34;"]}},
    }
