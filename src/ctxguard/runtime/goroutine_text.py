"""Goroutine text dumps: /debug/pprof/goroutine?debug=2, runtime.Stack(all), panics,
SIGQUIT and GOTRACEBACK=system|crash output, fatal errors. One grammar since Go 1.0
with additions: `gp=/m=` header tokens (system/crash), ` in goroutine N` after
`created by` (1.21), `...N frames elided...` (1.21; older `...additional frames
elided...`), `[originating from goroutine N]` ancestry, header labels `{k: v}` (1.27),
and `(leaked)`, `(scan)`, `(durable)`, `N minutes`, `locked to thread` status suffixes.

The decoder streams: it keeps one goroutine's lines at a time and folds it into
a group at once, so memory grows with distinct stacks, not goroutines.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from ctxguard.runtime.model import Frame, GoroutineGroup, Snapshot, Stack, pack

HEADER = re.compile(r"^goroutine (\d+)(?: gp=0x[0-9a-f]+ m=\S+(?: mp=0x[0-9a-f]+)?)? \[(.*?)\](?: ?(\{.*\}))?:\s*$")
_SUFFIXES = (
    (re.compile(r", synctest bubble \d+$"), None),
    (re.compile(r", locked to thread$"), "locked"),
    (re.compile(r", (\d+) minutes$"), "minutes"),
    (re.compile(r" \(durable\)$"), None),
    (re.compile(r" \(scan\)$"), None),
    (re.compile(r" \(leaked\)$"), "leaked"),
)
_TRAILING_ARGS = re.compile(r"\((?:[^()]|\([^()]*\))*\)$")
_CREATED = re.compile(r"^created by (.+?)(?: in goroutine (\d+))?\s*$")
_ELIDED = re.compile(r"^\.\.\.(?:(\d+)|additional) frames elided\.\.\.\s*$")
_REGISTER = re.compile(r"^[a-z0-9]{2,6}\s+0x[0-9a-f]+\s*$")  # "rax    0x0" in crash dumps
_LABEL = re.compile(r'([^\s:{},]+): ("(?:[^"\\]|\\.)*"|[^,}]*)')


class DumpError(ValueError):
    """The input is not a goroutine dump, or is broken beyond use."""


_STATUS_LABELS = re.compile(r" labels:(\{.*\})$")  # GODEBUG=tracebacklabels=1 (Go 1.26)


def split_status_labels(status: str) -> tuple[str, str | None]:
    m = _STATUS_LABELS.search(status)
    return (status[: m.start()], m.group(1)) if m else (status, None)


_INT64_MAX = (1 << 63) - 1


def number(digits: str | bytes) -> int:
    """A goroutine ID or a count of minutes; 0 (unknown) if no runtime could print it."""
    n = int(digits)
    return n if n <= _INT64_MAX else 0


def parse_status(status: str) -> tuple[str, int, bool, bool]:
    """(wait reason, minutes, locked to thread, leaked), peeling suffixes from the right:
    some wait reasons contain parentheses themselves (`chan receive (nil chan)`)."""
    status = split_status_labels(status)[0]
    minutes, locked, leaked = 0, False, False
    for rx, what in _SUFFIXES:
        m = rx.search(status)
        if m is None:
            continue
        status = status[: m.start()]
        if what == "minutes":
            minutes = number(m.group(1))
        elif what == "locked":
            locked = True
        elif what == "leaked":
            leaked = True
    return status, minutes, locked, leaked


def parse_labels(text: str | None) -> tuple[tuple[str, str], ...]:
    if not text:
        return ()
    return tuple(sorted((k.strip('"'), v.strip().strip('"')) for k, v in _LABEL.findall(text[1:-1])))


def function_name(line: str) -> str:
    """`main.(*T).m(0xc000010000, {0x4a8f20?, 0x1})` -> `main.(*T).m`."""
    line = line.rstrip()
    m = _TRAILING_ARGS.search(line)
    return line[: m.start()] if m else line


@dataclass
class _Group:
    stack: Stack
    creator: Frame | None
    labels: tuple[tuple[str, str], ...]
    count: int = 0
    states: Counter[str] = field(default_factory=Counter)
    minutes: Counter[int] = field(default_factory=Counter)
    locked: int = 0
    leaked: int = 0
    ids: array[int] = field(default_factory=lambda: array("q"))
    id_minutes: array[int] = field(default_factory=lambda: array("q"))
    parents: array[int] = field(default_factory=lambda: array("q"))


def _frames(parts: list[str]) -> tuple[Frame, ...]:
    """[function, "file:line", function, "file:line", ...] -> frames."""
    out = []
    for i in range(0, len(parts) - 1, 2):
        file, _, line = parts[i + 1].rpartition(":")
        out.append(Frame(parts[i], file, int(line) if line.isdigit() else 0))
    return tuple(out)


class _Goroutine:
    """The goroutine being read: raw parts only, turned into frames once per distinct stack."""

    __slots__ = (
        "ancestors",
        "creating",
        "creator",
        "elided",
        "gid",
        "labels",
        "leaked",
        "locked",
        "minutes",
        "parent",
        "parts",
        "pending",
        "state",
    )

    def __init__(
        self, gid: int, state: str, minutes: int, locked: bool, leaked: bool, labels: tuple[tuple[str, str], ...]
    ):
        self.gid, self.parent = gid, 0
        self.state, self.minutes, self.locked, self.leaked, self.labels = state, minutes, locked, leaked, labels
        self.parts: list[str] = []
        self.creator: list[str] = []
        self.pending: str | None = None
        self.elided = 0
        self.ancestors = False
        self.creating = False


class _Builder:
    def __init__(self) -> None:
        self.groups: dict[str, _Group] = {}
        self.total = 0

    def add(self, g: _Goroutine, n: int = 1, ids: array[int] | None = None, parents: array[int] | None = None) -> None:
        """Fold `n` goroutines parked like `g` into their group; `ids` and `parents` are
        theirs when there are several (the fast path), else `g`'s own are used."""
        key = "\n".join(g.parts) + f"\n{g.elided}\n" + "\n".join(g.creator) + repr(g.labels)
        grp = self.groups.get(key)
        if grp is None:
            creator = _frames(g.creator)
            grp = self.groups[key] = _Group(
                Stack(_frames(g.parts), g.elided), creator[0] if creator else None, g.labels
            )
        grp.count += n
        grp.states[g.state] += n
        grp.minutes[g.minutes] += n
        grp.locked += g.locked * n
        grp.leaked += g.leaked * n
        grp.ids.extend(ids if ids is not None else (g.gid,))
        grp.parents.extend(parents if parents is not None else (g.parent,))
        grp.id_minutes.extend(array("q", (g.minutes,)) * n)
        self.total += n

    def groups_out(self) -> tuple[GoroutineGroup, ...]:
        out = [
            GoroutineGroup(
                stack=g.stack,
                count=g.count,
                states=tuple(g.states.most_common()),
                wait_minutes=tuple(sorted(g.minutes.items())),
                creator=g.creator,
                labels=g.labels,
                locked=g.locked,
                leaked=g.leaked,
                ids=pack(g.ids),
                id_minutes=pack(g.id_minutes),
                parent_ids=pack(g.parents),
            )
            for g in self.groups.values()
        ]
        out.sort(key=lambda g: -g.count)
        return tuple(out)


