"""Print the shape of the code: the largest files and the functions over 80 lines.

Issue 12 set the bar: no file in ``tracker/`` over 600 lines and no function over
80 lines unless it is a flat table of data. This script prints the figures so the
bar can be checked by anyone (``make shape``); it does not fail on them, because a
flat table of data may be long by design.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE_LIMIT = 600
FUNCTION_LIMIT = 80


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _long_functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > FUNCTION_LIMIT:
                found.append((f"{node.name} (line {node.lineno})", length))
    return found


def main(folders: list[str]) -> None:
    """Print file and function figures for each folder given (default: tracker)."""
    for name in folders or ["tracker"]:
        files = _python_files(ROOT / name)
        sizes = sorted(
            ((len(p.read_text(encoding="utf-8").splitlines()), p) for p in files),
            reverse=True,
        )
        print(f"== {name}/: {len(files)} Python files")
        print("largest files:")
        for lines, path in sizes[:5]:
            print(f"  {lines:5d}  {path.relative_to(ROOT)}")
        over = [(n, p) for n, p in sizes if n > FILE_LIMIT]
        print(f"files over {FILE_LIMIT} lines: {len(over)}")
        long_ones = [
            (length, f"{path.relative_to(ROOT)}: {label}")
            for path in files
            for label, length in _long_functions(path)
        ]
        print(f"functions over {FUNCTION_LIMIT} lines: {len(long_ones)}")
        for length, label in sorted(long_ones, reverse=True):
            print(f"  {length:5d}  {label}")


if __name__ == "__main__":
    main(sys.argv[1:])
