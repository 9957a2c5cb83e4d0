"""The one exception type for mistakes a user can make (bad input, unknown names, busy store)."""

from __future__ import annotations

import click


class KgError(click.ClickException):
    """A user error: printed by the CLI as one line on stderr, exit status 1.

    It carries where the bad input is (file, line, field) so that the message
    points at the exact place to fix.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path, self.line, self.field = path, line, field
        prefix = ""
        if path:
            prefix = f"{path}:{line}: " if line else f"{path}: "
        if field:
            prefix += f"{field}: "
        super().__init__(" ".join((prefix + message).split()))  # always one line