def _file_line(line: str) -> str:
    """`\t/src/x.go:42 +0x1d fp=... sp=... pc=...` -> `/src/x.go:42`."""
    cut = line.find(" +0x")
    if cut < 0:
        cut = line.find(" fp=")
    return (line[1:cut] if cut > 0 else line[1:]).rstrip()


def _read(lines: Iterable[str]) -> tuple[list[_Goroutine], list[str], bool]:
    """The line-by-line grammar: (goroutines, notes, whether the input was cut mid-goroutine)."""
    out: list[_Goroutine] = []
    notes: list[str] = []
    g: _Goroutine | None = None
    last = ""
    for raw in lines:
        last = raw
        line = raw.rstrip("\r\n")
        if not line:
            if g is not None:
                out.append(g)
                g = None
            continue
        c = line[0]
        if c == "\t":
            if g is not None and g.pending is not None:
                if g.creating:
                    g.creator = [g.pending, _file_line(line)]
                    g.creating = False
                elif not g.ancestors:
                    g.parts.append(g.pending)
                    g.parts.append(_file_line(line))
                g.pending = None
            continue
        if c == "g" and line.startswith("goroutine "):
            m = HEADER.match(line)
            if m is not None:
                if g is not None:
                    out.append(g)
                state, minutes, locked, leaked = parse_status(m.group(2))
                labels = m.group(3) or split_status_labels(m.group(2))[1]
                g = _Goroutine(number(m.group(1)), state, minutes, locked, leaked, parse_labels(labels))
                continue
            if g is not None and line.startswith("goroutine running on other thread"):
                continue
        if g is None:
            if line.startswith(("panic: ", "fatal error: ", "SIGQUIT")):
                notes.append(line[:200])
            continue
        if c == "[" and line.startswith("[originating from goroutine"):
            g.ancestors = True
        elif c == "." and line.startswith("..."):
            em = _ELIDED.match(line)
            if em is not None and not g.ancestors:
                g.elided = int(em.group(1)) if em.group(1) else -1
        elif c == "c" and line.startswith("created by "):
            cm = _CREATED.match(line)
            g.pending, g.creating = (cm.group(1) if cm else line[11:]), True
            if cm is not None and cm.group(2) and not g.ancestors:
                g.parent = number(cm.group(2))
        elif c.isspace() or _REGISTER.match(line):
            continue  # register dumps and other runtime chatter
        else:
            g.pending = function_name(line)
            g.creating = False
    truncated = g is not None and (g.pending is not None or not last.endswith("\n"))
    if g is not None:
        out.append(g)
    return out, notes, truncated


