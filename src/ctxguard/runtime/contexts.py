"""The census of live contexts a service keeps with ctxguard's Go module (`ctxtrack`, served at
/debug/ctxguard/contexts as JSON): per creation site, contexts derived, cancelled, collected by the
garbage collector with their cancel never called, and alive now.

Counts are of the derivations the service tracked (its sample rate); `scaled` multiplies them back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import IO, Any

MARKER = "ctxguard_contexts"  # the format's marker and version field
VERSION = 1
PATH = "/debug/ctxguard/contexts"  # where a service mounts ctxtrack.Handler, beside /debug/pprof
MAX_BYTES = 64 << 20
MIN_SAMPLE_RATE = 1e-6  # a rarer sample says nothing, and its scaled counts overflow
MAX_NUMBER = 1e18  # counts and seconds beyond this are corrupt (and NaN fails every comparison)
_FRACTION = re.compile(r"(\.\d+)")


class ContextsError(ValueError):
    """One line naming the input and what is wrong with it."""


@dataclass(frozen=True)
class ContextSite:
    function: str
    file: str
    line: int
    kind: str  # WithCancel, WithTimeout, ...
    created: int
    cancelled: int
    collected_uncancelled: int  # garbage-collected with their cancel never called
    live: int  # alive now, cancel not yet called
    over_max_age: int  # of live, older than the census' max age
    oldest_age_s: float


@dataclass(frozen=True)
class ContextCensus:
    time: datetime | None
    go_version: str
    sample_rate: float
    max_age_s: float
    sites: tuple[ContextSite, ...]  # most live first

    def scaled(self, n: int) -> int:
        """A tracked count as an estimate of all derivations."""
        return round(n / self.sample_rate) if self.sample_rate > 0 else n


def census_url(base: str) -> str:
    """Where a service serves its census: beside /debug/pprof on the same origin, `base` being the
    origin or its /debug/pprof."""
    return base.rstrip("/").removesuffix("/debug/pprof") + PATH


def looks_like(head: bytes) -> bool:
    """Whether the first bytes of an input are a census (JSON naming the marker early)."""
    return head.lstrip().startswith(b"{") and f'"{MARKER}"'.encode() in head


_SITE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "function": str,
    "file": str,
    "line": int,
    "kind": str,
    "created": int,
    "cancelled": int,
    "collected_uncancelled": int,
    "live": int,
    "over_max_age": int,
    "oldest_age_s": (int, float),
}


def decode(stream: IO[bytes], source: str) -> ContextCensus:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ContextsError(f"{source}: a context census larger than {MAX_BYTES >> 20} MB")
    try:
        doc = json.loads(data, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:  # JSONDecodeError is a ValueError
        raise ContextsError(f"{source}: not valid JSON: {str(e).splitlines()[0][:200]}") from None
    found = doc.get(MARKER) if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or type(found) is not int or found != VERSION:
        raise ContextsError(f"{source}: not a version {VERSION} context census ({MARKER} is {found!r})")
    rate = _number(doc, "sample_rate", source)
    if not MIN_SAMPLE_RATE <= rate <= 1:
        raise ContextsError(f"{source}: sample_rate must be in [{MIN_SAMPLE_RATE:g}, 1], got {rate}")
    sites = doc.get("sites")
    if not isinstance(sites, list):
        raise ContextsError(f"{source}: sites: expected a list")
    return ContextCensus(
        time=_time(doc.get("time"), source),
        go_version=_text(doc.get("go_version", ""), "go_version", source),
        sample_rate=rate,
        max_age_s=_number(doc, "max_age_s", source),
        sites=_merged(_site(s, i, source) for i, s in enumerate(sites)),
    )


def _merged(sites: Iterable[ContextSite]) -> tuple[ContextSite, ...]:
    """One site per (file, line, kind), most live first: the Go side keys sites by program counter,
    and one line can have several (a helper inlined into two callers, generic instantiations)."""
    by_key: dict[tuple[str, int, str], ContextSite] = {}
    for s in sites:
        key = (s.file, s.line, s.kind)
        if (old := by_key.get(key)) is not None:
            s = replace(
                old,
                created=old.created + s.created,
                cancelled=old.cancelled + s.cancelled,
                collected_uncancelled=old.collected_uncancelled + s.collected_uncancelled,
                live=old.live + s.live,
                over_max_age=old.over_max_age + s.over_max_age,
                oldest_age_s=max(old.oldest_age_s, s.oldest_age_s),
            )
        by_key[key] = s
    return tuple(sorted(by_key.values(), key=lambda s: (-s.live, s.file, s.line)))


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _text(v: object, key: str, source: str) -> str:
    if not isinstance(v, str):
        raise ContextsError(f"{source}: {key}: expected a string, got {v!r}")
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        raise ContextsError(f"{source}: {key}: not valid Unicode") from None
    return v


def _number(doc: dict[str, Any], key: str, source: str) -> float:
    v = doc.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < MAX_NUMBER:
        raise ContextsError(f"{source}: {key}: expected a non-negative number, got {v!r}")
    return float(v)


def _time(v: object, source: str) -> datetime | None:
    if v is None:
        return None
    if not isinstance(v, str):
        raise ContextsError(f"{source}: time: expected an RFC 3339 string, got {v!r}")
    try:
        # Go writes up to nanoseconds; Python reads at most microseconds
        when = datetime.fromisoformat(_FRACTION.sub(lambda m: m.group(1)[:7], v.replace("Z", "+00:00")))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise ContextsError(f"{source}: time: not an RFC 3339 time with a UTC offset: {v[:64]!r}")
    return when


def _site(s: object, i: int, source: str) -> ContextSite:
    if not isinstance(s, dict):
        raise ContextsError(f"{source}: sites[{i}]: expected an object")
    for key, kind in _SITE_FIELDS.items():
        v = s.get(key)
        if kind is str:
            _text(v, f"sites[{i}].{key}", source)
        elif isinstance(v, bool) or not isinstance(v, kind) or not 0 <= v < MAX_NUMBER:  # type: ignore[operator]
            raise ContextsError(f"{source}: sites[{i}].{key}: expected {_describe(kind)}, got {v!r}")
    return ContextSite(
        function=s["function"],
        file=s["file"],
        line=s["line"],
        kind=s["kind"],
        created=s["created"],
        cancelled=s["cancelled"],
        collected_uncancelled=s["collected_uncancelled"],
        live=s["live"],
        over_max_age=s["over_max_age"],
        oldest_age_s=float(s["oldest_age_s"]),
    )


def _describe(kind: type | tuple[type, ...]) -> str:
    return "a string" if kind is str else "a non-negative number"
