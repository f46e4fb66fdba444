"""Source links: map a suspect's frame to the Go file in a checkout, and put the static
rules' findings in that function beside it ("runtime says 40 000 goroutines parked
here; CG105 says why")."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ctxguard.findings import Finding
from ctxguard.gosrc.syntax import FUNC_TYPES
from ctxguard.lint.discovery import Discovery, PackageUnit, discover
from ctxguard.lint.run import lint
from ctxguard.rules import ALL_RULES
from ctxguard.runtime.model import Frame


@dataclass(frozen=True)
class SourceLink:
    path: str  # the file in the checkout
    line: int
    function_lines: tuple[int, int]  # first and last line of the enclosing function
    findings: tuple[Finding, ...]  # static findings inside that function


class SourceIndex:
    """The Go files of a checkout, found by the tail of the path a binary was built from."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.units = {u.directory: u for u in discover([root], Discovery(include_testdata=True))}
        self._by_name: dict[str, list[str]] = {}
        for u in self.units.values():
            for f in u.files:
                self._by_name.setdefault(os.path.basename(f), []).append(f)
        self._findings: dict[str, tuple[Finding, ...]] = {}

    def resolve(self, build_path: str) -> str | None:
        """The checkout file whose path shares the longest tail with `build_path`."""
        parts = build_path.replace("\\", "/").split("/")
        best, best_len = None, 0
        for cand in self._by_name.get(parts[-1], []):
            cparts = os.path.normpath(cand).split(os.sep)
            n = 0
            while n < min(len(parts), len(cparts)) and parts[-1 - n] == cparts[-1 - n]:
                n += 1
            if n > best_len:
                best, best_len = cand, n
            elif n == best_len:
                best = None  # ambiguous
        return best

    def link(self, frame: Frame | None) -> SourceLink | None:
        if frame is None or not frame.file:
            return None
        path = self.resolve(frame.file)
        if path is None:
            return None
        start, end = _function_lines(path, frame.line)
        findings = self._lint(os.path.dirname(path) or ".")
        inside = tuple(
            f for f in findings if os.path.abspath(f.path) == os.path.abspath(path) and start <= f.line <= end
        )
        return SourceLink(path, frame.line, (start, end), inside)

    def _lint(self, directory: str) -> tuple[Finding, ...]:
        if directory not in self._findings:
            unit = self.units.get(directory) or PackageUnit(directory, ())
            self._findings[directory] = lint([unit], ALL_RULES, jobs=1).findings
        return self._findings[directory]


def _function_lines(path: str, line: int) -> tuple[int, int]:
    """The lines of the innermost function holding `line` (the whole file if none)."""
    from ctxguard.gosrc import GoFile, GoParser

    with open(path, "rb") as fh:
        src = fh.read()
    f = GoFile(path, src, GoParser().parse(src))
    best = (1, src.count(b"\n") + 1)
    stack = [f.root]
    while stack:
        node = stack.pop()
        s, e = node.start_point[0] + 1, node.end_point[0] + 1
        if not s <= line <= e:
            continue
        if node.type in FUNC_TYPES:
            best = (s, e)
        stack.extend(node.named_children)
    return best
