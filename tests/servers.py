"""Real HTTP servers on 127.0.0.1 for the remote-store and ``kg serve`` tests.

- ``OxigraphServer``: the ``oxigraph serve`` command (``pip install oxigraph``) on a free
  port, in memory or on a folder, which can be stopped and started again on the same port;
  without ``--union-default-graph`` unless asked (kg needs no server configuration);
- ``VirtuosoServer``: OpenLink Virtuoso 7 (Debian's ``virtuoso-opensource``) in the
  foreground, its database in a temporary folder, with a small result limit
  (``ResultSetMaxRows``) so that the tests meet it;
- ``FakeEndpoint``: a misbehaving SPARQL endpoint (HTTP 500, HTML, a hang, 401, ...) in a
  thread, recording the requests it gets;
- ``Relay``: forwards requests to a real server and stops that server after N updates,
  to test a server that goes away in the middle of a load.

Only loopback addresses are used, and every server stops when its test ends.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def oxigraph_command() -> str:
    """The ``oxigraph`` server binary of this environment (the ``oxigraph`` package on PyPI)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the `oxigraph` command is missing: pip install oxigraph (a test dependency, see setup.cfg)")
    return found


def wait_until_listening(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {HOST}:{port} after {seconds} s")


class OxigraphServer:
    """``oxigraph serve`` on 127.0.0.1 (``union``: with ``--union-default-graph``)."""

    name = "oxigraph"

    def __init__(self, location: Path | None = None, union: bool = False) -> None:
        self.location, self.union = location, union
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.query_url, self.update_url = f"{self.url}/query", f"{self.url}/update"
        self.process: subprocess.Popen | None = None

    def start(self) -> OxigraphServer:
        command = [oxigraph_command(), "serve", "--bind", f"{HOST}:{self.port}"]
        command += ["--union-default-graph"] if self.union else []
        command += ["--location", str(self.location)] if self.location else []
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until_listening(self.port)
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        self.process = None

    def nquads(self) -> list[str]:
        """Every quad the server holds, sorted (its Graph Store Protocol dump)."""
        request = urllib.request.Request(f"{self.url}/store", headers={"Accept": "application/n-quads"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return sorted(response.read().decode("utf-8").splitlines())

    def clear(self) -> None:
        """Drop every graph the server holds."""
        request = urllib.request.Request(f"{self.url}/update", data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
        urllib.request.urlopen(request, timeout=30).close()

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


#: Debian's settings, on a small scale, plus ``ThreadsPerQuery = 1``, as the README advises: with
#: queries on several threads, Virtuoso 7.2.5 breaks its IRI cache once it evicts (past 5,000
#: IRIs here) and answers SR477 until restarted (``kg.store.http.VIRTUOSO_IRI_CACHE``).
VIRTUOSO_INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
ThreadsPerQuery = 1
[HTTPServer]
ServerPort = {host}:{http_port}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 120
"""


def virtuoso_command() -> str:
    """Debian's Virtuoso server binary (``make system-deps`` installs it)."""
    found = shutil.which("virtuoso-t")
    if not found or not shutil.which("isql-vt"):
        raise RuntimeError("Virtuoso is missing: apt-get install virtuoso-opensource (`make test` installs it)")
    return found


class VirtuosoServer:
    """OpenLink Virtuoso 7 on free ports of 127.0.0.1, its database in ``folder``.

    Its SPARQL endpoint (``url``) answers at most ``max_rows`` rows (``ResultSetMaxRows``,
    10,000 in Debian's configuration) and runs updates: the ``SPARQL`` user is granted
    ``SPARQL_UPDATE``, as a Virtuoso behind a firewall is set up for kg. ``/sparql-auth``
    (``auth_url``) asks for digest authentication (user ``dba``, password ``dba``).
    ``clear`` drops every graph Virtuoso did not start with.
    """

    name = "virtuoso"

    def __init__(self, folder: Path, max_rows: int = 1000) -> None:
        self.folder, self.max_rows = folder, max_rows
        self.sql_port, self.http_port = free_port(), free_port()
        self.url = f"http://{HOST}:{self.http_port}/sparql"
        self.query_url = self.update_url = self.url
        self.auth_url = f"http://{HOST}:{self.http_port}/sparql-auth"
        self.process: subprocess.Popen | None = None
        self.own_graphs: set[str] = set()

    def start(self) -> VirtuosoServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        settings = {"folder": self.folder, "host": HOST, "sql_port": self.sql_port, "http_port": self.http_port, "max_rows": self.max_rows}
        (self.folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(**settings))
        with (self.folder / "console.log").open("w") as log:
            command = [virtuoso_command(), "+foreground", "+configfile", "virtuoso.ini"]
            self.process = subprocess.Popen(command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_listening(self.sql_port, seconds=60)
            wait_until_listening(self.http_port, seconds=60)
            self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
            if not self.own_graphs:  # the first start: Virtuoso's graphs only
                self.own_graphs = set(self.graphs())
        except BaseException:
            self.stop()
            raise
        return self

    def isql(self, statement: str) -> str:
        """Run one SQL statement as ``dba`` (Virtuoso's interactive SQL client)."""
        command = ["isql-vt", f"{HOST}:{self.sql_port}", "dba", "dba", f"exec={statement}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql-vt failed: {done.stdout[-500:]} {done.stderr[-500:]}")
        return done.stdout

    def select(self, query: str) -> list[dict]:
        """The JSON result rows of a SELECT (at most ``max_rows`` of them)."""
        data = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(self.url, data=data, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["results"]["bindings"]

    def graphs(self) -> list[str]:
        return [row["g"]["value"] for row in self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]

    def clear(self) -> None:
        """Drop every graph but Virtuoso's own."""
        for graph in set(self.graphs()) - self.own_graphs:
            self.isql(f"SPARQL CLEAR GRAPH <{graph}>;")

    def nquads(self) -> list[str]:
        """Every quad of the graphs Virtuoso did not start with, sorted, as N-Quads lines
        (blank nodes labelled as Virtuoso names them), read ``max_rows`` at a time."""
        lines = []
        for graph in sorted(set(self.graphs()) - self.own_graphs):
            query = f"SELECT ?s ?p ?o WHERE {{ {{ SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o }} }}"
            offset = 0
            while True:
                rows = self.select(f"{query} LIMIT {self.max_rows} OFFSET {offset}")
                lines += [" ".join([*(_nt(row[name]) for name in "spo"), f"<{graph}>", "."]) for row in rows]
                if len(rows) < self.max_rows:
                    break
                offset += self.max_rows
        return sorted(lines)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, kind, *exc) -> None:
        self.stop()
        if kind is None:
            self.check_log()

    def check_log(self) -> None:
        """Fail if the server logged the IRI cache race behind SR477 (``VIRTUOSO_INI``): kg's
        reads would then fail now and then, and a test with them."""
        log = (self.folder / "console.log").read_text(errors="replace")
        assert "missed delete of name id cache" not in log, f"Virtuoso's IRI cache race: see {self.folder / 'console.log'}"


BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _nt(term: dict) -> str:
    """A SPARQL JSON results term as N-Triples: Virtuoso's blank node labels made valid, and its
    booleans, which it keeps as 1 and 0, written as kg wrote them (true and false)."""
    if term["type"] == "uri":
        return str(ox.NamedNode(term["value"]))
    if term["type"] == "bnode":
        return "_:" + re.sub(r"[^A-Za-z0-9]", "", term["value"])
    datatype, value = term.get("datatype"), term["value"]
    if datatype == BOOLEAN:
        value = {"1": "true", "0": "false"}.get(value, value)
    return str(ox.Literal(value, language=term.get("xml:lang"), datatype=ox.NamedNode(datatype) if datatype else None))


class _Threaded:
    """A ``ThreadingHTTPServer`` on a free loopback port, served from a daemon thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer((HOST, 0), handler)
        self.server.daemon_threads = True
        self.server.owner = self
        self.port = self.server.server_address[1]
        self.url = f"http://{HOST}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeEndpoint(_Threaded):
    """Answers every request with ``status``, ``content_type``, ``body`` and ``headers``, after
    ``delay`` seconds.

    ``requests`` records (method, path, headers, body) of every request received.
    """

    def __init__(
        self, status: int = 200, content_type: str = "text/plain", body: bytes = b"", delay: float = 0, headers: dict | None = None
    ) -> None:
        self.status, self.content_type, self.body, self.delay = status, content_type, body, delay
        self.headers = headers or {}
        self.requests: list[tuple[str, str, dict, bytes]] = []
        self.stopping = threading.Event()
        super().__init__(_FakeHandler)

    def __exit__(self, *exc) -> None:
        self.stopping.set()  # end the delays of hanging requests
        super().__exit__(*exc)


class _FakeHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self._answer(b"")

    def do_POST(self) -> None:  # noqa: N802
        self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _answer(self, body: bytes) -> None:
        fake: FakeEndpoint = self.server.owner
        fake.requests.append((self.command, self.path, dict(self.headers), body))
        if fake.delay and fake.stopping.wait(fake.delay):
            return
        self.send_response(fake.status)
        self.send_header("Content-Type", fake.content_type)
        for name, value in fake.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(fake.body)))
        self.end_headers()
        self.wfile.write(fake.body)

    def log_message(self, *args) -> None:
        pass


class Relay(_Threaded):
    """Forwards requests to ``target`` (an ``OxigraphServer`` or ``VirtuosoServer``); ``url``
    stands for the target's ``url``.

    Once ``updates_before_stop`` updates went through, it stops the target, so later requests
    meet a server that is gone. The first update containing ``fail_after`` is forwarded, and
    its answer replaced by an HTTP 500: a server that did the work but says it failed.
    """

    def __init__(self, target: OxigraphServer | VirtuosoServer, updates_before_stop: int = -1, fail_after: bytes | None = None) -> None:
        self.target, self.left, self.fail_after = target, updates_before_stop, fail_after
        self.updates = 0
        self.lock = threading.Lock()
        super().__init__(_RelayHandler)
        self.url += urllib.parse.urlsplit(target.url).path


class _RelayHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self._relay(None)

    def do_POST(self) -> None:  # noqa: N802
        self._relay(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _relay(self, body: bytes | None) -> None:
        relay: Relay = self.server.owner
        update = self.path.startswith("/update") or self.headers.get("Content-Type", "").startswith("application/sparql-update")
        with relay.lock:
            if update:
                if relay.left == 0:
                    relay.target.stop()
                relay.left -= 1
                relay.updates += 1
            failing = update and relay.fail_after is not None and relay.fail_after in (body or b"")
            if failing:
                relay.fail_after = None
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "authorization")}
        target = urllib.parse.urlsplit(relay.target.url)
        request = urllib.request.Request(f"{target.scheme}://{target.netloc}{self.path}", data=body, headers=headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, content_type, data = response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as err:
            status, content_type, data = err.code, err.headers.get("Content-Type", ""), err.read()
        except OSError:
            self.close_connection = True  # the server is gone: so is the connection
            return
        if failing:
            status, content_type, data = 500, "text/plain", b"the relay says: failed"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass
