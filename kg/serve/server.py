"""Serving: the waitress ``Server`` for one store, and ``serve`` (``kg serve``) around it."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.serve.app import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, SparqlApp
from kg.serve.places import DEFAULT_CHEAP_SECONDS
from kg.serve.protocol import LOOPBACK_NAMES, MAX_QUERY_BYTES, WILDCARD_HOSTS, allowed_hosts
from kg.store import MEMORY, open_store, store_location

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
#: Server threads beyond one per query place and place in line: they answer the page,
#: refusals and errors while every place is taken.
SPARE_THREADS = 4


def check_location(location: str | None) -> str:
    """The store folder to serve: it must exist and hold a kg store."""
    location = store_location(location)
    if location == MEMORY:
        raise KgError("a :memory: store is empty; serve a store folder", path=location)
    if location.startswith(("http://", "https://")):
        raise KgError("this store is a SPARQL server already: point SPARQL clients at it", path=location)
    open_store(location, read_only=True).close()  # the usual errors: no store here, not a store, damaged
    return str(Path(location).resolve())


class Server:
    """A waitress server for one store, not yet running: ``run()`` serves in this thread
    until Ctrl-C or ``stop()``; ``start()`` serves from a background thread.

    ``stop()`` ends it in an order that leaves no thread behind. Waitress's own
    ``close()`` closes its wake-up pipe but leaves the worker threads running, and a worker
    that finishes a request afterwards writes its wake-up byte into whatever has reused the
    pipe's file descriptor number: in the tests, the next server's connection, whose client
    then read ``xHTTP/1.1 200 OK``.
    """

    def __init__(self, app: SparqlApp, host: str, port: int) -> None:
        self.app = app
        self.waitress = _listen(app, host, port)
        self.host, self.port = self.waitress.effective_host, self.waitress.effective_port
        self._loop: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{f'[{self.host}]' if ':' in self.host else self.host}:{self.port}"

    def run(self) -> None:
        """Serve until ``stop()`` or Ctrl-C (on which waitress lets the running requests end)."""
        self._loop = threading.current_thread()
        try:
            self.waitress.run()
        finally:
            self._loop = None
            self._close_all()

    def start(self) -> Server:
        thread = threading.Thread(target=self.run, name=f"kg serve :{self.port}", daemon=True)
        self._loop = thread
        thread.start()
        return self

    def stop(self) -> None:
        """No new connections; the running requests end (a query by its timeout, after its
        wait in line); then every socket and the wake-up pipe are closed by the thread that
        polls them, which ends."""
        self.waitress.accepting = False
        self.waitress.task_dispatcher.shutdown(timeout=self.app.places.line_wait + self.app.timeout + 5)
        loop = self._loop
        if loop is not None and loop is not threading.current_thread() and loop.is_alive():
            self.waitress.trigger.pull_trigger(self._close_all)
            loop.join()
        else:
            self._close_all()

    def _close_all(self) -> None:
        for channel in list(self.waitress.active_channels.values()):
            channel.close()
        self.waitress.close()  # the listening socket and the wake-up pipe; the loop then ends


def make_server(
    location: str | None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_queries: int | None = None,
    allow_hosts: Iterable[str] = (),
    cheap_seconds: float = DEFAULT_CHEAP_SECONDS,
    cors: str | None = None,
) -> Server:
    """A server for the store, not yet running. ``port=0`` picks a free port (``.port``);
    ``max_queries`` (expensive queries at once) defaults to ``default_max_queries()``;
    ``cors`` is the web origin (or ``*``) whose pages may query it from a browser."""
    hosts = allowed_hosts(host, allow_hosts)
    app = SparqlApp(check_location(location), timeout, max_bytes, max_queries, hosts, cheap_seconds, cors)
    return Server(app, host, port)


def _listen(app: SparqlApp, host: str, port: int):
    """A waitress server on one socket, bound here: waitress given a name such as
    ``localhost`` would listen on each of its addresses, behind a different kind of server."""
    import waitress

    multiprocessing.get_context("forkserver").set_forkserver_preload(["kg.serve.queries"])
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.create_server(address, family=family)
    except OSError as err:
        raise KgError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    threads = app.places.threads + SPARE_THREADS
    options = {"ident": "actorgraph", "max_request_body_size": MAX_QUERY_BYTES, "channel_timeout": 60}
    return waitress.create_server(app, sockets=[sock], threads=threads, **options)


def log_to_stderr() -> None:
    """Waitress's warnings and errors as ``kg serve: ...`` lines on stderr (once per process).

    Its "Task queue depth" warnings are left out (``waitress.queue`` set to ERROR): a request
    waiting a moment for a thread is expected (at start, or in a burst) and never waits
    long, since there are threads for every query place and place in line, and queries
    past them are refused at once. Unconfigured, Python's last-resort handler would print
    each of them bare on stderr.
    """
    logger = logging.getLogger("waitress")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("kg serve: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(location: str | None, echo: Callable[[str], None] = print, **options: Any) -> None:
    """Serve until interrupted (Ctrl-C); ``options`` are ``make_server``'s; ``echo`` gets the
    address line (and warnings when listening beyond this machine)."""
    host, allow_hosts = options.get("host", DEFAULT_HOST), options.get("allow_hosts", ())
    server = make_server(location, **options)
    if host not in LOOPBACK_NAMES:
        echo(f"warning: listening on {host}: anyone who can reach this address can read the whole store")
    if host in WILDCARD_HOSTS and not allow_hosts:
        echo("warning: only requests to 127.0.0.1, localhost or [::1] are answered: add --allow-host NAME for each name clients use")
    pages = f"SPARQL endpoint {server.url}/sparql, query page {server.url}/"
    places = server.app.places
    limits = f"queries running past {places.cheap_seconds:g} s: {places.limit} at once"
    echo(f"serving {server.app.location} read-only ({limits}): {pages} (Ctrl-C to stop)")
    log_to_stderr()
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    try:
        server.run()
    except KeyboardInterrupt:  # a second Ctrl-C while the running requests end
        pass
