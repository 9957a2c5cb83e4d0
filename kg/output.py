"""Rows to text: ``--format table|json|csv``, shared by every command that prints rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

FORMATS = ("table", "json", "csv")
MAX_CELL = 70  # table cells are cut here; json and csv always carry the full text


def render(rows: list[dict], columns: Iterable[str], fmt: str = "table", vertical: bool = False, cut: bool = True) -> str:
    """Format rows; ``vertical`` prints one ``key: value`` block per row (for long quotes);
    ``cut=False`` keeps table cells whole (paths and claims that must be read in full)."""
    columns = list(columns)
    if fmt == "json":
        return json.dumps([{c: row.get(c) for c in columns} for row in rows], ensure_ascii=False, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    if vertical:
        return _vertical(rows, columns)
    return _table(rows, columns, MAX_CELL if cut else 10_000)


def _cell(value: object, limit: int = MAX_CELL) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(rows: list[dict], columns: list[str], limit: int) -> str:
    cells = [[_cell(row.get(c), limit) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=False)).rstrip()  # noqa: E731
    return "\n".join([line(columns), line("-" * w for w in widths)] + [line(r) for r in cells])


def _vertical(rows: list[dict], columns: list[str]) -> str:
    width = max(len(c) for c in columns)
    blocks = []
    for number, row in enumerate(rows, 1):
        lines = [f"-- {number} " + "-" * 40]
        lines += [f"{c.rjust(width)}: {_cell(row.get(c), 10_000)}" for c in columns if row.get(c) not in (None, "")]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)
