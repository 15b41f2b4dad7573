"""Pages of a long list (issue 15): what a person cannot read at once is shown a page at a time.

`Page` says which slice of a list of `total` items page `number` holds; `page_url` makes the
link to another page of the same view, keeping every other argument (filters) as it is.
templates/macros/pagination.html draws the GOV.UK pagination component from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask import request, url_for

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    size: int
    total: int

    @property
    def count(self) -> int:
        """How many pages there are (at least one, even for an empty list)."""
        return max((self.total + self.size - 1) // self.size, 1)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first item; 0 for an empty list."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    def of(self, items: Sequence[T]) -> Sequence[T]:
        return items[self.offset : self.offset + self.size]

    def numbers(self) -> list[int | None]:
        """The page numbers to link: the first, the last, and those next to this one, with None
        where numbers are left out (the component's ellipsis)."""
        shown = sorted({1, self.count, self.number - 1, self.number, self.number + 1})
        result: list[int | None] = []
        for number in (n for n in shown if 1 <= n <= self.count):
            if result and number - (result[-1] or 0) > 1:
                result.append(None)
            result.append(number)
        return result


def page_of(total: int, size: int, param: str = "page") -> Page:
    """The page the request asks for in `param`, kept within 1 .. the last page."""
    requested = request.args.get(param, 1, type=int) or 1
    page = Page(1, size, total)
    return Page(min(max(requested, 1), page.count), size, total)


def page_url(param: str = "page", anchor: str | None = None) -> Callable[[int], str]:
    """A function from a page number to the address of that page of the current view (at
    `anchor`, the id of the list, when given), keeping the query's other arguments (filters).

    Query arguments named like `url_for`'s own (`_external`, `_anchor`, `_scheme`…) or like the
    view's (`slug`) are left out: carried into `url_for`, `?slug=other` would link the pages to
    another project and `?_external=1` would make them absolute."""
    view_args = request.view_args or {}
    args = {
        name: value
        for name, value in request.args.items()
        if not name.startswith("_") and name not in view_args and name != param
    }
    args |= view_args
    if anchor:
        args["_anchor"] = anchor

    def url(number: int) -> str:
        return url_for(request.endpoint or "", **(args | {param: number}))

    return url
