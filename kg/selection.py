"""Which claims a question looks at: one ``Selection`` for match, why, analyses, the map and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Selection:
    """Which claims to look at. Empty fields select everything."""

    as_of: dt.date | None = None
    min_confidence: float | None = None
    relations: tuple[str, ...] = ()  # relation names; sub-relations are included
    focus: str | None = None  # actor id, label or alias
    depth: int = 1
