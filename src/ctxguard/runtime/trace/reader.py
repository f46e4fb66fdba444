"""Streaming reader: batches -> generations -> goroutine state transitions.

Each generation is read whole before its events are decoded (as Go's own reader
does: a generation's string and stack tables may come after the events that use
them), then the per-M event streams are merged by timestamp and fed to a
goroutine state machine, which reports creations, ends and waits to a ``Sink``.
A generation's event batches wait in a spill file (in memory up to
``SPILL_IN_MEMORY``, on disk past it), so memory is the generation's string and
stack tables, one batch per M while merging, and one entry per live goroutine
and M: not the events, however busy the traced second was.
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, BinaryIO, Protocol

from . import spec
from .wire import (
    END_OF_GENERATION,
    Batch,
    ByteStream,
    Frame,
    Malformed,
    RawFrame,
    TraceError,
    Truncated,
    iter_batches,
    parse_header,
    parse_stacks,
    parse_strings,
    parse_sync,
)

PREEXISTING = Frame("(existed at trace start)", "", 0)
NO_STACK = Frame("(no stack)", "", 0)
UNKNOWN_REASON = "(unknown)"
SPILL_IN_MEMORY = 8 << 20  # a generation's event batches past this go to a temporary file


class Sink(Protocol):
    """Receiver of goroutine lifetime facts, in timestamp order."""

    def on_create(self, g: int, ts: int, site: Frame, preexisting: bool) -> None: ...
    def on_end(self, g: int, ts: int) -> None: ...
    def on_wait(self, g: int, reason: str, ticks: int) -> None: ...


@dataclass(frozen=True)
class ReadSummary:
    """What the reader saw, besides what it told the sink."""

    version: int
    generations: int
    freq: int  # timestamp ticks per second (0 if never seen)
    first_ts: int
    last_ts: int
    truncated: bool
    note: str = ""


@dataclass(frozen=True)
class _Spilled:
    """Where an event batch waits in the generation's spill file."""

    offset: int
    size: int
    ts: int


@dataclass
class _Generation:
    gen: int
    # closed when the generation is flushed, or by read_stream when it never is
    spill: IO[bytes] = field(default_factory=lambda: tempfile.SpooledTemporaryFile(SPILL_IN_MEMORY))  # noqa: SIM115
    events: dict[int, list[_Spilled]] = field(default_factory=dict)  # per M, in order
    strings: dict[int, str] = field(default_factory=dict)
    stacks: dict[int, tuple[RawFrame, ...]] = field(default_factory=dict)
    freq: int = 0
    clock_snapshot: bool = False
    ends_with_strings: bool = False  # before Go 1.26, the runtime's last write of a generation


_GOROUTINE_EVENTS = frozenset(
    {
        spec.EV_GO_CREATE,
        spec.EV_GO_CREATE_SYSCALL,
        spec.EV_GO_START,
        spec.EV_GO_DESTROY,
        spec.EV_GO_DESTROY_SYSCALL,
        spec.EV_GO_STOP,
        spec.EV_GO_BLOCK,
        spec.EV_GO_UNBLOCK,
        spec.EV_GO_SYSCALL_END_BLOCKED,
        spec.EV_GO_STATUS,
        spec.EV_GO_SWITCH,
        spec.EV_GO_SWITCH_DESTROY,
        spec.EV_GO_CREATE_BLOCKED,
        spec.EV_GO_STATUS_STACK,
    }
)

Event = tuple[int, int, int, int, list[int]]  # (timestamp, seq, type, M, args incl. dt)


def _decode(spill: IO[bytes], batches: list[_Spilled], nargs: list[int], m: int) -> Iterator[Event]:
    """Goroutine events of one M's batches, timestamps made absolute; each batch is read back
    from the spill file only when the merge reaches it."""
    wanted = _GOROUTINE_EVENTS
    seq = 0  # keeps one M's order among equal timestamps when merging
    for b in batches:
        spill.seek(b.offset)
        data = spill.read(b.size)
        end = len(data)
        pos = 0
        ts = b.ts
        try:
            while pos < end:
                typ = data[pos]
                n = nargs[typ]
                if n <= 0:
                    raise Malformed(f"M {m}: event type {typ} cannot appear in an event batch")
                pos += 1
                args: list[int] = []
                for _ in range(n):  # LEB128, inlined: this loop is the hot path
                    v = data[pos]
                    pos += 1
                    if v >= 0x80:
                        v &= 0x7F
                        shift = 7
                        while True:
                            c = data[pos]
                            pos += 1
                            v |= (c & 0x7F) << shift
                            if c < 0x80:
                                break
                            shift += 7
                            if shift > 63:
                                raise Malformed(f"M {m}: varint longer than 10 bytes")
                    args.append(v)
                ts += args[0]
                if typ in wanted:
                    seq += 1
                    yield (ts, seq, typ, m, args)
        except IndexError:
            raise Malformed(f"M {m}: event runs past the end of its batch") from None