def _snapshot(b: _Builder, notes: list[str], truncated: bool, source: str) -> Snapshot:
    if b.total == 0:
        raise DumpError(f"{source}: no goroutine found (not a goroutine dump?)")
    return Snapshot(
        source=source,
        format="goroutine-text",
        goroutines=b.total,
        groups=b.groups_out(),
        truncated=truncated,
        notes=tuple(notes),
        crash=crash_kind(notes),
    )


def decode(lines: Iterable[str], source: str) -> Snapshot:
    """Decode a goroutine text dump given as lines (the reference grammar)."""
    b = _Builder()
    goroutines, notes, truncated = _read(lines)
    for g in goroutines:
        b.add(g)
    return _snapshot(b, notes, truncated, source)


# What differs between goroutines parked on the same stack: IDs, argument values,
# pointers, PC offsets, frame pointers, M numbers.
_VOLATILE = re.compile(rb"0x[0-9a-f]+\??|^goroutine \d+|in goroutine \d+| m=\d+|(?<=\[originating from goroutine )\d+")
CHUNK = 8 << 20


def decode_stream(stream: IO[bytes], source: str) -> Snapshot:
    """Decode a dump from a byte stream, fast: goroutines are blank-line separated blocks;
    each block is reduced (in C, by one regex) to what identifies its stack and state, and
    counted, its goroutine ID and creator's ID appended to the key's packed arrays; only one
    block per distinct key is parsed line by line. Memory stays bounded by the chunk size,
    the number of distinct stacks and 16 bytes a goroutine, whatever their number."""
    counts: dict[bytes, int] = {}
    reps: dict[bytes, bytes] = {}
    ids: dict[bytes, array[int]] = {}
    parents: dict[bytes, array[int]] = {}
    tail = b""
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        blocks = (tail + chunk).split(b"\n\n")
        tail = blocks.pop()
        for blk in blocks:
            key = _VOLATILE.sub(b"", blk)
            m = _BLOCK_ID.search(blk)
            p = _BLOCK_PARENT.search(blk)
            n = counts.get(key)
            if n is None:
                counts[key] = 1
                reps[key] = blk
                ids[key] = array("q", (number(m.group(1)) if m else 0,))
                parents[key] = array("q", (number(p.group(1)) if p else 0,))
            else:
                counts[key] = n + 1
                ids[key].append(number(m.group(1)) if m else 0)
                parents[key].append(number(p.group(1)) if p else 0)
    b = _Builder()
    notes: list[str] = []
    for key, blk in reps.items():
        goroutines, blk_notes, _ = _read((blk.decode("utf-8", "replace") + "\n\n").splitlines(keepends=True))
        notes.extend(blk_notes)
        if len(goroutines) == 1:
            b.add(goroutines[0], counts[key], ids.pop(key), parents.pop(key))
        else:  # several goroutines in one block (no blank line between them): IDs as read
            for g in goroutines:
                b.add(g, counts[key])
    truncated = False
    if tail.strip():
        goroutines, blk_notes, truncated = _read(tail.decode("utf-8", "replace").splitlines(keepends=True))
        notes.extend(blk_notes)
        for g in goroutines:
            b.add(g)
    return _snapshot(b, notes, truncated, source)


_BLOCK_ID = re.compile(rb"^goroutine (\d+)", re.M)
# the goroutine's own creator: ancestors' `created by` lines never name a goroutine
_BLOCK_PARENT = re.compile(rb"\ncreated by [^\n]*? in goroutine (\d+)")
_CRASHES = (
    ("fatal error: all goroutines are asleep - deadlock!", "deadlock"),
    ("panic: deadlock: ", "synctest-deadlock"),
    ("panic: test timed out", "test-timeout"),
    ("SIGQUIT", "sigquit"),
    ("panic: ", "panic"),
    ("fatal error: ", "fatal"),
)


def crash_kind(notes: Iterable[str]) -> str:
    """What ended the process, from the lines printed before the goroutines."""
    notes = list(notes)
    for prefix, kind in _CRASHES:
        if any(n.startswith(prefix) for n in notes):
            return kind
    return ""
