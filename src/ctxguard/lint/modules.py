"""The import graph of the packages being linted: import paths from `go.mod`, edges from import declarations.

Facts flow along this graph (as go/analysis facts do): a package is analysed after the
packages of its module that it imports. No toolchain and no module download: the module
path comes from the nearest `go.mod`, a package's import path from its directory below it,
and the imports from a scan of each file's import declarations. Packages outside the run
(the standard library, other modules) are simply not in the graph: their facts are unknown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ctxguard.lint.discovery import PackageUnit

_MODULE = re.compile(rb"^\s*module\s+(\"[^\"\n]+\"|`[^`\n]+`|\S+)", re.MULTILINE)
# the import declarations end where the first other top-level declaration starts
_FIRST_DECL = re.compile(rb"^(?:func|type|var|const)\b", re.MULTILINE)
_IMPORT = re.compile(rb"^import\b", re.MULTILINE)
_COMMENTS = re.compile(rb"//[^\n]*|/\*.*?\*/", re.DOTALL)
_PATH = re.compile(rb'"((?:[^"\\\n]|\\.)*)"|`([^`\n]*)`')


@dataclass(frozen=True)
class ImportGraph:
    """Per unit (by index in the run): its import path (None when no `go.mod` is above it) and
    the units of the run it imports from its non-test files."""

    import_paths: tuple[str | None, ...]
    deps: tuple[frozenset[int], ...]


def module_path(go_mod: bytes) -> str | None:
    m = _MODULE.search(go_mod)
    return m.group(1).strip(b'"`').decode("utf-8", "replace") if m else None


def scan_imports(source: bytes) -> list[str]:
    """The import paths a Go file declares, read from its bytes (comments and strings outside
    the import declarations are never reached: the scan stops at the first other declaration)."""
    end = _FIRST_DECL.search(source)
    head = source[: end.start()] if end else source
    first = _IMPORT.search(head)
    if first is None:
        return []
    body = _COMMENTS.sub(b" ", head[first.start() :])
    return [(m.group(1) or m.group(2)).decode("utf-8", "replace") for m in _PATH.finditer(body)]


def import_graph(units: Sequence[PackageUnit], contents: Mapping[int, Mapping[str, bytes]]) -> ImportGraph:
    """The graph over `units`; `contents` gives the files already read (others are read here)."""
    roots: dict[str, tuple[str, str] | None] = {}
    paths: list[str | None] = []
    for u in units:
        found = _module_of(os.path.abspath(u.directory), roots)
        if found is None:
            paths.append(None)
            continue
        root, module = found
        rel = os.path.relpath(os.path.abspath(u.directory), root)
        paths.append(module if rel == "." else f"{module}/{rel.replace(os.sep, '/')}")
    index: dict[str, int] = {}
    for i, p in enumerate(paths):
        if p is not None:
            index.setdefault(p, i)
    deps: list[frozenset[int]] = []
    for i, u in enumerate(units):
        if paths[i] is None:
            deps.append(frozenset())
            continue
        edges: set[int] = set()
        for path in u.files:
            if path.endswith("_test.go"):
                continue  # an external test package may import what imports its package
            source = contents.get(i, {}).get(path)
            if source is None:
                source = _head(path)
                if source is None:
                    continue  # the worker reports it
            edges.update(index[p] for p in scan_imports(source) if p in index)
        edges.discard(i)
        deps.append(frozenset(edges))
    return ImportGraph(tuple(paths), tuple(deps))


_HEAD_BYTES = 8192


def _head(path: str) -> bytes | None:
    """The start of a file up to its first declaration after the imports (the whole file when
    that is not in the first few kilobytes): the workers read the files again in full."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
            if len(head) == _HEAD_BYTES and _FIRST_DECL.search(head) is None:
                head += fh.read()
    except OSError:
        return None
    return head


def _module_of(directory: str, memo: dict[str, tuple[str, str] | None]) -> tuple[str, str] | None:
    """(module root directory, module path) of the nearest go.mod above `directory`."""
    seen: list[str] = []
    d = directory
    found: tuple[str, str] | None = None
    while True:
        if d in memo:
            found = memo[d]
            break
        seen.append(d)
        try:
            with open(os.path.join(d, "go.mod"), "rb") as fh:
                module = module_path(fh.read())
            found = (d, module) if module else None
            break
        except OSError:
            pass
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    for s in seen:
        memo[s] = found
    return found


def module_relative(directory: str) -> tuple[str, ...] | None:
    """The parts of `directory`'s path below its module's root (None outside a module)."""
    found = _module_of(os.path.abspath(directory), {})
    if found is None:
        return None
    rel = os.path.relpath(os.path.abspath(directory), found[0])
    return () if rel == "." else tuple(rel.split(os.sep))


def ready_units(deps: Sequence[frozenset[int]], done: set[int], pending: set[int], in_flight: bool) -> list[int]:
    """The pending units whose module imports are all done. When none is, nothing is being
    analysed and some are pending, an import cycle blocks them: the unit with the fewest
    unfinished imports goes first, and its missing facts count as unknown."""
    ready = sorted(i for i in pending if deps[i] <= done)
    if ready or not pending or in_flight:
        return ready
    return [min(pending, key=lambda i: (len(deps[i] - done), i))]


def critical_path(deps: Sequence[frozenset[int]], weights: Sequence[int]) -> list[int]:
    """Per unit, its weight plus the heaviest chain of units that import it, directly or not: the
    work that cannot start before it ends. Scheduling the heaviest first keeps a large package
    that imports much (a daemon, a server) from starting last and running alone at the end."""
    importers: list[list[int]] = [[] for _ in deps]
    for i, ds in enumerate(deps):
        for d in ds:
            importers[d].append(i)
    done: dict[int, int] = {}
    visiting: set[int] = set()  # on the current path: an import cycle adds nothing more
    for start in range(len(deps)):
        stack = [start]
        while stack:
            i = stack[-1]
            if i in done:
                stack.pop()
                continue
            visiting.add(i)
            pending = [j for j in importers[i] if j not in done and j not in visiting]
            if pending:
                stack.extend(pending)
                continue
            done[i] = weights[i] + max((done.get(j, 0) for j in importers[i]), default=0)
            visiting.discard(i)
            stack.pop()
    return [done[i] for i in range(len(deps))]
