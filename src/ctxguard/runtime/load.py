"""Open what an SRE has - a file, a directory of captures - and decode it into
Snapshots, detecting the format from the content, not the name."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ctxguard.runtime import contexts, debug1, goroutine_text, pprof, schedtrace
from ctxguard.runtime.model import Snapshot
from ctxguard.runtime.trace.lifetimes import read_lifetimes_stream
from ctxguard.runtime.trace.wire import TraceError


class InputError(ValueError):
    """One line saying which input and what is wrong with it."""


_DECODE_ERRORS = (
    goroutine_text.DumpError,
    debug1.Debug1Error,
    pprof.ProfileError,
    schedtrace.SchedError,
    contexts.ContextsError,
)
_SNIFF_LINES = 2000
_SNIFF_BYTES = 1 << 16


def load_stream(stream: io.BufferedReader[Any], source: str) -> Snapshot:
    """Decode one input, sniffing its format; text is streamed line by line."""
    try:
        head = stream.peek(512)[:512]
        if head.startswith(b"go 1.") and b" trace\x00" in head[:16]:
            return _load_trace(stream, source)
        if contexts.looks_like(head):
            census = contexts.decode(stream, source)
            return Snapshot(source, "contexts", time=census.time, contexts=census)
        if pprof.is_gzip(head):
            inner = io.BufferedReader(gzip.GzipFile(fileobj=stream), buffer_size=_SNIFF_BYTES)
            if _is_text(inner.peek(512)[:512]):
                return _load_text(inner, source)  # a gzipped dump
            return pprof.decode(inner.read(), source)
        if not _is_text(head):
            return pprof.decode(stream.read(), source)
        return _load_text(stream, source)
    except _DECODE_ERRORS as e:
        raise InputError(str(e)) from None
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(f"{source}: corrupt or truncated compressed data ({e})") from None


def _load_trace(stream: io.BufferedReader[Any], source: str) -> Snapshot:
    """A Go execution trace (`runtime/trace`, `/debug/pprof/trace`): goroutine lifetimes, no stacks now."""
    try:
        lifetimes = read_lifetimes_stream(stream, source)
    except TraceError as e:
        raise InputError(str(e)) from None
    notes = (lifetimes.note,) if lifetimes.note else ()
    return Snapshot(source, "trace", truncated=lifetimes.truncated, notes=notes, lifetimes=lifetimes)


def _is_text(head: bytes) -> bool:
    """Protobuf is full of control bytes; dumps and profiles in text are not."""
    return not any(b < 9 or 13 < b < 32 for b in head)


def _load_text(stream: io.BufferedReader[Any], source: str) -> Snapshot:
    """Sniff the first lines (peeked, not consumed), then hand the stream to its decoder."""
    head = stream.peek(_SNIFF_BYTES)[:_SNIFF_BYTES].decode("utf-8", "replace")
    for stripped in (line.strip() for line in head.splitlines()[:_SNIFF_LINES]):
        if not stripped:
            continue
        if goroutine_text.HEADER.match(stripped):
            return goroutine_text.decode_stream(stream, source)
        if debug1.GOROUTINE_HEADER.match(stripped) or debug1.HEAP_HEADER.match(stripped):
            lines = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="")
            first = next(line for line in lines if line.strip())
            if debug1.HEAP_HEADER.match(first.strip()):
                return debug1.decode_heap(first, lines, source)
            return debug1.decode_goroutines(first, lines, source)
        if stripped.startswith("SCHED "):
            return schedtrace.decode(io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=""), source)
    raise InputError(
        f"{source}: unrecognised format (expected a goroutine dump, a debug=1 profile, "
        "a pprof profile, schedtrace output, an execution trace or a context census)"
    )


def load_file(path: str) -> Snapshot:
    """Decode a file; a snapshot with no time of its own takes the file's modification time."""
    try:
        with open(path, "rb", buffering=0) as raw, io.BufferedReader(raw, _SNIFF_BYTES) as fh:
            snap = load_stream(fh, path)
        when = datetime.fromtimestamp(os.path.getmtime(path), UTC)
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    return snap if snap.time is not None else replace(snap, time=when)
