"""Real HTTP servers on 127.0.0.1 for the remote-store and ``kg serve`` tests.

- ``OxigraphServer``: the ``oxigraph serve`` command (``pip install oxigraph``) on a free
  port, in memory or on a folder, which can be stopped and started again on the same port;
- ``FakeEndpoint``: a misbehaving SPARQL endpoint (HTTP 500, HTML, a hang, 401, ...) in a
  thread, recording the requests it gets;
- ``Relay``: forwards requests to a real server and stops that server after N updates,
  to test a server that goes away in the middle of a load.

Only loopback addresses are used, and every server stops when its test ends.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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
    """``oxigraph serve --union-default-graph`` on 127.0.0.1 (kg needs the union default graph)."""

    def __init__(self, location: Path | None = None, union: bool = True) -> None:
        self.location, self.union = location, union
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
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

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


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
    """Answers every request with ``status``, ``content_type`` and ``body``, after ``delay`` seconds.

    ``requests`` records (method, path, headers, body) of every request received.
    """

    def __init__(self, status: int = 200, content_type: str = "text/plain", body: bytes = b"", delay: float = 0) -> None:
        self.status, self.content_type, self.body, self.delay = status, content_type, body, delay
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
        self.send_header("Content-Length", str(len(fake.body)))
        self.end_headers()
        self.wfile.write(fake.body)

    def log_message(self, *args) -> None:
        pass


class Relay(_Threaded):
    """Forwards requests to ``target`` (an ``OxigraphServer``); once ``updates_before_stop``
    updates went through, stops the target, so later requests meet a server that is gone."""

    def __init__(self, target: OxigraphServer, updates_before_stop: int) -> None:
        self.target, self.left = target, updates_before_stop
        self.updates = 0
        self.lock = threading.Lock()
        super().__init__(_RelayHandler)


class _RelayHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self._relay(None)

    def do_POST(self) -> None:  # noqa: N802
        self._relay(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _relay(self, body: bytes | None) -> None:
        relay: Relay = self.server.owner
        with relay.lock:
            if self.path.startswith("/update"):
                if relay.left == 0:
                    relay.target.stop()
                relay.left -= 1
                relay.updates += 1
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "authorization")}
        request = urllib.request.Request(relay.target.url + self.path, data=body, headers=headers, method=self.command)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, content_type, data = response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as err:
            status, content_type, data = err.code, err.headers.get("Content-Type", ""), err.read()
        except OSError:
            self.close_connection = True  # the server is gone: so is the connection
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass
