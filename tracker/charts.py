"""The one way a chart leaves the server: `figure_json`, which every page with a chart uses.

Plotly draws a subset of HTML in every piece of text it shows (trace names, hover and bar
text, tick labels and category names, titles, annotations, templates): `<a href>` becomes a
live link, `<b>` and `<span style>` style the text. So a milestone named
`<a href="https://evil.example">Sign in again</a>` would put a link on the dashboard.

`figure_json` therefore escapes every string of the finished figure (`&`, `<`, `>` and quotes
become entities, which Plotly shows as the characters they stand for), except the strings
the chart modules mark as their own markup with `markupsafe.Markup`. Such markup is built with
`Markup(...).format(...)` or `Markup("<br>").join(...)`, which escape whatever they insert,
so a user's text is escaped exactly once wherever it goes. Escaping everything but declared
markup, rather than a list of text attributes, means a new kind of label cannot be missed.

In the template attributes (`hovertemplate`, `texttemplate`), plain text also has its `%{`
neutralised, so that text cannot name another field of the trace.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup, escape

__all__ = ["HOVER_TEXT", "data_json", "escape_figure", "figure_json"]

# A trace's hover shows its `hovertext` as it is, without the trace name beside it.
HOVER_TEXT = Markup("%{hovertext}<extra></extra>")


def _escape_text(value: str, *, template: bool) -> str:
    if isinstance(value, Markup):
        return str(value)
    escaped = str(escape(value))
    return escaped.replace("%{", "%&#123;") if template else escaped


def escape_figure(node: Any, *, template: bool = False) -> Any:
    """A copy of a figure's dict (or any part of it) with every string escaped for Plotly,
    but for `Markup`, which the chart modules vouch for."""
    if isinstance(node, str):
        return _escape_text(node, template=template)
    if isinstance(node, dict):
        return {
            key: escape_figure(value, template=template or key.endswith("template"))
            for key, value in node.items()
        }
    if isinstance(node, list | tuple):
        return [escape_figure(value, template=template) for value in node]
    return node


@cache
def _escaped_template(name: str) -> dict[str, Any]:
    """Plotly's template of that name as figure_json sends it. It is the same for every chart
    and holds no one's text, and it is most of a small chart's JSON (thousands of values), so
    it is copied and escaped once per process instead of in every request. Read only."""
    return escape_figure(pio.templates[name].to_plotly_json())


def _figure_dict(figure: go.Figure) -> dict[str, Any]:
    """The figure's dict, escaped, with the default template (`pio.templates.default`) added
    from the cache unless the figure has a template of its own (escaped like the rest).
    `figure.to_plotly_json()` would give the same, but would copy the template every time."""
    safe = escape_figure(
        {
            "data": [trace.to_plotly_json() for trace in figure.data],
            "layout": figure.layout.to_plotly_json(),
        }
    )
    default = pio.templates.default
    if "template" not in safe["layout"] and isinstance(default, str):
        safe["layout"]["template"] = _escaped_template(default)
    return safe


def figure_json(figure: go.Figure) -> str:
    """The figure, every user's text escaped, as JSON that is safe inside a
    `<script type="application/json">` element."""
    safe = _figure_dict(figure)
    return _script_safe(pio.to_json(safe, validate=False))


def data_json(data: Any) -> str:
    """Plain data (dicts, lists, strings, numbers) as compact JSON that is safe inside a
    `<script type="application/json">` element. Its strings are not escaped for Plotly: the
    script that draws from them escapes whatever it hands to Plotly (static/js/gantt.js)."""
    return _script_safe(json.dumps(data, separators=(",", ":"), ensure_ascii=False))


def _script_safe(text: str) -> str:
    # Neither `</script>` nor `<!--` can end or change the element; `&` for good measure.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
