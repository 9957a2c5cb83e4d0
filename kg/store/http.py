"""Reaching a SPARQL server: its endpoints and settings (``Endpoint``) and an HTTP client
(``Http``) whose every failure is one line that is safe to show.

Every request has a connect timeout and a total deadline; credentials come from the
environment only (HTTP basic, or digest as Virtuoso's ``/sparql-auth`` asks), and no
message ever contains them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

import httpx

from kg import __version__
from kg.errors import KgError

DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_BATCH = 50_000
#: Triples per ``INSERT DATA`` operation: Virtuoso's SPARQL compiler runs out of memory
#: near 5,000 simple triples in one operation (and of SQL lines earlier for varied
#: literals), so a request of ``KG_STORE_BATCH`` triples holds several operations.
DEFAULT_CHUNK = 1_000
#: Paths of endpoints that answer queries and updates alike (Virtuoso, Neptune).
SHARED_ENDPOINTS = ("/sparql", "/sparql-auth")


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach a SPARQL server; built from the store URL and the environment."""

    query_url: str
    update_url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    batch: int = DEFAULT_BATCH
    chunk: int = DEFAULT_CHUNK
    digest: bool = False  # HTTP digest authentication instead of basic

    @classmethod
    def from_location(cls, location: str, environ: Mapping[str, str] | None = None) -> Endpoint:
        """``http://host:7878`` -> query ``http://host:7878/query``, update ``.../update``; a URL
        ending in ``/sparql`` (Virtuoso, Neptune) is both; ``KG_QUERY_URL`` / ``KG_UPDATE_URL``
        say otherwise.

        Examples
        --------
        >>> Endpoint.from_location("http://127.0.0.1:7878/", {}).query_url
        'http://127.0.0.1:7878/query'
        >>> Endpoint.from_location("http://127.0.0.1:8890/sparql", {}).update_url
        'http://127.0.0.1:8890/sparql'
        """
        env = os.environ if environ is None else environ
        base = _check_url(location, "--store").rstrip("/")
        shared = urlsplit(base).path.endswith(SHARED_ENDPOINTS)
        user, password = env.get("KG_STORE_USER") or None, env.get("KG_STORE_PASSWORD") or None
        if bool(user) != bool(password):
            raise KgError("set both KG_STORE_USER and KG_STORE_PASSWORD, or neither", field="KG_STORE_USER")
        auth = (env.get("KG_STORE_AUTH") or "basic").lower()
        if auth not in ("basic", "digest"):
            raise KgError(f"expected basic or digest, got {one_line(auth, 40)!r}", field="KG_STORE_AUTH")
        batch = _positive(env, "KG_STORE_BATCH", DEFAULT_BATCH, int)
        return cls(
            query_url=_check_url(env.get("KG_QUERY_URL") or (base if shared else base + "/query"), "KG_QUERY_URL"),
            update_url=_check_url(env.get("KG_UPDATE_URL") or (base if shared else base + "/update"), "KG_UPDATE_URL"),
            user=user,
            password=password,
            timeout=_positive(env, "KG_STORE_TIMEOUT", DEFAULT_TIMEOUT, float),
            connect_timeout=_positive(env, "KG_STORE_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT, float),
            batch=batch,
            chunk=min(batch, DEFAULT_CHUNK),
            digest=auth == "digest",
        )


def _check_url(url: str, name: str) -> str:
    """An http(s) URL with a host and no credentials in it (they would be echoed in messages)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KgError(f"not an http(s) URL of a SPARQL endpoint: {public(url)!r}", field=name)
    if parts.username or parts.password:
        raise KgError("put credentials in KG_STORE_USER and KG_STORE_PASSWORD, not in the URL", field=name)
    return url


def public(url: str) -> str:
    """A URL without any user:password part, for messages.

    Examples
    --------
    >>> public("http://alice:secret@example.org:7878/query")
    'http://example.org:7878/query'
    """
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]).geturl()


def _positive(env: Mapping[str, str], name: str, default, kind):
    text = env.get(name)
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise KgError(f"expected a positive {'number' if kind is float else 'whole number'}, got {text!r}", field=name)
    return value


class Failed(Exception):
    """A request that did not succeed; ``reason`` is one line, safe to show (no credentials)."""

    def __init__(self, reason: str, status: int | None = None, maybe_applied: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.status, self.maybe_applied = reason, status, maybe_applied


class Reply(NamedTuple):
    """A successful answer: its media type (lower case, no parameters), body and headers
    (where servers say that an answer is cut short: ``kg.store.answers.check_complete``)."""

    media_type: str
    body: bytes
    headers: Mapping[str, str]


class Http:
    """POSTs with a connect timeout and a total deadline; HTTP errors raise ``Failed``."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        auth = None
        if endpoint.user and endpoint.password:
            kind = httpx.DigestAuth if endpoint.digest else httpx.BasicAuth
            auth = kind(endpoint.user, endpoint.password)
        timeout = httpx.Timeout(endpoint.timeout, connect=endpoint.connect_timeout)
        self.client = httpx.Client(timeout=timeout, auth=auth, headers={"User-Agent": f"actorgraph-kg/{__version__}"})

    def post(self, url: str, **request) -> Reply:
        """The answer, once it has come whole."""
        deadline = time.monotonic() + self.endpoint.timeout
        try:
            with self.client.stream("POST", url, **request) as response:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("deadline")
        except httpx.ConnectTimeout:
            raise Failed(f"no connection within {self.endpoint.connect_timeout:g} s (KG_STORE_CONNECT_TIMEOUT)") from None
        except httpx.ConnectError as err:
            raise Failed(f"cannot connect ({_reason(err)}): is the server running?") from None
        except httpx.TimeoutException:
            raise Failed(f"no complete answer within {self.endpoint.timeout:g} s (KG_STORE_TIMEOUT)", maybe_applied=True) from None
        except httpx.HTTPError as err:
            raise Failed(f"the connection failed ({_reason(err)})", maybe_applied=True) from None
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if response.is_success:
            return Reply(media_type, bytes(body), response.headers)
        reason = _http_error(response, media_type, bytes(body), self.endpoint.digest)
        if self.endpoint.password:  # a server may echo what it was sent: never pass that on
            reason = reason.replace(self.endpoint.password, "***")
        raise Failed(reason, status=response.status_code)

    def close(self) -> None:
        self.client.close()


def _reason(err: Exception) -> str:
    return one_line(str(err) or type(err).__name__)


def _http_error(response: httpx.Response, media_type: str, body: bytes, digest: bool) -> str:
    status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    if response.status_code in (401, 403):
        hint = (
            ""
            if digest or response.status_code == 403
            else " (or KG_STORE_AUTH=digest, for digest authentication: Virtuoso's /sparql-auth)"
        )
        return f"{status}: access refused; set KG_STORE_USER and KG_STORE_PASSWORD to an account with access{hint}"
    if 300 <= response.status_code < 400:
        return f"{status}: the server redirects to {public(response.headers.get('location', '?'))!r}; give that URL"
    if media_type.startswith("text/plain") and body.strip():
        message = body.decode("utf-8", "replace").split("\n\nSPARQL query:")[0]  # Virtuoso echoes the query after its message
        return f"{status}: {one_line(message)}{known_fault(message)}"
    return status


def one_line(text: str, limit: int = 300) -> str:
    """A server's message made safe for one terminal line: no control characters, bounded.

    Examples
    --------
    >>> one_line("boom:\\n\\x1b[31mdisk full\\x1b[0m")
    'boom: [31mdisk full [0m'
    """
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: Virtuoso 7.2 (Debian 12's 7.2.5 at least) corrupts its IRI cache when a query running on
#: several threads evicts IRIs from it (more IRIs than ``IriCacheSize``, by default half of
#: ``NumberOfBuffers``: 5,000 in Debian's virtuoso.ini); from then on queries that name the
#: broken IRIs fail with SR477 until the server restarts. Measured on 12,000 claims, rounds of
#: kg's reads: with a 300-IRI cache 7 of 8 failed; adding ``ThreadsPerQuery = 1``, none of 8;
#: with a cache above the store's IRIs, none of 12.
VIRTUOSO_IRI_CACHE = (
    " (Virtuoso's IRI cache broke while a query ran on several threads, a fault of Virtuoso 7.2: restart the server, "
    "and set ThreadsPerQuery = 1, or an IriCacheSize above the number of IRIs in the store, under [Parameters] in its virtuoso.ini)"
)


def known_fault(message: str) -> str:
    """What to do about a fault kg knows in a server's error ``message``, to add to it (else
    nothing): for a query or an update alike.

    Examples
    --------
    >>> known_fault("Virtuoso 22026 Error SR477: Error serializing the value into an ANY column")[:40]
    " (Virtuoso's IRI cache broke while a que"
    >>> known_fault("out of memory")
    ''
    """
    return VIRTUOSO_IRI_CACHE if "Virtuoso 22026 Error SR477" in message else ""
