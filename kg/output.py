"""Rows to text: ``--format table|json|csv``, shared by every command that prints rows.

Text from sources is untrusted, and each format guards its reader differently:

- **table** (a terminal): control characters and Unicode bidi controls are shown as
  ``\\uXXXX`` escapes (``visible``). Printed raw, ``ESC [`` sequences drive the terminal and
  a right-to-left override makes ``abc\\u202egpj.exe`` read "abcexe.jpg".
- **csv** (a spreadsheet): a cell that would start a formula gets a leading ``'``
  (``spreadsheet_cell``, OWASP's advice against CSV injection).
- **json** (a program): the exact text, nothing changed.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Protocol

FORMATS = ("table", "json", "csv")


class ProgressBar(Protocol):
    """What long work reports its progress to (click's progress bar does this)."""

    def update(self, n: int) -> None: ...


#: ``progress(label, total)`` starts a ``ProgressBar`` for ``total`` steps of long work.
Progress = Callable[[str, int], ProgressBar]

MAX_CELL = 70  # table cells are cut here; json and csv always carry the full text

#: Unicode's explicit bidi formatting characters: ALM, LRM, RLM, the embeddings and overrides
#: (LRE, RLE, PDF, LRO, RLO) and the isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: What a terminal must not receive raw: C0 and C1 controls, DEL, and the bidi controls.
HIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")

#: A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets
#: (tab and CR because some of them drop a leading one and read what follows).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A plain decimal number: a spreadsheet reads it as that number, never as a formula.
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def render(rows: list[dict], columns: Iterable[str], fmt: str = "table", vertical: bool = False, cut: bool = True) -> str:
    """Format rows; ``vertical`` prints one ``key: value`` block per row (for long quotes);
    ``cut=False`` keeps table cells whole (paths and claims that must be read in full)."""
    columns = list(columns)
    if fmt == "json":
        return json.dumps([{c: row.get(c) for c in columns} for row in rows], ensure_ascii=False, indent=2)
    if fmt == "csv":
        return csv_text(rows, columns).rstrip("\n")
    if vertical:
        return _vertical(rows, columns)
    return _table(rows, columns, MAX_CELL if cut else 10_000)


def csv_text(rows: list[dict], columns: list[str]) -> str:
    """CSV with a header, every cell made safe for spreadsheets (``spreadsheet_cell``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([spreadsheet_cell(row.get(c)) for c in columns] for row in rows)
    return buffer.getvalue()


def spreadsheet_cell(value: object) -> str:
    """The cell's text, with a ``'`` in front if a spreadsheet would run it as a formula.

    ``=1+2``, ``@SUM(A1)``, ``-2+3``, ``=cmd|' /C calc'!A0`` become ``'=1+2`` and so on: the
    OWASP advice, which spreadsheets show as text (some keep the ``'`` visible). A cell
    whose first non-blank character starts a formula is prefixed too, since an import
    that trims spaces would bring it to the front. Plain numbers are left alone: ``-1``
    (an opposition's sign) or ``-0.5`` cannot call anything, and prefixing them would
    turn every negative number into text that no longer sums.
    """
    text = text_of(value)
    if NUMBER.fullmatch(text):
        return text
    if text.startswith(FORMULA_START) or text.lstrip().startswith(FORMULA_START):
        return "'" + text
    return text


def visible(text: str) -> str:
    """``text`` with control and bidi characters written as ``\\uXXXX``, for a terminal."""
    return HIDDEN.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def text_of(value: object) -> str:
    """A value's text in a table or CSV cell: ``None`` empty, booleans as JSON writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cell(value: object, limit: int = MAX_CELL) -> str:
    text = visible(" ".join(text_of(value).split()))
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
