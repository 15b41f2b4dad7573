"""Picking the elements a piece of evidence supports: checkboxes of the standard's elements,
found by a search on their code or title, without JavaScript.

The search is a button of the evidence form itself ("Search the standard"): the form is sent,
nothing is saved, and the page comes back with what was entered and the matching elements as
checkboxes beside the ones already chosen. With no search, every element is offered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any, NamedTuple

from wtforms.validators import StopValidation

from tracker.evidence.models import Criterion, Element
from tracker.forms import IdsField

_CODE = re.compile(r"\d+(\.\d*)*")  # an element's code, or its start: 1, 1.1, 1.1.1
PICK_ONE = "Select the elements of the standard this evidence supports"
NOT_OFFERED = "Select elements of the standard from the list"


def search_elements(elements: Sequence[Element], query: str) -> list[Element]:
    """The elements, in order, that a search for `query` finds: every element for an empty
    query; for a code or its start, the elements whose code it is or starts ("1.1" finds
    1.1.1 and 1.1.2, not 1.10.1); otherwise those whose title (or sub-criterion's title)
    holds every word of the query, in any case."""
    words = (query or "").casefold().split()
    if not words:
        return list(elements)
    if len(words) == 1 and _CODE.fullmatch(words[0]):
        code = words[0].rstrip(".")
        return [e for e in elements if e.code == code or e.code.startswith(f"{code}.")]
    return [e for e in elements if all(w in _title(e) for w in words)]


def _title(element: Element) -> str:
    """What a search by words looks in: the element's words and its sub-criterion's title."""
    return f"{element.subcriterion.title} {element.text}".casefold()


class CriterionGroup(NamedTuple):
    criterion: Criterion
    elements: list[Element]


def by_criterion(elements: Iterable[Element]) -> list[CriterionGroup]:
    """The elements (in the standard's order) under their criteria, for the checkboxes."""
    return [
        CriterionGroup(criterion, list(found))
        for criterion, found in groupby(elements, key=lambda e: e.subcriterion.criterion)
    ]


def offered(elements: Sequence[Element], query: str, chosen: Iterable[int]) -> list[Element]:
    """The checkboxes the form shows: the elements already chosen and those the search finds."""
    kept = set(chosen)
    found = {e.id for e in search_elements(elements, query)}
    return [e for e in elements if e.id in kept or e.id in found]


def picker_context(form: Any, elements: Sequence[Element]) -> dict[str, Any]:
    """What templates/evidence/_element_picker.html shows of the form's search."""
    query = (form.element_search.data or "").strip()
    return {
        "element_groups": by_criterion(offered(elements, query, form.elements.data or [])),
        "element_query": query,
        "elements_found": len(search_elements(elements, query)) if query else None,
    }


class ElementsField(IdsField):
    """Checkboxes of elements of the project's standard, by id (`choices`: every element, set
    by the view). Rendered by templates/evidence/_element_picker.html, grouped by criterion.
    An id of another standard's element or a made-up one (a stale or forged form) is refused
    beside the field, as is choosing none."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, choice_message=NOT_OFFERED, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if not self.data and not self.process_errors:
            raise StopValidation(PICK_ONE)
        super().pre_validate(form)
