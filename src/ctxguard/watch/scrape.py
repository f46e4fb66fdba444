"""One pprof request to one target, bounded in time and size, decoded into a Snapshot.

Every way a target can misbehave costs only its own request: a hang or a slow
drip ends at the deadline (connect to last byte, not per read), a huge answer
is cut at `max_body` and counted as a failure, garbage is a decode error, and
5xx and resets are failures. Bodies spool to disk past 1 MB and decode as a
stream, so memory stays bounded by the number of distinct stacks, not by
what a target sends.
"""

from __future__ import annotations

import asyncio
import io
import ssl
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import IO

import httpx

from ctxguard.runtime.contexts import PATH as CENSUS_PATH
from ctxguard.runtime.contexts import census_url
from ctxguard.runtime.load import InputError, load_stream
from ctxguard.runtime.model import Snapshot
from ctxguard.watch.config import ScrapeOptions

GOROUTINES = "goroutine?debug=1"
DUMP = "goroutine?debug=2"
HEAP = "heap?gc=1"
TRACE = "trace?seconds="  # + the duration: answers only once it has run
CENSUS = CENSUS_PATH  # ctxguard's Go module, when the service embeds it
SPOOL_BYTES = 1 << 20


class ScrapeError(RuntimeError):
    """One line: which endpoint and what went wrong (never a credential)."""

    def __init__(self, message: str, kind: str, status: int = 0) -> None:
        super().__init__(message)
        self.kind = kind  # timeout | too-large | http | connection | decode | config
        self.status = status  # the HTTP status of an `http` failure answered by the target


@dataclass(frozen=True)
class Scraped:
    snapshot: Snapshot
    raw: bytes | None  # the body, kept only when asked (evidence bundles)
    seconds: float
    size: int


def endpoint(base: str, path: str) -> str:
    """`path` under the target's /debug/pprof, or the census of ctxguard's Go module beside it."""
    if path == CENSUS:
        return census_url(base)
    base = base.rstrip("/")
    if not base.endswith("/debug/pprof"):
        base += "/debug/pprof"
    return f"{base}/{path}"


def client_for(opts: ScrapeOptions, timeout_s: float, limit: int, agent: str) -> httpx.AsyncClient:
    """A client per distinct set of scrape options (TLS material differs per target group)."""
    verify: ssl.SSLContext | bool = True
    if opts.tls.insecure_skip_verify:
        verify = False
    elif opts.tls.ca_file or opts.tls.cert_file:
        ctx = ssl.create_default_context(cafile=opts.tls.ca_file or None)
        if opts.tls.cert_file:
            ctx.load_cert_chain(opts.tls.cert_file, opts.tls.key_file)
        verify = ctx
    return httpx.AsyncClient(
        verify=verify,
        timeout=httpx.Timeout(timeout_s),
        limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
        follow_redirects=False,
        trust_env=False,  # a proxy from the environment must not see the fleet's pprof
        headers={"User-Agent": f"ctxguard-watch ({agent})", "Accept-Encoding": "gzip"},
    )


def _token(opts: ScrapeOptions) -> str:
    if not opts.bearer_token_file:
        return ""
    try:
        with open(opts.bearer_token_file, encoding="utf-8") as fh:
            return fh.read().strip()  # re-read each time: tokens rotate
    except OSError as e:
        raise ScrapeError(f"{opts.bearer_token_file}: cannot read the bearer token: {e.strerror}", "config") from None


async def fetch(
    client: httpx.AsyncClient,
    opts: ScrapeOptions,
    base: str,
    path: str,
    timeout_s: float,
    max_body: int,
    keep_raw: bool = False,
) -> Scraped:
    url = endpoint(base, path)
    headers = {"Authorization": f"Bearer {tok}"} if (tok := _token(opts)) else {}
    start = time.monotonic()
    at = datetime.now(UTC)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        size = 0
        try:
            async with (
                asyncio.timeout(timeout_s),
                client.stream("GET", url, headers=headers, timeout=timeout_s) as resp,
            ):
                if resp.status_code != 200:
                    raise ScrapeError(f"{url}: HTTP {resp.status_code}", "http", resp.status_code)
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > max_body:
                        raise ScrapeError(f"{url}: answer larger than max-body ({max_body} bytes)", "too-large")
                    spool.write(chunk)
        except TimeoutError:
            raise ScrapeError(f"{url}: no complete answer within {timeout_s:g} s", "timeout") from None
        except httpx.HTTPError as e:
            kind = "connection" if isinstance(e, httpx.NetworkError | httpx.RemoteProtocolError) else "http"
            raise ScrapeError(f"{url}: {type(e).__name__}: {e or 'connection failed'}", kind) from None
        seconds = time.monotonic() - start
        spool.seek(0)
        snap = await asyncio.to_thread(_decode, spool, url, at)
        raw = None
        if keep_raw:
            spool.seek(0)
            raw = spool.read()
        return Scraped(snap, raw, seconds, size)


def _decode(spool: IO[bytes], url: str, at: datetime) -> Snapshot:
    try:
        snap = load_stream(io.BufferedReader(_Raw(spool), 1 << 16), url)
    except InputError as e:
        raise ScrapeError(str(e), "decode") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise ScrapeError(f"{url}: undecodable answer: {e}", "decode") from None
    # the agent's clock, always: a heap profile carries the target's, and a window mixing two clocks
    # misplaces a restart or a trend
    return replace(snap, time=at)


class _Raw(io.RawIOBase):
    """A spooled file as a raw stream, so load_stream can peek and stream it."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._fh.read(len(b))
        n = len(data)
        b[:n] = data
        return n
