"""Compact column encodings: zigzag-varint integer blobs (zlib when it pays), UTC microseconds, JSON pairs."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# A blob's first byte says how the rest is encoded, so the encoding can change later
# without rewriting stored rows.
_RAW = 1
_ZLIB = 2
_ZLIB_FROM = 96  # below this zlib's own header and checksum cost more than it saves


def encode_ints(values: Iterable[int]) -> bytes:
    """Signed integers as zigzag varints (small magnitudes take one byte), zlib'd when smaller."""
    out = bytearray()
    append = out.append
    for v in values:
        z = v << 1 if v >= 0 else ((~v) << 1) | 1
        while z > 0x7F:
            append((z & 0x7F) | 0x80)
            z >>= 7
        append(z)
    if len(out) >= _ZLIB_FROM:
        squeezed = zlib.compress(out, 6)
        if len(squeezed) < len(out):
            return bytes([_ZLIB]) + squeezed
    return bytes([_RAW]) + out


def decode_ints(blob: bytes) -> list[int]:
    if not blob:
        return []
    tag, body = blob[0], blob[1:]
    if tag == _ZLIB:
        body = zlib.decompress(body)
    elif tag != _RAW:
        raise ValueError(f"unknown integer blob encoding {tag}")
    out: list[int] = []
    append = out.append
    z = shift = 0
    for b in body:
        z |= (b & 0x7F) << shift
        if b & 0x80:
            shift += 7
            continue
        append(z >> 1 if not z & 1 else ~(z >> 1))
        z = shift = 0
    if shift:
        raise ValueError("integer blob ends in the middle of a number")
    return out


def deltas(values: Sequence[int]) -> list[int]:
    """Differences from the previous value: goroutine IDs come nearly sorted, so most are small."""
    prev = 0
    out: list[int] = []
    for v in values:
        out.append(v - prev)
        prev = v
    return out


def undeltas(values: Iterable[int]) -> list[int]:
    acc = 0
    out: list[int] = []
    for d in values:
        acc += d
        out.append(acc)
    return out


def to_us(when: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    # timedelta arithmetic, not fromtimestamp(us / 1e6): a float would lose the microseconds
    return EPOCH + timedelta(microseconds=us)


def span_us(span: timedelta) -> int:
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


def dump_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def pairs_json(pairs: Sequence[tuple[object, object]]) -> str | None:
    """Ordered (name, value) pairs as a JSON list; None for none (stored as NULL)."""
    return dump_json([list(p) for p in pairs]) if pairs else None


def str_pairs(text: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in json.loads(text)) if text else ()


def str_int_pairs(text: str | None) -> tuple[tuple[str, int], ...]:
    return tuple((str(a), int(b)) for a, b in json.loads(text)) if text else ()


def int_pairs(text: str | None) -> tuple[tuple[int, int], ...]:
    return tuple((int(a), int(b)) for a, b in json.loads(text)) if text else ()
