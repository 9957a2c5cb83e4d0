"""How many queries ``kg serve`` runs at once, by how long they have run (``QueryPlaces``)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

DEFAULT_CHEAP_SECONDS = 1.0


class Busy(Exception):
    """No place for one more query; ask again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass(eq=False)  # each place is itself: two may have the same deadline
class QueryPlace:
    """One query's place: *starting* until it has run ``cheap_seconds``, then *expensive*."""

    deadline: float
    expensive: bool = False


class QueryPlaces:
    """How many queries run at once, by how long they have run.

    A query's cost cannot be known before it runs, so every query starts in a *starting*
    place, and one that runs past ``cheap_seconds`` needs an *expensive* place to go on:

    - at most ``limit`` expensive queries at once; one more is stopped and refused
      (``Busy``, retry when the first of them reaches its deadline, as each is killed
      there), rather than queued: a queued query would hold a server thread, and enough
      of them would leave none for the page or for a client that only needs to hear "busy";
    - ``2 * limit`` starting places, separate from those, so cheap queries are answered
      while every expensive place is taken; two per expensive place keep the CPUs busy
      while queries wait for their process and store to open, and bound the processes at
      ``3 * limit``;
    - a query that finds every starting place taken waits in line (FIFO, at most two
      rounds of places long): each place is free within ``cheap_seconds`` (plus the
      moment it takes to stop a process) whatever its query does, so a burst of cheap
      queries is answered rather than refused. It waits at most three rounds (one to
      spare), and a query that finds the line full is refused at once.

    Every holder of a place or of a place in line holds a server thread: ``threads`` of them.
    """

    def __init__(self, limit: int, timeout: float, cheap_seconds: float = DEFAULT_CHEAP_SECONDS) -> None:
        self.limit, self.timeout, self.cheap_seconds = limit, timeout, cheap_seconds
        self.starting_limit = 2 * limit
        self.line_limit = 2 * self.starting_limit
        self.line_wait = (self.line_limit // self.starting_limit + 1) * cheap_seconds
        self.threads = limit + self.starting_limit + self.line_limit
        self.starting = 0
        self._expensive: list[QueryPlace] = []
        self._line: list[object] = []
        self._changed = threading.Condition()

    @property
    def expensive(self) -> int:
        return len(self._expensive)

    @property
    def waiting(self) -> int:
        return len(self._line)

    @contextmanager
    def place(self) -> Iterator[QueryPlace]:
        """Hold a starting place while the block runs (``promote`` it when the query turns
        expensive); ``Busy`` if none is free in time."""
        self._take_starting_place()
        place = QueryPlace(deadline=time.monotonic() + self.timeout)
        try:
            yield place
        finally:
            with self._changed:
                if place.expensive:
                    self._expensive.remove(place)
                else:
                    self.starting -= 1
                self._changed.notify_all()

    def promote(self, place: QueryPlace) -> None:
        """Move a query that has run ``cheap_seconds`` to an expensive place; ``Busy`` if
        every one is taken (it keeps its starting place until it leaves)."""
        with self._changed:
            if len(self._expensive) >= self.limit:
                first_free = min(other.deadline for other in self._expensive) - time.monotonic()
                message = (
                    f"the endpoint is busy: {len(self._expensive)} queries that run longer than {self.cheap_seconds:g} s"
                    f" are running, its limit, and this one ran longer too"
                )
                raise Busy(message, first_free)
            self.starting -= 1
            place.expensive = True
            self._expensive.append(place)
            self._changed.notify_all()

    def _take_starting_place(self) -> None:
        with self._changed:
            if self.starting < self.starting_limit and not self._line:
                self.starting += 1
                return
            if len(self._line) >= self.line_limit:
                raise Busy(self._busy_starting(), self.cheap_seconds)
            me = object()
            self._line.append(me)
            try:
                my_turn = lambda: self._line[0] is me and self.starting < self.starting_limit  # noqa: E731
                if not self._changed.wait_for(my_turn, timeout=self.line_wait):
                    raise Busy(self._busy_starting(), self.cheap_seconds)
                self.starting += 1
            finally:
                self._line.remove(me)
                self._changed.notify_all()

    def _busy_starting(self) -> str:
        return f"the endpoint is busy: {self.starting} queries are starting and {len(self._line)} waiting, its limit"
