"""Pull goroutine and heap profiles from a live service's net/http/pprof endpoints.

Every round fetches `goroutine?debug=1` (concurrent and cheap since Go 1.19)
and `heap?gc=1` (after a forced GC, so live objects are live: one GC per round
is little next to a busy service's own). `goroutine?debug=2` carries goroutine
IDs, which let the analysis follow each goroutine from one dump to the next;
it stops the world for the whole dump (and is capped at 64 MB), so it is taken
on `dumps` rounds only, spread evenly from the first to the last (three by
default: two intervals, so that goroutines arriving in the first can be seen
staying through the second). With `trace_s`, the last round also records an
execution trace (`trace?seconds=N`): every scheduling event for N seconds, a few
percent of CPU while it runs and megabytes a second on a busy service, so it is
off by default and short. A service that embeds ctxguard's Go module also serves
its context census (/debug/ctxguard/contexts, live contexts by creation site):
every round takes it, until the service answers anything else (most do not embed it).
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ctxguard.runtime.contexts import census_url
from ctxguard.runtime.contexts import looks_like as looks_like_census


class CaptureError(RuntimeError):
    pass


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$")


def parse_duration(text: str) -> float:
    """ "30s", "500ms", "2m", "1h", "7d" or plain seconds -> seconds."""
    m = _DURATION.match(text.strip())
    if m is None:
        raise ValueError(f"not a duration: {text!r} (use e.g. 500ms, 30s, 2m)")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}[m.group(2)]


@dataclass(frozen=True)
class Capture:
    base: str  # http://host:port (the /debug/pprof/ prefix is added)
    out: Path
    every_s: float = 30.0
    count: int = 10
    timeout_s: float = 30.0
    retries: int = 2
    dumps: int = 3  # rounds that also take goroutine?debug=2
    trace_s: float = 0.0  # an execution trace this long on the last round (0: none)


def _url(base: str, path: str) -> str:
    base = base.rstrip("/")
    if not base.endswith("/debug/pprof"):
        base += "/debug/pprof"
    return f"{base}/{path}"


def _fetch(url: str, timeout: float, retries: int) -> bytes:
    last: Exception | None = None
    for attempt in range(retries + 1):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                return bytes(resp.read())
        except urllib.error.HTTPError as e:
            raise CaptureError(f"{url}: HTTP {e.code} {e.reason}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
            last = e
            time.sleep(min(2.0**attempt * 0.5, 5.0))
    reason = getattr(last, "reason", last)
    raise CaptureError(f"{url}: {reason} (after {retries + 1} attempts)")


def plan(count: int, dumps: int = 3, trace_s: float = 0.0) -> list[list[str]]:
    """What each round fetches: debug=1 and heap every round, debug=2 on `dumps` rounds
    spread evenly over the capture, the first and the last among them, and an execution
    trace of `trace_s` seconds on the last round."""
    n = min(max(dumps, 0), count)
    with_dump = {round(k * (count - 1) / (n - 1)) for k in range(n)} if n > 1 else set(range(n))
    rounds = [
        ["goroutine?debug=1", "heap?gc=1"] + (["goroutine?debug=2"] if i in with_dump else []) for i in range(count)
    ]
    if trace_s > 0 and rounds:
        rounds[-1].append(f"trace?seconds={trace_s:g}")
    return rounds


_NAMES = {
    "goroutine?debug=1": "goroutine-debug1.txt",
    "goroutine?debug=2": "goroutine-debug2.txt",
    "heap?gc=1": "heap.pb.gz",
}


def _census(c: Capture) -> bytes | None:
    """The service's context census; None when it serves none (any error, or an answer that is not
    a census: a catch-all handler's page), and later rounds stop asking."""
    try:
        body = _fetch(census_url(c.base), c.timeout_s, 0)
    except CaptureError:
        return None
    return body if looks_like_census(body[:512]) else None


def run(
    c: Capture, on_round: Callable[[int], None] | None = None, sleep: Callable[[float], None] = time.sleep
) -> list[Path]:
    parsed = urllib.parse.urlparse(c.base)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise CaptureError(f"{c.base}: not an http(s) URL")
    c.out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    start = time.monotonic()
    census = True  # until the service answers 404: most do not embed ctxguard's Go module

    def keep(i: int, name: str, data: bytes) -> None:
        # written as soon as fetched: a file without a time of its own is dated by its mtime
        target = c.out / f"{i:03d}-{name}"
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)  # never leave a half-written capture behind
        written.append(target)

    for i, what in enumerate(plan(c.count, c.dumps, c.trace_s)):
        for path in what:
            tracing = path.startswith("trace?")
            # a trace answers only once it has run its seconds
            data = _fetch(_url(c.base, path), c.timeout_s + (c.trace_s if tracing else 0), c.retries)
            keep(i, "trace.out" if tracing else _NAMES[path], data)
        if census:
            body = _census(c)
            census = body is not None
            if body is not None:
                keep(i, "contexts.json", body)
        if on_round:
            on_round(i + 1)
        if i + 1 < c.count:
            sleep(max(0.0, start + (i + 1) * c.every_s - time.monotonic()))
    return written
