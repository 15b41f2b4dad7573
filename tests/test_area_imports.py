"""Which areas of tracker/ import which: `projects` is the kernel and imports no other area, and
no two areas import each other.

An area is a package under tracker/ (plan, risks, projects, ...). Every import counts, at the
top of a module or inside a function, except those under `if TYPE_CHECKING:`, which never run:
they only let a type checker name a class that SQLAlchemy already finds by its name.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
AREAS = frozenset(p.parent.name for p in TRACKER.glob("*/__init__.py"))

# The areas `projects` may import: `auth` holds the people that memberships name.
KERNEL_MAY_IMPORT = frozenset({"auth"})

# Pairs that still import each other, and why.
KNOWN_PAIRS = {
    # auth's user pages (tracker/auth/views.py) give people their roles in projects and show the
    # site's audit trail, while a membership (projects) names a person (auth): people and their
    # roles are together the kernel, below every other area.
    ("auth", "projects"),
    # Prepared downloads (tracker/prepared) build the assessor's pack (evidence) and a report's
    # PDF (reports) in the worker, and those two areas' download routes hand their work to it
    # when REDIS_URL is set. Debt: the routes could ask through a registry, as home parts do.
    ("evidence", "prepared"),
    ("prepared", "reports"),
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_modules(tree: ast.AST) -> list[str]:
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "tracker":  # from tracker import plan
                found.extend(f"tracker.{alias.name}" for alias in node.names)
            else:
                found.append(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def area_imports() -> dict[str, dict[str, set[str]]]:
    """For each area, the other areas it imports and the modules that import them."""
    imports: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(TRACKER.rglob("*.py")):
        parts = path.relative_to(TRACKER).parts
        if len(parts) < 2:
            continue  # tracker/*.py: the shared modules, not an area
        area = parts[0]
        for module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            names = module.split(".")
            if names[0] == "tracker" and len(names) > 1 and names[1] in AREAS - {area}:
                imports[area][names[1]].add(str(path.relative_to(TRACKER.parent)))
    return imports


def mutual_pairs() -> set[tuple[str, str]]:
    imports = area_imports()
    return {(a, b) for a in imports for b in imports[a] if a < b and a in imports.get(b, {})}


def test_the_kernel_imports_no_other_area() -> None:
    imported = area_imports()["projects"]
    assert set(imported) <= KERNEL_MAY_IMPORT, {
        area: sorted(modules) for area, modules in imported.items()
    }


def test_no_two_areas_import_each_other() -> None:
    pairs = mutual_pairs()
    print(f"{len(pairs - KNOWN_PAIRS)} pairs of areas import each other, besides {KNOWN_PAIRS}")
    assert pairs - KNOWN_PAIRS == set()
    assert pairs >= KNOWN_PAIRS, "a known pair no longer imports each other: take it off the list"
