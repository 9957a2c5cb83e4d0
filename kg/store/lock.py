"""``StoreLock``: our own lock on a store folder, shared by readers, exclusive for a writer."""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path

from kg.errors import KgError
from kg.store.folder import GATE_FILE, LOCK_FILE

#: How long an open waits for other kg processes on the same store, in seconds ($KG_LOCK_WAIT).
LOCK_WAIT = 30.0


class StoreLock:
    """Our own lock on a store folder: shared by readers, exclusive for a writer.

    Oxigraph's read-only opens take no lock, and one that races a writer reading the
    folder's files (its open moving the write-ahead log into table files, a bulk load's
    ingestion, a compaction) can see an empty or partial store without any error: measured,
    half of the runs of a reader loop during a small ``kg load`` saw 0 quads. So a writer
    holds ``kg.lock`` exclusively for as long as it has the store open, and a reader holds
    it shared from before its open until it closes the store (an open snapshot stayed
    readable when a writer compacted its files away, but RocksDB opens table files lazily
    beyond 16 per column family when file handles are limited, so that is not promised).

    ``kg.gate`` keeps a steady stream of readers (``kg serve``) from keeping a writer out
    forever: a writer takes it exclusively before waiting for the readers to leave, a
    reader takes it shared only on its way in. Each wait is bounded by ``$KG_LOCK_WAIT``
    seconds (``LOCK_WAIT``) and said on stderr; the locks go when the process does.
    """

    def __init__(self, folder: Path, exclusive: bool) -> None:
        self.folder = folder
        self.exclusive = exclusive
        self._files: list[int] = []
        deadline = time.monotonic() + lock_wait()
        try:
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            self._take(GATE_FILE, mode, deadline)
            self._take(LOCK_FILE, mode, deadline)
            if not exclusive:  # a reader is in: let the next writer queue up
                os.close(self._files.pop(0))
        except BaseException:
            self.release()
            raise

    def _take(self, name: str, mode: int, deadline: float) -> None:
        try:
            fd = os.open(self.folder / name, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as err:
            raise KgError(f"cannot lock the store: {err.strerror}", path=str(self.folder / name)) from None
        self._files.append(fd)
        said = False
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise self._busy() from None
                if not said:
                    print(f"kg: {self._waiting()} (up to {lock_wait():g} s; KG_LOCK_WAIT)", file=sys.stderr, flush=True)
                    said = True
                time.sleep(0.05)

    def _waiting(self) -> str:
        if self.exclusive:
            return f"waiting for the other kg processes using {self.folder} (a load or reads) to finish"
        return f"waiting for a load into {self.folder} to finish"

    def _busy(self) -> KgError:
        if self.exclusive:
            message = "the store is in use by another kg process (a load, or a long read)"
        else:
            message = "the store is being written (a load is running)"
        found = holders(self.folder)
        if found:
            message += f": {'; '.join(found)}"
        return KgError(f"{message}; try again when it ends (or stop it)", path=str(self.folder))

    def release(self) -> None:
        """Let the others in (closing the files releases their locks); idempotent."""
        while self._files:
            os.close(self._files.pop())


def holders(folder: Path) -> list[str]:
    """Who holds the store's lock files, as ``process 4242 reading (kg --store s serve)``.

    A user told only "in use" cannot tell a forgotten ``kg serve`` from a notebook or a
    load, so the kernel's table of file locks (``/proc/locks``, Linux) is read for the
    processes holding ``kg.lock`` or ``kg.gate``. Elsewhere, or when it cannot be read,
    the list is empty and the message stays general.
    """
    files = {}
    for name in (LOCK_FILE, GATE_FILE):
        try:
            found = os.stat(folder / name)
        except OSError:
            continue
        files[(os.major(found.st_dev), os.minor(found.st_dev), found.st_ino)] = name
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return []
    modes: dict[int, str] = {}
    for line in table.splitlines():
        fields = line.split()  # "1: FLOCK  ADVISORY  READ 16320 fe:00:2146441 0 EOF"; waiters have "->"
        if len(fields) < 6 or fields[1] != "FLOCK":
            continue
        major, minor, inode = fields[5].split(":")
        pid = int(fields[4])
        if (int(major, 16), int(minor, 16), int(inode)) in files and pid != os.getpid():
            modes[pid] = "writing" if fields[3] == "WRITE" or modes.get(pid) == "writing" else "reading"
    return [f"process {pid} {mode} ({_command(pid)})" for pid, mode in sorted(modes.items())]


def _command(pid: int) -> str:
    """A process's command line, shortened: what a user recognises (``kg serve``, a notebook)."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return "gone"
    text = " ".join(" ".join(words).split())  # one line, even for `python -c` code
    return text if len(text) <= 100 else text[:99] + "…"


def lock_wait() -> float:
    """``$KG_LOCK_WAIT`` in seconds, or ``LOCK_WAIT``; anything but a number is refused."""
    text = os.environ.get("KG_LOCK_WAIT")
    if text is None:
        return LOCK_WAIT
    try:
        wait = float(text)
    except ValueError:
        wait = -1.0
    if not 0 <= wait < float("inf"):
        raise KgError(f"KG_LOCK_WAIT must be a number of seconds, not {text!r}")
    return wait
