"""Write files so that a reader sees the old content or the new one, never half of either.

Exports and generated pages are often kept in git or served as they are; a crash, a full
disk or a kill in the middle of writing must not leave a truncated file where a good one
was. Each file is written to a temporary file beside the target (same folder, so the
same file system), flushed and fsynced, then renamed over the target: ``os.replace`` is
atomic on POSIX and Windows. A process killed mid-write leaves at worst a stray
``.NAME.*.tmp`` file next to an intact target.

Only regular files are replaced (or a new path created): a renamed-over device, FIFO or
socket would be gone for every other program (``kg view -o mynull`` must not turn a
character device into a web page). A symbolic link is written through: the file it points
to is replaced, atomically in that file's own folder, and the link stays a link, as a
shell's ``>`` would do.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from kg.errors import KgError


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open ``path`` for writing through a temporary file that replaces it on success.

    If the body raises, the temporary file is removed and ``path`` is left as it was.
    Failures of the file system (no such folder, disk full, file too large) become a
    ``KgError`` naming the file.

    Examples
    --------
    >>> path = Path(tempfile.mkdtemp()) / "map.html"
    >>> with atomic_writer(path, "w") as page:
    ...     _ = page.write("<p>half</p>")
    ...     raise ValueError("the page could not be built")  # nothing is written
    Traceback (most recent call last):
    ValueError: the page could not be built
    >>> path.exists()
    False
    >>> with atomic_writer(path, "w") as page:
    ...     _ = page.write("<p>whole</p>")
    >>> path.read_text()
    '<p>whole</p>'
    """
    target = writable_target(path)
    temporary = _temporary(target)
    try:
        with open(temporary, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as handle:
            yield handle
            _sync(handle)
        os.replace(temporary, target)
    except BaseException as err:
        _discard([temporary])
        _reraise(err, target)
    _sync_folder(target.parent)


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``path`` atomically; returns the path."""
    return write_all_atomic({path: data.encode("utf-8") if isinstance(data, str) else data})[0]


def write_all_atomic(files: Mapping[str | os.PathLike, bytes]) -> list[Path]:
    """Write several files: every one is complete on disk before any target is replaced.

    Each file on its own is atomic; the set is not (a crash between two renames leaves
    the first new and the second old), which is as far as a file system goes.
    """
    targets = {writable_target(path): data for path, data in files.items()}  # refuse before writing any
    staged: list[tuple[Path, Path]] = []
    target = Path()
    try:
        for target, data in targets.items():
            staged.append((_temporary(target), target))
            with open(staged[-1][0], "wb") as handle:
                handle.write(data)
                _sync(handle)
        for temporary, target in staged:
            os.replace(temporary, target)
    except BaseException as err:
        _discard([temporary for temporary, _ in staged])
        _reraise(err, target)
    for folder in {target.parent for _, target in staged}:
        _sync_folder(folder)
    return [target for _, target in staged]


def writable_target(path: str | os.PathLike) -> Path:
    """The regular file that writing to ``path`` replaces: ``path`` itself, or the file a
    symbolic link at ``path`` points to (which may not exist yet).

    Raises
    ------
    KgError
        If that is a directory, device, FIFO or socket (or a loop of links), naming ``path``.
    """
    given = Path(path)
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as err:
        raise KgError(f"cannot write: {err.strerror or err}", path=str(given)) from None
    if stat.S_ISREG(mode):
        return target
    through = f" (a link to {target})" if target != given else ""
    raise KgError(f"is {_kind(mode)}{through}, not a regular file; kg writes only regular files or new paths", path=str(given))


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a loop of symbolic links"),
    ]
    return next((name for test, name in kinds if test(mode)), "a special file")


def _temporary(target: Path) -> Path:
    """An empty file beside ``target``, with the permissions the target will have."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise KgError(f"cannot write here: {err.strerror or err}", path=str(target)) from None
    os.close(fd)
    os.chmod(name, _permissions(target))
    return Path(name)


def _permissions(target: Path) -> int:
    """Keep the mode of the file being replaced; a new file gets the usual 0666 less umask
    (``mkstemp`` creates 0600, which would surprise whoever shares the export)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync(handle: IO) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _discard(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _reraise(err: BaseException, target: Path) -> None:
    if isinstance(err, OSError):
        raise KgError(f"cannot write: {err.strerror or err}; the file was left as it was", path=str(target)) from None
    raise err


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible, nor needed, everywhere."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
