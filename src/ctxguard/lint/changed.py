"""`--new-from-rev REV`: keep only findings on lines changed since a git revision.

As golangci-lint does: the working tree (committed or not) is compared with
REV, so a pull request's job passes the merge base and sees only its own
lines; files git does not track yet count as entirely new.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from ctxguard.findings import Finding

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


class RevisionError(Exception):
    """The message is one line naming the revision or directory."""


@dataclass(frozen=True)
class ChangedLines:
    ranges: dict[str, list[tuple[int, int]]]  # absolute path -> inclusive line ranges
    whole: frozenset[str]  # absolute paths of untracked files

    def contains(self, f: Finding) -> bool:
        path = os.path.realpath(f.path)
        if path in self.whole:
            return True
        return any(a <= f.line <= b for a, b in self.ranges.get(path, ()))


def _git(args: list[str], cwd: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120, check=False)
    except FileNotFoundError:
        raise RevisionError("--new-from-rev needs git on PATH") from None
    except subprocess.TimeoutExpired:
        raise RevisionError(f"git {args[0]} took longer than 120 s in {cwd}") from None
    if done.returncode != 0:
        msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(f"git {' '.join(args[:2])}: {msg[-1] if msg else 'failed'} (in {cwd})")
    return done.stdout


def changed_since(rev: str, cwd: str = ".") -> ChangedLines:
    top = os.fsdecode(_git(["rev-parse", "--show-toplevel"], cwd)).strip()
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top)
    except RevisionError:
        raise RevisionError(f"--new-from-rev: unknown revision {rev!r} in {top}") from None
    # fixed prefixes and no quoting, whatever the user's git configuration says
    diff = _git(
        [
            *("-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff"),
            *("--src-prefix=a/", "--dst-prefix=b/", "-U0", rev, "--", "*.go"),
        ],
        top,
    )
    ranges: dict[str, list[tuple[int, int]]] = {}
    current: str | None = None
    for line in diff.splitlines():
        if line.startswith(b"+++ "):
            name = _unquote(line[4:].rstrip(b"\t"))  # git ends a name holding a space with a tab
            current = None if name == "/dev/null" else os.path.realpath(os.path.join(top, name.removeprefix("b/")))
            continue
        m = _HUNK.match(line)
        if m and current is not None:
            start, count = int(m.group(1)), int(m.group(2) or 1)
            if count:
                ranges.setdefault(current, []).append((start, start + count - 1))
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z", "--", "*.go"], top)
    whole = frozenset(os.path.realpath(os.path.join(top, os.fsdecode(p))) for p in untracked.split(b"\0") if p)
    return ChangedLines(ranges, whole)


def _unquote(raw: bytes) -> str:
    """A file name as git prints it: C-quoted (octal escapes of UTF-8 bytes) when it has to be."""
    if not (raw.startswith(b'"') and raw.endswith(b'"')):
        return os.fsdecode(raw)
    body = raw[1:-1]
    out = bytearray()
    i = 0
    simple = {
        b"n": b"\n",
        b"t": b"\t",
        b'"': b'"',
        b"\\": b"\\",
        b"a": b"\a",
        b"b": b"\b",
        b"f": b"\f",
        b"v": b"\v",
        b"r": b"\r",
    }
    while i < len(body):
        c = body[i : i + 1]
        if c == b"\\" and i + 1 < len(body):
            nxt = body[i + 1 : i + 2]
            if nxt.isdigit():
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out += simple.get(nxt, nxt)
            i += 2
            continue
        out += c
        i += 1
    return os.fsdecode(bytes(out))


def keep_changed(findings: Iterable[Finding], changed: ChangedLines) -> tuple[Finding, ...]:
    return tuple(f for f in findings if changed.contains(f))
