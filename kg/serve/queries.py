"""One query of ``kg serve``, in a child process that opens the store read-only and is
killed at the timeout: Oxigraph cannot cancel a query in process, and a process can be killed.

The child opens the store through the store interface (``kg.store.open_store``), so the
same code serves a store folder and, where asked, a SPARQL server; a store folder opened
read-only is locked for as long as the query runs, so a query never sees a store half-way
through a load. Results bigger than the size limit are refused rather than cut, so no
client mistakes a part for the whole.
"""

from __future__ import annotations

import multiprocessing
import os

import pyoxigraph as ox

from kg.errors import KgError
from kg.serve.protocol import GRAPH_TYPES, RESULT_TYPES, Answer, negotiate, text
from kg.store import Store, open_store

#: The niceness of a query once it is expensive: cheap queries, at the server's own
#: priority, then get nearly all of a CPU however many expensive ones run.
EXPENSIVE_NICENESS = 10


class _Capped:
    """A binary writer that stops taking bytes past ``limit`` (pyoxigraph serialises into it)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.parts, self.size, self.overflow = limit, [], 0, False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.overflow = True
            raise OSError("result too large")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def evaluate(location: str, query: str, default_graphs: list[str], named_graphs: list[str], ranges: list[str], max_bytes: int) -> Answer:
    """Run one query on the store at ``location``, read-only, and serialise the answer as negotiated.

    The default graph is the union of all graphs, as in ``kg sparql``, unless the query
    names its own dataset (``FROM``/``FROM NAMED``) or ``default_graphs`` do (the
    protocol's, which override the query's): ``kg.store.Store.results``.
    """
    try:
        store = open_store(location, read_only=True)  # a folder: locked until closed
    except KgError as err:
        return text(503, f"the store cannot be read right now: {err}")
    with store:
        return answer(store, query, default_graphs, named_graphs, ranges, max_bytes)


def answer(store: Store, query: str, default_graphs: list[str], named_graphs: list[str], ranges: list[str], max_bytes: int) -> Answer:
    """The store's answer to one query, serialised in the negotiated format, at most ``max_bytes``.

    Examples
    --------
    >>> from kg.store import open_store
    >>> with open_store(":memory:") as store:
    ...     answer(store, "ASK { ?s a kgo:Actor }", [], [], ["text/csv"], 1000)
    Answer(status=200, media_type='text/csv', body=b'false', headers=())
    """
    try:
        result = store.results(query, default_graphs=default_graphs, named_graphs=named_graphs)
    except KgError as err:
        return text(400, str(err))
    solutions = isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    types = RESULT_TYPES if solutions else GRAPH_TYPES
    chosen = negotiate(ranges, types)
    if chosen is None and not set(ranges) <= {*RESULT_TYPES, *GRAPH_TYPES}:
        return text(406, f"cannot answer in {', '.join(ranges)}: this query's answer comes as {', '.join(types)}")
    # a client sending one Accept for every query (results types for a CONSTRUCT) gets our default
    media_type, fmt = chosen or negotiate([], types)  # type: ignore[misc]
    out = _Capped(max_bytes)
    try:
        if solutions:
            result.serialize(out, fmt)
        else:
            ox.serialize(result, out, format=fmt)
    except (OSError, RuntimeError) as err:
        if out.overflow:
            message = f"the result is larger than {max_bytes} bytes (the limit of this endpoint): add a LIMIT or select less"
            return text(400, message)
        return text(400, f"query failed: {err}")
    return Answer(200, media_type, b"".join(out.parts))


def _child(conn, *args) -> None:
    conn.send(evaluate(*args))
    conn.close()


class QueryProcess:
    """``evaluate`` in a child process, killed when the ``with`` block ends if still running:
    Oxigraph cannot cancel a query in process, and a process can be killed."""

    def __init__(self, *args) -> None:
        context = multiprocessing.get_context("forkserver")
        self._receiver, sender = context.Pipe(duplex=False)
        self._child = context.Process(target=_child, args=(sender, *args), daemon=True)
        self._child.start()
        sender.close()

    def __enter__(self) -> QueryProcess:
        return self

    def __exit__(self, *exc) -> None:
        self._receiver.close()
        if self._child.is_alive():
            self._child.kill()
        self._child.join()

    def answer(self, within: float) -> Answer | None:
        """The answer if it comes within ``within`` seconds, else None."""
        try:
            return self._receiver.recv() if self._receiver.poll(max(0.0, within)) else None
        except EOFError:
            return text(500, "the query process ended without an answer")

    def lower_priority(self) -> None:
        """Let every other process on the machine, cheap queries first, go before this one.

        The query runs in the child's main thread, whose niceness this sets (on Linux,
        niceness is per thread). A child that has just ended, or a system that does not
        allow it, leaves the query at the server's priority: it is still bounded in time.
        """
        try:
            os.setpriority(os.PRIO_PROCESS, self._child.pid, EXPENSIVE_NICENESS)
        except (OSError, AttributeError):
            pass
