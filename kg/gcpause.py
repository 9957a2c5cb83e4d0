"""Pausing Python's cycle collector while kg builds millions of objects that hold no cycles.

Reading or projecting a million claims makes tens of millions of tuples, dicts and strings.
Each allocation burst sets off collections that walk every object alive, again and again,
though none of them forms a cycle that only the collector could free: at 1M claims that
walking was a third of ``kg analyse blocs``. Reference counting still frees everything;
the collector runs again when the outermost paused call returns, and what was built in the
pause waits for its next full collection. The CLI pauses it for every command that only reads.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def without_gc(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` with the cycle collector paused while it runs (nested calls: until the
    outermost returns; it stays off if it was off).

    Examples
    --------
    >>> @without_gc
    ... def build():
    ...     return gc.isenabled()
    >>> build(), gc.isenabled()
    (False, True)
    """

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            _to_oldest_generation()
            gc.enable()

    return paused


def _to_oldest_generation() -> None:
    """Move every object the collector tracks to its oldest generation, without walking them:
    else the first young collection after a pause walks all that was built in it. Cycles
    among them are freed by the next full collection. Not when the process has frozen
    objects of its own (``gc.freeze`` before forking workers): they stay frozen."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