class _Machine:
    """Goroutine state machine over merged events of successive generations."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.alive: set[int] = set()
        self.waiting: dict[int, tuple[int, str]] = {}
        self.running: dict[int, int] = {}  # M -> goroutine
        self.last_ts = 0
        self.first_ts = -1

    def _resume(self, g: int, ts: int) -> None:
        w = self.waiting.pop(g, None)
        if w is not None:
            self.sink.on_wait(g, w[1], max(0, ts - w[0]))

    def _end(self, g: int | None, ts: int) -> None:
        if g is None or g not in self.alive:
            return
        self._resume(g, ts)
        self.alive.discard(g)
        self.sink.on_end(g, ts)

    def _create(self, g: int, ts: int, site: Frame, pre: bool) -> None:
        if g in self.alive:
            raise Malformed(f"goroutine {g} created twice")
        self.alive.add(g)
        self.sink.on_create(g, ts, site, pre)

    def feed(self, gen: _Generation, events: Iterator[Event]) -> None:
        strings, stacks = gen.strings, gen.stacks

        def site(stack_id: int) -> Frame:
            frames = stacks.get(stack_id)
            if not frames:
                return NO_STACK
            fn, fl, line = frames[0]
            return Frame(strings.get(fn, "?"), strings.get(fl, "?"), line)

        running = self.running
        for ts, _, typ, m, a in events:
            if self.first_ts < 0:
                self.first_ts = ts
            if ts > self.last_ts:
                self.last_ts = ts
            if typ == spec.EV_GO_START or typ == spec.EV_GO_UNBLOCK:
                self._resume(a[1], ts)
                if typ == spec.EV_GO_START:
                    running[m] = a[1]
            elif typ == spec.EV_GO_BLOCK:
                g = running.pop(m, None)
                if g is not None:
                    self.waiting[g] = (ts, strings.get(a[1], UNKNOWN_REASON))
            elif typ == spec.EV_GO_STOP or typ == spec.EV_GO_SYSCALL_END_BLOCKED:
                running.pop(m, None)
            elif typ == spec.EV_GO_CREATE or typ == spec.EV_GO_CREATE_BLOCKED:
                self._create(a[1], ts, site(a[3]), False)
                if typ == spec.EV_GO_CREATE_BLOCKED:
                    self.waiting[a[1]] = (ts, "coroutine")
            elif typ == spec.EV_GO_CREATE_SYSCALL:
                self._create(a[1], ts, NO_STACK, False)
                running[m] = a[1]
            elif typ == spec.EV_GO_DESTROY or typ == spec.EV_GO_DESTROY_SYSCALL:
                self._end(running.pop(m, None), ts)
            elif typ == spec.EV_GO_STATUS or typ == spec.EV_GO_STATUS_STACK:
                g, m_arg, status = a[1], a[2], a[3]
                if g not in self.alive:
                    self._create(g, ts, PREEXISTING, True)
                    if status == spec.GO_WAITING:
                        self.waiting[g] = (ts, UNKNOWN_REASON)
                if status == spec.GO_RUNNING or status == spec.GO_SYSCALL:
                    running[m_arg] = g
            elif typ == spec.EV_GO_SWITCH or typ == spec.EV_GO_SWITCH_DESTROY:
                g = running.get(m)
                if g is not None:
                    if typ == spec.EV_GO_SWITCH:
                        self.waiting[g] = (ts, "coroutine")
                    else:
                        self._end(g, ts)
                self._resume(a[1], ts)
                running[m] = a[1]

    def finish(self) -> None:
        for g, (since, reason) in sorted(self.waiting.items()):
            self.sink.on_wait(g, reason, max(0, self.last_ts - since))
        self.waiting.clear()


def _classify(g: _Generation, b: Batch, version: int) -> None:
    if b.exp != 0:
        return  # experimental batch: skipped whole, by its declared size
    data = b.data
    head = data[0] if data else -1
    g.ends_with_strings = head == spec.EV_STRINGS
    if head == spec.EV_STRINGS:
        parse_strings(data, g.strings)
    elif head == spec.EV_STACKS:
        parse_stacks(data, g.stacks)
    elif head == spec.EV_CPU_SAMPLES:
        return
    elif (head == spec.EV_FREQUENCY and version < 25) or (head == spec.EV_SYNC and version >= 25):
        freq, snapshot = parse_sync(data, version)
        g.freq = freq or g.freq
        g.clock_snapshot = g.clock_snapshot or snapshot
    else:
        at = g.spill.seek(0, 2)
        g.spill.write(b.data)
        g.events.setdefault(b.m, []).append(_Spilled(at, len(b.data), b.ts))


def _complete(g: _Generation, version: int) -> bool:
    return g.freq > 0 and (version < 25 or g.clock_snapshot)


def _whole_at_end(g: _Generation, version: int) -> bool:
    """Whether a pre-1.26 generation the input ends in was written out whole.

    Those traces have no end-of-generation marker: the runtime writes a
    generation's stack table and then its string table last, so input cut at a
    batch boundary shows as a generation not ending in strings, or with stacks
    naming strings never written.
    """
    if not (_complete(g, version) and g.ends_with_strings):
        return False
    named = g.strings.keys() | {0}  # ID 0 is the empty string, never written
    return all(fn in named and fl in named for frames in g.stacks.values() for fn, fl, _ in frames)


def read_stream(f: BinaryIO, name: str, sink: Sink) -> ReadSummary:
    """Read a whole trace from ``f``, reporting goroutine facts to ``sink``.

    Raises TraceError (one line, naming ``name``) for input that is not a
    Go 1.22+ trace or is malformed; a trace cut short yields a summary with
    ``truncated`` set, covering the complete generations before the cut.
    """
    s = ByteStream(f)
    version = 0
    machine = _Machine(sink)
    generations = 0
    freq = 0
    truncated = False
    note = ""
    cur: _Generation | None = None

    def flush(g: _Generation) -> None:
        nonlocal generations, freq
        streams = [_decode(g.spill, bs, nargs, m) for m, bs in g.events.items()]
        try:
            machine.feed(g, heapq.merge(*streams))
        except Malformed as e:
            raise Malformed(f"generation {g.gen}: {e}") from None
        finally:
            g.spill.close()
        generations += 1
        freq = freq or g.freq

    try:
        try:
            head = s.read(16)
        except Truncated:
            raise Malformed("not a Go execution trace (shorter than the header)") from None
        version = parse_header(head)
        nargs = spec.timed_nargs(version)
        for b in iter_batches(s, version):
            if b is END_OF_GENERATION:
                if cur is not None:
                    if not _complete(cur, version):
                        raise Malformed(f"generation {cur.gen} has no frequency/clock event")
                    flush(cur)
                cur = None
                continue
            if cur is not None and b.gen != cur.gen:
                if version >= 26 or b.gen != cur.gen + 1:
                    raise Malformed(f"generation {b.gen} batch inside generation {cur.gen}")
                if not _complete(cur, version):
                    raise Malformed(f"generation {cur.gen} has no frequency event")
                flush(cur)
                cur = None
            if cur is None:
                cur = _Generation(b.gen)
            try:
                _classify(cur, b, version)
            except Malformed as e:
                m = "none" if b.m == (1 << 64) - 1 else b.m
                raise Malformed(f"generation {cur.gen}, M {m}: {e}") from None
        if cur is not None:
            if version < 26 and _whole_at_end(cur, version):
                flush(cur)
            else:
                truncated, note = True, f"generation {cur.gen} incomplete"
        elif generations == 0:
            # a header and nothing else: every trace has at least one generation, so it was cut
            truncated, note = True, "no generation after the header"
    except Truncated as e:
        truncated, note = True, str(e)
    except Malformed as e:
        raise TraceError(f"{name}: {e}") from None
    finally:
        if cur is not None:
            cur.spill.close()  # a generation never flushed: cut, or malformed
    machine.finish()
    first = max(machine.first_ts, 0)
    return ReadSummary(version, generations, freq, first, machine.last_ts, truncated, note)
