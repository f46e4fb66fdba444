"""pprof protobuf profiles (gzip-wrapped or raw): goroutine, goroutineleak, heap, allocs.

The message types are built at import time from a descriptor of the fields we
read (numbers as in pprof's profile.proto), so the protobuf runtime does the
decoding - packed and unpacked repeated fields alike - with no generated code
to keep in step with the runtime's version.
"""

from __future__ import annotations

import functools
import gzip
import zlib
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError

from ctxguard.runtime.model import Frame, GoroutineGroup, HeapRecord, Snapshot, Stack

_I64, _U64, _BOOL = (
    descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT64,
    descriptor_pb2.FieldDescriptorProto.TYPE_BOOL,
)
_MSG = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
_REPEATED = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
_OPTIONAL = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
_STRING = descriptor_pb2.FieldDescriptorProto.TYPE_STRING

# message -> [(field, number, type, repeated, message type)]
_FIELDS: dict[str, list[tuple[str, int, int, bool, str]]] = {
    "Profile": [
        ("sample_type", 1, _MSG, True, "ValueType"),
        ("sample", 2, _MSG, True, "Sample"),
        ("location", 4, _MSG, True, "Location"),
        ("function", 5, _MSG, True, "Function"),
        ("string_table", 6, _STRING, True, ""),
        ("time_nanos", 9, _I64, False, ""),
        ("duration_nanos", 10, _I64, False, ""),
        ("period_type", 11, _MSG, False, "ValueType"),
        ("period", 12, _I64, False, ""),
        ("default_sample_type", 14, _I64, False, ""),
    ],
    "ValueType": [("type", 1, _I64, False, ""), ("unit", 2, _I64, False, "")],
    "Sample": [
        ("location_id", 1, _U64, True, ""),
        ("value", 2, _I64, True, ""),
        ("label", 3, _MSG, True, "Label"),
    ],
    "Label": [("key", 1, _I64, False, ""), ("str", 2, _I64, False, ""), ("num", 3, _I64, False, "")],
    "Location": [
        ("id", 1, _U64, False, ""),
        ("address", 3, _U64, False, ""),
        ("line", 4, _MSG, True, "Line"),
    ],
    "Line": [("function_id", 1, _U64, False, ""), ("line", 2, _I64, False, "")],
    "Function": [
        ("id", 1, _U64, False, ""),
        ("name", 2, _I64, False, ""),
        ("filename", 4, _I64, False, ""),
    ],
}


class ProfileError(ValueError):
    """Not a pprof profile, or a broken one."""


@functools.cache
def _profile_class() -> Any:
    fd = descriptor_pb2.FileDescriptorProto(name="ctxguard/pprof.proto", package="ctxguard.pprof", syntax="proto3")
    for name, fields in _FIELDS.items():
        msg = fd.message_type.add(name=name)
        for fname, number, ftype, repeated, type_name in fields:
            f = msg.field.add(name=fname, number=number, type=ftype, label=_REPEATED if repeated else _OPTIONAL)
            if type_name:
                f.type_name = f".ctxguard.pprof.{type_name}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("ctxguard.pprof.Profile"))


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def decode(data: bytes, source: str) -> Snapshot:
    if is_gzip(data):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise ProfileError(f"{source}: corrupt or truncated gzip data ({e})") from None
    prof = _profile_class()()
    try:
        prof.ParseFromString(data)
    except DecodeError as e:
        raise ProfileError(f"{source}: not a valid pprof profile ({e})") from None
    strings: list[str] = list(prof.string_table)
    if not strings or strings[0] != "" or not prof.sample_type:
        raise ProfileError(f"{source}: not a pprof profile (no string table or sample types)")

    def s(i: int) -> str:
        if not 0 <= i < len(strings):
            raise ProfileError(f"{source}: string index {i} out of range")
        return strings[i]

    functions = {f.id: (s(f.name), s(f.filename)) for f in prof.function}
    locations: dict[int, tuple[Frame, ...]] = {}
    for loc in prof.location:
        frames = []
        for ln in loc.line:  # inlined callees first, caller last
            name, file = functions.get(ln.function_id, (f"0x{loc.address:x}", ""))
            frames.append(Frame(name, file, ln.line))
        locations[loc.id] = tuple(frames) or (Frame(f"0x{loc.address:x}"),)
    types = [s(t.type) for t in prof.sample_type]
    when = datetime.fromtimestamp(prof.time_nanos / 1e9, UTC) if prof.time_nanos else None

    def stack(sample: Any) -> Stack:
        frames: list[Frame] = []
        for lid in sample.location_id:
            if lid not in locations:
                raise ProfileError(f"{source}: sample refers to unknown location {lid}")
            frames.extend(locations[lid])
        return Stack(tuple(frames))

    if types[0] == "goroutine" or types[0] == "goroutineleak":
        return _goroutines(prof, source, when, stack, s, types[0])
    if "inuse_objects" in types or "alloc_objects" in types:
        return _heap(prof, source, when, stack, types)
    raise ProfileError(f"{source}: a {'/'.join(types)} profile; ctxguard reads goroutine and heap profiles")


def _goroutines(prof: Any, source: str, when: datetime | None, stack: Any, s: Any, kind: str) -> Snapshot:
    counts: Counter[tuple[Stack, tuple[tuple[str, str], ...]]] = Counter()
    for sample in prof.sample:
        labels = tuple(sorted((s(lb.key), s(lb.str) if lb.str else str(lb.num)) for lb in sample.label))
        counts[(stack(sample), labels)] += sample.value[0] if sample.value else 0
    groups = tuple(
        GoroutineGroup(stack=st, count=n, labels=lbl, leaked=n if kind == "goroutineleak" else 0)
        for (st, lbl), n in counts.most_common()
    )
    return Snapshot(
        source=source,
        format="goroutineleak-pprof" if kind == "goroutineleak" else "goroutine-pprof",
        time=when,
        goroutines=sum(counts.values()),
        groups=groups,
    )


def _heap(prof: Any, source: str, when: datetime | None, stack: Any, types: list[str]) -> Snapshot:
    idx = {t: i for i, t in enumerate(types)}

    def value(sample: Any, name: str) -> int:
        i = idx.get(name)
        return int(sample.value[i]) if i is not None and i < len(sample.value) else 0

    records = tuple(
        HeapRecord(
            stack=stack(sample),
            inuse_objects=value(sample, "inuse_objects"),
            inuse_bytes=value(sample, "inuse_space"),
            alloc_objects=value(sample, "alloc_objects"),
            alloc_bytes=value(sample, "alloc_space"),
        )
        for sample in prof.sample
    )
    return Snapshot(source=source, format="heap-pprof", time=when, heap=records)
