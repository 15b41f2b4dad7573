"""Reading pages as HTML in the tests, through BeautifulSoup (as GOV.UK Notify's tests do).

Assert on the element that carries a meaning (the h1, a field's error message, a table's rows, a
link's href) rather than on a regular expression over the markup, which breaks when attributes
move and passes when the same words appear somewhere else.

    soup = parse(response)                     # the whole page, for select_one / select
    text_of(response)                          # its text, tags removed and spaces collapsed
    h1(response)                               # "Risk log"
    error_summary(response)                    # ["Enter a description", ...]
    field_error(response, "amount")            # "Enter an amount" (without "Error:")
    table_rows(response)                       # [["01", "Key staff leave", ...], ...]
    link_href(response, "Change requests")     # "/projects/p/changes"
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag


def parse(response: object) -> BeautifulSoup:
    """The response (or an HTML string) parsed with Python's own parser."""
    html = response if isinstance(response, str | bytes) else response.get_data(as_text=True)
    return BeautifulSoup(html, "html.parser")


def _soup(source: object) -> BeautifulSoup | Tag:
    return source if isinstance(source, Tag) else parse(source)


def squash(text: str) -> str:
    """Spaces, tabs and line breaks collapsed to single spaces, ends trimmed."""
    return re.sub(r"\s+", " ", text).strip()


def text_of(source: object) -> str:
    """The text of a response, an HTML string or an element: tags removed, entities decoded and
    spaces collapsed, for reading sentences ("Risk 09 added to the risk log.")."""
    return squash(_soup(source).get_text(" "))


def one(source: object, selector: str) -> Tag:
    """The one element `selector` finds; fails the test when there is none."""
    found = _soup(source).select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def h1(source: object) -> str:
    return text_of(one(source, "h1"))


def error_summary(source: object) -> list[str]:
    """The messages listed in the GOV.UK error summary, in order (none when there is no summary)."""
    return [text_of(item) for item in _soup(source).select(".govuk-error-summary__list li")]


def error_summary_links(source: object) -> list[str]:
    """Where each message in the error summary points ("#amount"); "" for a form-level message."""
    found = []
    for item in _soup(source).select(".govuk-error-summary__list li"):
        link = item.select_one("a")
        found.append(link.get("href", "") if link else "")
    return found


def _without_prefix(message: Tag) -> str:
    text = text_of(message)
    return text.removeprefix("Error:").strip()


def field_error(source: object, field: str) -> str | None:
    """The error message beside the field named `field` (its id), without the hidden "Error:"."""
    message = _soup(source).select_one(f"#{field}-error")
    return None if message is None else _without_prefix(message)


def error_messages(source: object) -> list[str]:
    """Every error message shown beside a field, in page order, without "Error:"."""
    return [_without_prefix(m) for m in _soup(source).select(".govuk-error-message")]


def table_rows(source: object, selector: str = "table") -> list[list[str]]:
    """The body rows of the table `selector` finds, each as the text of its cells (th and td)."""
    table = one(source, selector)
    body = table.select("tbody tr") or table.select("tr")[1:]
    return [[text_of(cell) for cell in row.find_all(["th", "td"])] for row in body]


def row_with(source: object, text: str) -> Tag:
    """The first table row whose text contains `text` (spaces collapsed); fails when none does."""
    for row in _soup(source).select("tr"):
        if text in text_of(row):
            return row
    raise AssertionError(f"no table row contains {text!r}")


def definitions(source: object, *, linked: bool = False) -> list[tuple[str, str]]:
    """Each term of the page's description lists (summary lists, key figures) with the text of
    the description after it, in page order; `linked` keeps only terms that are links."""
    pairs = []
    for term in _soup(source).select("dt"):
        description = term.find_next_sibling("dd")
        if description is not None and (not linked or term.select_one("a")):
            pairs.append((text_of(term), text_of(description)))
    return pairs


def link_href(source: object, text: str) -> str | None:
    """The href of the first link whose text is `text` (spaces collapsed), or None."""
    for link in _soup(source).select("a[href]"):
        if text_of(link) == text:
            return link["href"]
    return None


def hrefs(source: object, selector: str = "a[href]") -> list[str]:
    """Every href under the elements `selector` finds, in page order."""
    return [link["href"] for link in _soup(source).select(selector) if link.has_attr("href")]


def field_value(source: object, name: str) -> str | None:
    """What the form field named `name` holds: an input's value, a textarea's text or the value of
    a select's selected option (None when the field is not on the page)."""
    field = _soup(source).select_one(f'[name="{name}"]')
    if field is None:
        return None
    if field.name == "textarea":
        return field.get_text()
    if field.name == "select":
        chosen = field.select_one("option[selected]")
        return chosen.get("value") if chosen else None
    return field.get("value")


def selected_values(source: object, name: str) -> list[str]:
    """The values of the selected options of the select named `name`."""
    return [o.get("value") for o in _soup(source).select(f'select[name="{name}"] option[selected]')]
