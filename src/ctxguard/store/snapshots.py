"""Snapshots in and out of the store: stacks and shapes stored once, a snapshot a row of packed numbers.

A snapshot row holds its goroutine groups as one blob of (shape id, count, locked,
leaked) per group, in order, and its heap records as (stack id, inuse objects, inuse
bytes, alloc objects, alloc bytes). A shape (stack + creator + labels) and a stack are
rows of their own, written once and found again by digest. Groups with states, wait
times or goroutine IDs (debug=2 dumps, crash logs) get a `group_details` row each.
`Snapshot.sched` (schedtrace samples) is not stored: it comes back empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ctxguard.runtime.model import Frame, GoroutineGroup, HeapRecord, Snapshot, Stack, pack
from ctxguard.store import codec
from ctxguard.store.errors import StoreError
from ctxguard.store.schema import group_details, shapes, snapshots, sources, stacks

Labels = tuple[tuple[str, str], ...]
Upsert = Callable[[Any], postgresql.Insert | sqlite.Insert]  # both dialects' INSERT ... ON CONFLICT
ShapeKey = tuple[Stack, Frame | None, Labels]

# A cached id is used without touching the row's last_seen for this long: retention keeps
# rows seen within keep_downsampled + TOUCH_US, so a cached id cannot have been collected.
TOUCH_US = 3_600_000_000
_CHUNK = 400  # rows per multi-row statement: well under both backends' parameter limits
_CACHE_MAX = 200_000  # cached stacks/shapes per kind before the cache starts over

_GROUP_FIELDS = 4  # shape id, count, locked, leaked
_HEAP_FIELDS = 5  # stack id, inuse objects, inuse bytes, alloc objects, alloc bytes


def stack_digest(stack: Stack) -> tuple[bytes, str]:
    """The stack's identity in the store (all frames and `elided`) and its frames as JSON."""
    frames = codec.dump_json([[f.function, f.file, f.line] for f in stack.frames])
    digest = hashlib.blake2b(f"{stack.elided}\n{frames}".encode(), digest_size=16).digest()
    return digest, frames


def _shape_digest(stack: bytes, creator: Frame | None, labels: Labels) -> bytes:
    who = [creator.function, creator.file, creator.line] if creator else None
    return hashlib.blake2b(stack + codec.dump_json([who, labels]).encode(), digest_size=16).digest()


@dataclass(frozen=True)
class _Shape:
    stack: Stack
    creator: Frame | None
    labels: Labels


@dataclass
class Learned:
    """Ids a write found or made; they enter the caches only once its transaction committed."""

    stacks: dict[Stack, tuple[int, int]] = field(default_factory=dict)
    shapes: dict[ShapeKey, tuple[int, int]] = field(default_factory=dict)
    sources: dict[tuple[str, str], int] = field(default_factory=dict)


