"""Wire level of Go execution traces: header, batches, LEB128, string/stack tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from . import spec


class TraceError(Exception):
    """The input is not a readable Go 1.22+ execution trace (one-line message)."""


class Malformed(Exception):
    """Internal: malformed bytes; the reader turns it into a TraceError."""


class Truncated(Exception):
    """Internal: the input ended in the middle of a batch."""


_HEADER = re.compile(rb"go 1\.(\d+) trace\x00\x00\x00")
HEADER_SIZE = 16


def parse_header(head: bytes) -> int:
    """Return the format version (22, 23, 25, 26) from the 16-byte header."""
    m = _HEADER.fullmatch(head[:HEADER_SIZE])
    if m is None:
        raise Malformed("bad header: not a Go execution trace")
    minor = int(m.group(1))
    if minor < 22:
        raise Malformed(
            f"trace written by Go 1.{minor}: formats before Go 1.22 are not supported "
            "(re-capture with Go 1.22 or later)"
        )
    if minor not in spec.VERSION_EVENTS:
        raise Malformed(f"unsupported trace format version go 1.{minor}")
    return minor


def uvarint(buf: bytes, pos: int) -> tuple[int, int]:
    """Decode an unsigned LEB128 value at pos; return (value, next position)."""
    value = 0
    shift = 0
    end = len(buf)
    while True:
        if pos >= end:
            raise Malformed("varint runs past the end of its batch")
        b = buf[pos]
        pos += 1
        if b < 0x80:
            if shift == 63 and b > 1:
                raise Malformed("varint overflows 64 bits")
            return value | (b << shift), pos
        value |= (b & 0x7F) << shift
        shift += 7
        if shift > 63:
            raise Malformed("varint longer than 10 bytes")


@dataclass(frozen=True)
class Batch:
    """One batch: its header and undecoded body. ``exp`` is the experiment ID (0: none)."""

    gen: int
    m: int
    ts: int
    data: bytes
    exp: int = 0


END_OF_GENERATION = Batch(0, -1, 0, b"", -1)


class ByteStream:
    """Buffered forward-only reader over a binary file, tracking the offset."""

    def __init__(self, f: BinaryIO, chunk: int = 1 << 20) -> None:
        self._f = f
        self._chunk = chunk
        self._buf = b""
        self._pos = 0
        self.offset = 0  # absolute offset of the next unread byte

    def _fill(self, need: int) -> bool:
        while len(self._buf) - self._pos < need:
            more = self._f.read(max(self._chunk, need))
            if not more:
                return False
            self._buf = self._buf[self._pos :] + more
            self._pos = 0
        return True

    def at_eof(self) -> bool:
        return not self._fill(1)

    def read(self, n: int) -> bytes:
        if not self._fill(n):
            raise Truncated(f"input ends inside a batch (offset {self.offset})")
        out = self._buf[self._pos : self._pos + n]
        self._pos += n
        self.offset += n
        return out

    def byte(self) -> int:
        return self.read(1)[0]

    def uvarint(self) -> int:
        value = 0
        for shift in range(0, 70, 7):
            b = self.byte()
            value |= (b & 0x7F) << shift
            if b < 0x80:
                if value >= 1 << 64:
                    raise Malformed("varint overflows 64 bits")
                return value
        raise Malformed("varint longer than 10 bytes")


def iter_batches(s: ByteStream, version: int) -> Iterator[Batch]:
    """Yield batches until EOF; END_OF_GENERATION for Go 1.26's in-band marker."""
    while not s.at_eof():
        start = s.offset
        typ = s.byte()
        if typ == spec.EV_END_OF_GENERATION and version >= 26:
            yield END_OF_GENERATION
            continue
        exp = 0
        if typ == spec.EV_EXPERIMENTAL_BATCH and version >= 23:
            exp = s.byte()
        elif typ != spec.EV_EVENT_BATCH:
            raise Malformed(f"offset {start}: expected a batch, found event type {typ}")
        gen, m, ts, size = s.uvarint(), s.uvarint(), s.uvarint(), s.uvarint()
        if size > spec.MAX_BATCH_SIZE:
            raise Malformed(f"offset {start}: batch size {size} exceeds {spec.MAX_BATCH_SIZE}")
        if gen == 0:
            raise Malformed(f"offset {start}: invalid generation 0")
        yield Batch(gen, m, ts, s.read(size), exp)


@dataclass(frozen=True)
class Frame:
    """One stack frame as written in the stack table."""

    function: str
    file: str
    line: int


def parse_strings(data: bytes, out: dict[int, str]) -> None:
    """Add the entries of an EvStrings batch body to ``out``."""
    pos = 1
    end = len(data)
    while pos < end:
        if data[pos] != spec.EV_STRING:
            raise Malformed(f"expected a string entry, found event type {data[pos]}")
        sid, pos = uvarint(data, pos + 1)
        n, pos = uvarint(data, pos)
        if n > spec.MAX_STRING_SIZE or pos + n > end:
            raise Malformed(f"bad string length {n}")
        if sid in out:
            raise Malformed(f"duplicate string ID {sid}")
        out[sid] = data[pos : pos + n].decode("utf-8", "replace")
        pos += n


RawFrame = tuple[int, int, int]  # (func string ID, file string ID, line)


def parse_stacks(data: bytes, out: dict[int, tuple[RawFrame, ...]]) -> None:
    """Add the entries of an EvStacks batch body to ``out`` (frames innermost first)."""
    pos = 1
    end = len(data)
    while pos < end:
        if data[pos] != spec.EV_STACK:
            raise Malformed(f"expected a stack entry, found event type {data[pos]}")
        sid, pos = uvarint(data, pos + 1)
        nframes, pos = uvarint(data, pos)
        if nframes > spec.MAX_FRAMES_PER_STACK:
            raise Malformed(f"stack {sid} has {nframes} frames")
        frames: list[RawFrame] = []
        for _ in range(nframes):
            _pc, pos = uvarint(data, pos)
            func, pos = uvarint(data, pos)
            file, pos = uvarint(data, pos)
            line, pos = uvarint(data, pos)
            frames.append((func, file, line))
        if sid in out:
            raise Malformed(f"duplicate stack ID {sid}")
        out[sid] = tuple(frames)


def parse_sync(data: bytes, version: int) -> tuple[int, bool]:
    """Return (ticks per second or 0, clock snapshot seen) from a sync batch body."""
    pos = 1 if version >= 25 else 0
    end = len(data)
    freq = 0
    snapshot = False
    while pos < end:
        typ = data[pos]
        if typ == spec.EV_FREQUENCY:
            freq, pos = uvarint(data, pos + 1)
        elif typ == spec.EV_CLOCK_SNAPSHOT and version >= 25:
            pos += 1
            snapshot = True
            for _ in range(spec.SPECS[spec.EV_CLOCK_SNAPSHOT].nargs):
                _, pos = uvarint(data, pos)
        else:
            raise Malformed(f"expected frequency or clock snapshot, found event type {typ}")
    return freq, snapshot
