"""Rows with named columns: what every question of the Python API answers with.

A ``Table`` is a plain list of dicts (so ``for row in table`` and ``json.dumps(table)``
just work) that also knows its column order, renders itself as an HTML table in
Jupyter, and turns into a pandas DataFrame when pandas is installed (it is not a
dependency). Source text in cells is untrusted: the HTML form escapes every cell.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from kg.errors import KgError

#: Jupyter shows at most this many rows of a table inline; the rest is counted.
HTML_ROWS = 200


class Table(list):
    """A list of row dicts with a column order.

    Examples
    --------
    >>> table = Table([{"who": "turkey", "whom": "sna"}], ["who", "whom"])
    >>> table[0]["whom"], table.columns
    ('sna', ['who', 'whom'])
    >>> "<td>turkey</td>" in table._repr_html_()
    True
    """

    def __init__(self, rows: Iterable[dict] = (), columns: Iterable[str] = (), total: int | None = None) -> None:
        super().__init__(rows)
        self.columns = list(columns) or (list(self[0]) if self else [])
        #: How many rows the whole answer has, when this table is one page of it (``limit``/``offset``).
        self.total = len(self) if total is None else total

    def page(self, limit: int | None = None, offset: int = 0) -> Table:
        """Rows ``offset`` to ``offset + limit`` of this table, knowing the whole table's size.

        >>> Table([{"n": i} for i in range(5)]).page(2, offset=1)
        [{'n': 1}, {'n': 2}]
        >>> _.total
        5
        """
        return Table(self[page_slice(limit, offset)], self.columns, self.total)

    def column(self, name: str) -> list:
        """Every row's value in one column, in row order."""
        if name not in self.columns:
            raise KgError(f"no column {name!r}; the columns are {', '.join(self.columns)}")
        return [row.get(name) for row in self]

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(row.get(c)))}</td>" for c in self.columns) + "</tr>" for row in self[:HTML_ROWS]
        )
        more = f"<p>{len(self) - HTML_ROWS} more rows</p>" if len(self) > HTML_ROWS else ""
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` with the table's columns, in order."""
        try:
            import pandas
        except ImportError:
            raise KgError("to_pandas() needs pandas: pip install pandas") from None
        return pandas.DataFrame(list(self), columns=self.columns)


def page_slice(limit: int | None, offset: int) -> slice:
    """The rows of one page, checked: ``limit`` rows (all if None) from ``offset``.

    >>> list(range(5))[page_slice(2, 3)]
    [3, 4]
    """
    if (limit is not None and limit < 0) or offset < 0:
        raise KgError("a limit and an offset are 0 or more", field="--limit")
    return slice(offset, None if limit is None else offset + limit)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_cell(v) for v in value)
    return str(value)
