"""The Snapshot: one capture of one process at one time, whatever format it came in.

Goroutines are grouped by a normalised stack signature (argument values,
addresses and goroutine IDs dropped), so memory is bounded by the number of
distinct stacks, not the number of goroutines.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

RUNTIME_PREFIXES = ("runtime.", "runtime/internal/", "internal/")


@dataclass(frozen=True)
class Frame:
    function: str  # "main.(*Server).handle.func1"
    file: str = ""
    line: int = 0

    @property
    def package(self) -> str:
        """The import path: "net/http" for "net/http.(*conn).serve"."""
        slash = self.function.rfind("/")
        dot = self.function.find(".", slash + 1)
        return self.function[:dot] if dot > 0 else self.function

    @property
    def is_runtime(self) -> bool:
        return self.function.startswith(RUNTIME_PREFIXES)

    @property
    def is_stdlib(self) -> bool:
        """Standard library: the first path element has no dot (and it is not main)."""
        first = self.package.split("/", 1)[0]
        return "." not in first and self.package != "main"

    def __str__(self) -> str:
        return f"{self.function} ({self.file}:{self.line})" if self.file else self.function


@dataclass(frozen=True)
class Stack:
    frames: tuple[Frame, ...]  # leaf first
    elided: int = 0  # frames the runtime left out of the middle (-1: an unknown number)

    @property
    def signature(self) -> str:
        """Stable identity of the stack across formats: functions and lines, leaf first,
        hashed, without the leading runtime frames (debug=1 profiles hide them)."""
        h = hashlib.blake2b(digest_size=8)
        frames = self.frames
        i = 0
        while i < len(frames) - 1 and frames[i].is_runtime:
            i += 1
        for f in frames[i:]:
            h.update(f"{f.function}\0{f.file}\0{f.line}\n".encode())
        return h.hexdigest()

    def location(self) -> Frame | None:
        """Where the code that owns this goroutine waits: the first frame of the
        program itself, else the first frame outside the runtime."""
        for f in self.frames:
            if not f.is_runtime and not f.is_stdlib:
                return f
        return next((f for f in self.frames if not f.is_runtime), self.frames[0] if self.frames else None)


@dataclass(frozen=True)
class GoroutineGroup:
    """Goroutines with the same stack (and creator and labels)."""

    stack: Stack
    count: int
    states: tuple[tuple[str, int], ...] = ()  # wait reason -> goroutines, most first
    wait_minutes: tuple[tuple[int, int], ...] = ()  # minutes waited -> goroutines (0: not stamped yet)
    creator: Frame | None = None
    labels: tuple[tuple[str, str], ...] = ()
    locked: int = 0  # goroutines locked to an OS thread
    leaked: int = 0  # marked (leaked) by the GC-based leak detector

    @property
    def key(self) -> str:
        creator = f"{self.creator.function}:{self.creator.line}" if self.creator else ""
        return f"{self.stack.signature}:{hashlib.blake2b(creator.encode(), digest_size=4).hexdigest()}"

    @property
    def state(self) -> str:
        return self.states[0][0] if self.states else ""


@dataclass(frozen=True)
class HeapRecord:
    """Live (in-use) and allocated totals of one allocation stack."""

    stack: Stack
    inuse_objects: int
    inuse_bytes: int
    alloc_objects: int = 0
    alloc_bytes: int = 0


@dataclass(frozen=True)
class SchedSample:
    at_ms: int
    gomaxprocs: int
    idleprocs: int
    threads: int
    spinningthreads: int = 0
    needspinning: int = 0
    idlethreads: int = 0
    runqueue: int = 0
    local_runqueues: tuple[int, ...] = ()
    waits: tuple[tuple[str, int], ...] = ()  # from scheddetail: goroutines per wait reason


@dataclass(frozen=True)
class Snapshot:
    source: str  # file or URL it came from
    format: str  # goroutine-text | goroutine-debug1 | goroutine-pprof | heap-pprof | heap-debug1 | schedtrace
    time: datetime | None = None
    goroutines: int = 0  # total goroutines seen (or declared by the profile)
    groups: tuple[GoroutineGroup, ...] = ()
    heap: tuple[HeapRecord, ...] = ()
    sched: tuple[SchedSample, ...] = ()
    truncated: bool = False  # the input ended in the middle (e.g. debug=2's 64 MB cap)
    notes: tuple[str, ...] = field(default=())  # what the decoder noticed: go version hints, elisions