class SnapshotCodec:
    """Writes and rebuilds snapshots on the caller's connection and transaction.

    Caches ids (write side) and rebuilt stacks and shapes (read side) per instance.
    """

    def __init__(self, dialect: str, db: str) -> None:
        self._db = db
        self._insert: Upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self._stack_ids: dict[Stack, tuple[int, int]] = {}
        self._shape_ids: dict[ShapeKey, tuple[int, int]] = {}
        self._source_ids: dict[tuple[str, str], int] = {}
        self._stacks: dict[int, Stack] = {}
        self._shapes: dict[int, _Shape] = {}

    def forget(self) -> None:
        """Drop every cached id (after retention deleted rows, or a write found one gone)."""
        self._stack_ids.clear()
        self._shape_ids.clear()
        self._stacks.clear()
        self._shapes.clear()

    def learn(self, learned: Learned) -> None:
        for cache in (self._stack_ids, self._shape_ids):
            if len(cache) > _CACHE_MAX:
                cache.clear()
        self._stack_ids.update(learned.stacks)
        self._shape_ids.update(learned.shapes)
        self._source_ids.update(learned.sources)

    # -- writing ---------------------------------------------------------------------------

    def write(self, conn: Connection, target_id: int, snap: Snapshot, now_us: int) -> tuple[int, Learned]:
        """Insert one snapshot; returns its id and the ids to cache once committed."""
        at = codec.to_us(snap.time) if snap.time is not None else now_us
        seen = max(at, now_us)  # a future-dated snapshot must keep its shapes that long
        learned = Learned()
        keys: list[ShapeKey] = [(g.stack, g.creator, g.labels) for g in snap.groups]
        shape_ids = self._shape_ids_for(conn, keys, [h.stack for h in snap.heap], seen, learned)
        groups = codec.encode_ints(
            v for g, key in zip(snap.groups, keys, strict=True) for v in (shape_ids[key], g.count, g.locked, g.leaked)
        )
        heap = codec.encode_ints(
            v
            for h in snap.heap
            for v in (self._stack_id(h.stack, learned), h.inuse_objects, h.inuse_bytes, h.alloc_objects, h.alloc_bytes)
        )
        details = [_detail_row(i, g) for i, g in enumerate(snap.groups) if _has_details(g)]
        snapshot_id = conn.execute(
            snapshots.insert()
            .values(
                target_id=target_id,
                at=at,
                timeless=snap.time is None,
                source_id=self._source_id(conn, snap.source, snap.format, learned),
                goroutines=snap.goroutines,
                truncated=snap.truncated,
                crash=snap.crash,
                notes=codec.dump_json(list(snap.notes)) if snap.notes else None,
                groups=groups if snap.groups else None,
                heap=heap if snap.heap else None,
                details=len(details),
            )
            .returning(snapshots.c.id)
        ).scalar_one()
        if details:
            conn.execute(group_details.insert(), [{"snapshot_id": snapshot_id, **row} for row in details])
        return snapshot_id, learned

    def _fresh(self, cache: dict[Any, tuple[int, int]], key: Any, seen: int) -> int | None:
        hit = cache.get(key)
        return hit[0] if hit is not None and hit[1] >= seen - TOUCH_US else None

    def _stack_id(self, stack: Stack, learned: Learned) -> int:
        hit = learned.stacks.get(stack) or self._stack_ids[stack]
        return hit[0]

    def _shape_ids_for(
        self, conn: Connection, keys: list[ShapeKey], heap: list[Stack], seen: int, learned: Learned
    ) -> dict[ShapeKey, int]:
        """Ids for every shape (and heap stack), upserting the ones not cached recently."""
        ids: dict[ShapeKey, int] = {}
        missing: dict[ShapeKey, None] = {}
        for key in keys:
            if key not in ids and key not in missing:
                hit = self._fresh(self._shape_ids, key, seen)
                if hit is None:
                    missing[key] = None
                else:
                    ids[key] = hit
        wanted = {key[0]: None for key in missing} | dict.fromkeys(heap)
        stale = [s for s in wanted if self._fresh(self._stack_ids, s, seen) is None]
        if stale:
            learned.stacks.update(self._upsert_stacks(conn, stale, seen))
        for s in wanted:
            if s not in learned.stacks:
                learned.stacks[s] = self._stack_ids[s]
        if missing:
            learned.shapes.update(self._upsert_shapes(conn, list(missing), learned.stacks, seen))
            ids.update((key, learned.shapes[key][0]) for key in missing)
        return ids

    def _upsert(self, conn: Connection, table: Any, rows: list[dict[str, Any]]) -> dict[bytes, int]:
        """Insert rows keyed by `digest`, or bump last_seen of the existing ones; digest -> id.

        Rows go in digest order so concurrent agents lock shared rows in one order (no deadlock)."""
        rows.sort(key=lambda r: r["digest"])
        out: dict[bytes, int] = {}
        for i in range(0, len(rows), _CHUNK):
            ins = self._insert(table).values(rows[i : i + _CHUNK])
            later = case((ins.excluded.last_seen > table.c.last_seen, ins.excluded.last_seen), else_=table.c.last_seen)
            stmt = ins.on_conflict_do_update(index_elements=[table.c.digest], set_={"last_seen": later})
            out.update((bytes(d), row_id) for row_id, d in conn.execute(stmt.returning(table.c.id, table.c.digest)))
        return out

    def _upsert_stacks(self, conn: Connection, todo: list[Stack], seen: int) -> dict[Stack, tuple[int, int]]:
        rows: list[dict[str, Any]] = []
        digests: dict[Stack, bytes] = {}
        for s in todo:
            digest, frames = stack_digest(s)
            digests[s] = digest
            rows.append({"digest": digest, "signature": s.signature, "elided": s.elided, "frames": frames})
        for row in rows:
            row["last_seen"] = seen
        ids = self._upsert(conn, stacks, rows)
        return {s: (ids[d], seen) for s, d in digests.items()}

    def _upsert_shapes(
        self, conn: Connection, todo: list[ShapeKey], stack_ids: dict[Stack, tuple[int, int]], seen: int
    ) -> dict[ShapeKey, tuple[int, int]]:
        rows: list[dict[str, Any]] = []
        digests: dict[ShapeKey, bytes] = {}
        for key in todo:
            stack, creator, labels = key
            digest = _shape_digest(stack_digest(stack)[0], creator, labels)
            digests[key] = digest
            rows.append(
                {
                    "digest": digest,
                    "stack_id": stack_ids[stack][0],
                    "creator_function": creator.function if creator else None,
                    "creator_file": creator.file if creator else None,
                    "creator_line": creator.line if creator else None,
                    "labels": codec.pairs_json(labels),
                    "last_seen": seen,
                }
            )
        ids = self._upsert(conn, shapes, rows)
        return {key: (ids[d], seen) for key, d in digests.items()}

    def _source_id(self, conn: Connection, source: str, fmt: str, learned: Learned) -> int:
        hit = self._source_ids.get((source, fmt))
        if hit is not None:
            return hit  # sources are never deleted, so a cached id stays good
        ins = self._insert(sources).values(source=source, format=fmt)
        # a no-op update rather than DO NOTHING, so RETURNING gives the id of an existing row too
        stmt = ins.on_conflict_do_update(
            index_elements=[sources.c.source, sources.c.format], set_={"format": ins.excluded.format}
        )
        source_id: int = conn.execute(stmt.returning(sources.c.id)).scalar_one()
        learned.sources[(source, fmt)] = source_id
        return source_id

    # -- reading ---------------------------------------------------------------------------

    def query(self) -> Any:
        """The columns `read` rebuilds snapshots from; callers add WHERE, ORDER BY and LIMIT."""
        return select(
            snapshots.c.id,
            snapshots.c.at,
            snapshots.c.timeless,
            sources.c.source,
            sources.c.format,
            snapshots.c.goroutines,
            snapshots.c.truncated,
            snapshots.c.crash,
            snapshots.c.notes,
            snapshots.c.groups,
            snapshots.c.heap,
            snapshots.c.details,
        ).join_from(snapshots, sources, snapshots.c.source_id == sources.c.id)

    def read(self, conn: Connection, rows: Sequence[Row[Any]]) -> list[Snapshot]:
        """Rebuild snapshots from rows of `query()`, in the order given."""
        if len(self._shapes) > _CACHE_MAX or len(self._stacks) > _CACHE_MAX:
            self._shapes.clear()
            self._stacks.clear()
        group_nums = {r.id: codec.decode_ints(r.groups) if r.groups else [] for r in rows}
        heap_nums = {r.id: codec.decode_ints(r.heap) if r.heap else [] for r in rows}
        self._load_shapes(conn, {n for nums in group_nums.values() for n in nums[::_GROUP_FIELDS]})
        self._load_stacks(conn, {n for nums in heap_nums.values() for n in nums[::_HEAP_FIELDS]})
        details = self._details(conn, [r.id for r in rows if r.details])
        out: list[Snapshot] = []
        for r in rows:
            groups = self._groups(r.id, group_nums[r.id], details.get(r.id, {}))
            heap = self._heap(r.id, heap_nums[r.id])
            out.append(
                Snapshot(
                    source=r.source,
                    format=r.format,
                    time=None if r.timeless else codec.from_us(r.at),
                    goroutines=r.goroutines,
                    groups=groups,
                    heap=heap,
                    truncated=bool(r.truncated),
                    crash=r.crash,
                    notes=tuple(json.loads(r.notes)) if r.notes else (),
                )
            )
        return out

    def _groups(self, snapshot_id: int, nums: list[int], details: dict[int, Row[Any]]) -> tuple[GoroutineGroup, ...]:
        groups: list[GoroutineGroup] = []
        for idx, i in enumerate(range(0, len(nums), _GROUP_FIELDS)):
            shape_id, count, locked, leaked = nums[i : i + _GROUP_FIELDS]
            shape = self._shapes.get(shape_id)
            if shape is None:
                raise StoreError(f"{self._db}: snapshot {snapshot_id} refers to shape {shape_id}, which is missing")
            d = details.get(idx)
            groups.append(
                GoroutineGroup(
                    stack=shape.stack,
                    count=count,
                    states=codec.str_int_pairs(d.states) if d is not None else (),
                    wait_minutes=codec.int_pairs(d.wait_minutes) if d is not None else (),
                    creator=shape.creator,
                    labels=shape.labels,
                    locked=locked,
                    leaked=leaked,
                    ids=_ids(d.ids if d is not None else None, delta=True),
                    id_minutes=_ids(d.id_minutes if d is not None else None, delta=False),
                    parent_ids=_ids(d.parent_ids if d is not None else None, delta=False),
                )
            )
        return tuple(groups)

    def _heap(self, snapshot_id: int, nums: list[int]) -> tuple[HeapRecord, ...]:
        records: list[HeapRecord] = []
        for i in range(0, len(nums), _HEAP_FIELDS):
            stack_id, inuse_objects, inuse_bytes, alloc_objects, alloc_bytes = nums[i : i + _HEAP_FIELDS]
            stack = self._stacks.get(stack_id)
            if stack is None:
                raise StoreError(f"{self._db}: snapshot {snapshot_id} refers to stack {stack_id}, which is missing")
            records.append(HeapRecord(stack, inuse_objects, inuse_bytes, alloc_objects, alloc_bytes))
        return tuple(records)

    def _load_stacks(self, conn: Connection, ids: Iterable[int]) -> None:
        todo = sorted(i for i in ids if i not in self._stacks)
        for i in range(0, len(todo), _CHUNK):
            q = select(stacks.c.id, stacks.c.elided, stacks.c.frames).where(stacks.c.id.in_(todo[i : i + _CHUNK]))
            for row in conn.execute(q):
                self._stacks[row.id] = _stack(row.frames, row.elided)

    def _load_shapes(self, conn: Connection, ids: Iterable[int]) -> None:
        todo = sorted(i for i in ids if i not in self._shapes)
        for i in range(0, len(todo), _CHUNK):
            q = select(shapes).where(shapes.c.id.in_(todo[i : i + _CHUNK]))
            rows = conn.execute(q).all()
            self._load_stacks(conn, {r.stack_id for r in rows})
            for r in rows:
                creator = (
                    Frame(r.creator_function, r.creator_file or "", r.creator_line or 0)
                    if r.creator_function is not None
                    else None
                )
                self._shapes[r.id] = _Shape(self._stacks[r.stack_id], creator, codec.str_pairs(r.labels))

    def _details(self, conn: Connection, snapshot_ids: list[int]) -> dict[int, dict[int, Row[Any]]]:
        out: dict[int, dict[int, Row[Any]]] = {}
        for i in range(0, len(snapshot_ids), _CHUNK):
            q = select(group_details).where(group_details.c.snapshot_id.in_(snapshot_ids[i : i + _CHUNK]))
            for row in conn.execute(q):
                out.setdefault(row.snapshot_id, {})[row.idx] = row
        return out


def _has_details(g: GoroutineGroup) -> bool:
    return bool(g.states or g.wait_minutes or g.ids or g.id_minutes or g.parent_ids)


def _detail_row(idx: int, g: GoroutineGroup) -> dict[str, Any]:
    return {
        "idx": idx,
        "states": codec.pairs_json(g.states),
        "wait_minutes": codec.pairs_json(g.wait_minutes),
        # IDs come nearly sorted: deltas make them one or two bytes each
        "ids": codec.encode_ints(codec.deltas(g.goroutine_ids())) if g.ids else None,
        "id_minutes": codec.encode_ints(g.goroutine_minutes()) if g.id_minutes else None,
        "parent_ids": codec.encode_ints(g.goroutine_parents()) if g.parent_ids else None,
    }


def _ids(blob: bytes | None, *, delta: bool) -> bytes:
    if not blob:
        return b""
    values = codec.decode_ints(bytes(blob))
    return pack(codec.undeltas(values) if delta else values)


def _stack(frames_json: str, elided: int) -> Stack:
    return Stack(tuple(Frame(str(fn), str(file), int(line)) for fn, file, line in json.loads(frames_json)), elided)
