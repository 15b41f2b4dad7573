"""Checks across the rows of an imported plan: repeated IDs, codes and milestone names, and
predecessors that are unknown, a stage summary, the row itself, or part of a circle."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.plan.import_result import ImportResult, ParsedRow, RowError
from tracker.plan.schedule import CycleError, Link, topological_order


def check_identities(rows: Sequence[ParsedRow], result: ImportResult) -> None:
    first_by_id: dict[str, ParsedRow] = {}
    first_by_code: dict[str, ParsedRow] = {}
    first_by_name: dict[str, ParsedRow] = {}
    for row in rows:
        if row.ident:
            if row.ident in first_by_id:
                other = first_by_id[row.ident].row
                result.errors.append(
                    RowError(row.row, row.ident, f"ID is also used on row {other}")
                )
            else:
                first_by_id[row.ident] = row
        if row.summary:
            continue
        if row.milestone:
            key = row.name.lower()
            if key in first_by_name:
                other = first_by_name[key].row
                result.errors.append(
                    RowError(row.row, row.ident, f"a milestone of this name is also on row {other}")
                )
            else:
                first_by_name[key] = row
        elif row.code:
            if row.code in first_by_code:
                other = first_by_code[row.code].row
                result.errors.append(
                    RowError(row.row, row.ident, f"WBS {row.code} is also used on row {other}")
                )
            else:
                first_by_code[row.code] = row


def check_predecessors(rows: Sequence[ParsedRow], result: ImportResult) -> None:
    """Unknown IDs, links from stage summaries, and circles (through tasks or milestones)."""
    by_ident = {row.ident: row for row in rows if row.ident}
    links: list[Link] = []
    for row in rows:
        for ident, lag in row.predecessors:
            pred = by_ident.get(ident)
            if pred is None:
                result.errors.append(
                    RowError(row.row, row.ident, f"Predecessors: there is no row with ID {ident}")
                )
            elif pred.summary:
                result.errors.append(
                    RowError(row.row, row.ident, f"Predecessors: ID {ident} is a stage summary row")
                )
            elif pred is row:
                result.errors.append(
                    RowError(
                        row.row,
                        row.ident,
                        "Predecessors: a "
                        + ("milestone" if row.milestone else "task")
                        + " cannot wait for itself",
                    )
                )
            else:
                links.append(Link(("row", pred.row), ("row", row.row), lag))

    # Only the file's links can close a circle: the file's Predecessors replace the links into
    # every item it lists, so a link kept from the plan ends at an item outside the file and can
    # never lead back into it.
    try:
        topological_order([], links)
    except CycleError as cycle:
        names = {("row", row.row): row.ident for row in rows}
        words = " → ".join(names.get(node, str(node)) for node in cycle.cycle)
        for node in dict.fromkeys(cycle.cycle):
            if node in names:
                result.errors.append(
                    RowError(node[1], names[node], f"circular dependency: {words}")
                )
