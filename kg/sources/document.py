"""What every reader returns (``Document``), how it reads past bad records (``Problems``)
and past a record's bad fields (``Checks``), and the line-length guard every line-based
reader reads through (``bounded_lines``).

These sit below the readers so that each reader, and ``kg.sources`` which picks one,
imports them without importing each other.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.model import Actor, Assertion, Source, Where

#: The longest line a CSV or GDELT file may have, and (the csv module's own default limit)
#: the longest cell: a longer one is refused before it is read into memory whole.
MAX_LINE = 131_072


@dataclass
class Document:
    """One file's unresolved records, as a reader found them.

    >>> Document("a.yaml").empty
    True
    """

    path: str
    actors: list[Actor] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    assertions: list[Assertion] = field(default_factory=list)
    #: Set by readers of event data (GDELT): rows read, and rows skipped by reason.
    rows_read: int | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    #: Actors the assertions name but the file does not define (an actor map's bare names),
    #: with where each is named; every other actor name in ``assertions`` is an exact id.
    references: dict[str, Where] = field(default_factory=dict)
    ids_only: bool = False
    #: The graph it loads into when that is not its file's: a graph of a TriG or N-Quads file,
    #: as the file names it (``kg.rules.document_graph``).
    graph: str | None = None

    @property
    def empty(self) -> bool:
        """Nothing to load: no record at all, and (event files) no row."""
        return not (self.actors or self.sources or self.assertions or self.rows_read)


class RecordErrors(KgError):
    """Every error of one record. It reads as its first, which is what ``kg load`` stops
    at; ``Problems`` and ``kg validate`` report each of ``errors``.

    >>> both = RecordErrors([KgError("bad date", path="a.csv", line=3, field="date"), KgError("bad", path="a.csv", line=3)])
    >>> str(both), both.field, len(both.errors)
    ('a.csv:3: date: bad date', 'date', 2)
    """

    def __init__(self, errors: Sequence[KgError]) -> None:
        first = errors[0]
        super().__init__(first.message)  # already prefixed with the first error's place
        self.path, self.line, self.field = first.path, first.line, first.field
        self.errors = tuple(each for error in errors for each in each_error(error))


def each_error(error: KgError) -> tuple[KgError, ...]:
    """The errors a raised error stands for: itself, or each of a ``RecordErrors``."""
    return error.errors if isinstance(error, RecordErrors) else (error,)


class Checks:
    """The checks of one record, each run past the failure of the one before, so that a
    record with two bad fields is reported twice, not once (``kg validate``).

    >>> def bad_date():
    ...     raise Where("a.csv", 2).error("not a date", "date")
    >>> checks = Checks()
    >>> checks.run(bad_date, default="?"), checks.run(len, "ok")
    ('?', 2)
    >>> checks.done()
    Traceback (most recent call last):
    kg.errors.KgError: a.csv:2: date: not a date
    """

    def __init__(self) -> None:
        self.errors: list[KgError] = []

    def run(self, check: Callable[..., Any], *args: Any, default: Any = None, **kwargs: Any) -> Any:
        """``check(*args, **kwargs)``, or ``default`` when it raises a ``KgError`` (kept)."""
        try:
            return check(*args, **kwargs)
        except KgError as error:
            self.errors.extend(each_error(error))
            return default

    def fail(self, error: KgError) -> None:
        """Keep an error found without running a check."""
        self.errors.append(error)

    def done(self) -> None:
        """Raise what was found: the one error, or ``RecordErrors`` for several."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise RecordErrors(self.errors)


class Problems:
    """The errors of single records that a reader reads past.

    ``kg load`` stops at the first (``limit=1``: the error is raised where it is found);
    ``kg validate`` collects up to ``limit`` of them, so that it reports every bad record
    of a file and not only the first. The file's good records are read all the same.

    >>> problems = Problems(limit=10)
    >>> problems.add(KgError("bad record", path="a.csv", line=3))
    >>> len(problems.found)
    1
    """

    def __init__(self, limit: int = 1) -> None:
        self.limit = limit
        self.found: list[KgError] = []

    def add(self, error: KgError) -> None:
        """Keep ``error`` (each of a ``RecordErrors``), or raise it when only one is wanted."""
        if self.limit <= 1:
            raise error
        for each in each_error(error):
            self.found.append(each)
            if len(self.found) >= self.limit:
                raise KgError(f"stopped reading after {self.limit:,} problems", path=error.path)

    def each(self, items: Iterable[tuple[object, Where]], build: Callable) -> list:
        """``build(record, where)`` of each item; a record that fails is reported and left out."""
        built = []
        for record, where in items:
            try:
                built.append(build(record, where))
            except KgError as err:
                self.add(err)
        return built


def bounded_lines(handle: io.TextIOBase, path: Path) -> Iterator[str]:
    """The lines of a text file, each refused if it is longer than ``MAX_LINE``.

    A plain ``for line in handle`` would read a line of any length whole: a 2 GB file
    with no line break (or a zip member that unzips to one) would fill the memory first.

    >>> list(bounded_lines(io.StringIO("a\\nb\\n"), Path("x.csv")))
    ['a\\n', 'b\\n']
    """
    number = 0
    while line := handle.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE and line[-1] not in "\r\n":
            raise KgError(f"a line longer than {MAX_LINE:,} characters, the most kg reads", path=str(path), line=number)
        yield line
