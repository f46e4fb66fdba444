"""Safe fixes: apply the rules' edits, and keep only what provably helps.

A file's fixes are applied together, then verified: the fixed file must parse
no worse than before, and re-running the rules that proposed the fixes on the
fixed package must find fewer problems by exactly the fixes applied. When the
batch fails, each fix is tried alone and only the ones that pass are kept
(then verified together once more); nothing unverified is ever written.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ctxguard.findings import Edit, Finding
from ctxguard.lint.discovery import PackageUnit, display_path
from ctxguard.lint.engine import RuleOptions, lint_unit, process_parser


def apply_edits(source: bytes, edits: Iterable[Edit]) -> bytes:
    """`source` with every edit applied; edits that overlap an earlier one are dropped."""
    out: list[bytes] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            continue
        out.append(source[pos : e.start])
        out.append(e.text.encode())
        pos = e.end
    out.append(source[pos:])
    return b"".join(out)


@dataclass(frozen=True)
class FileFix:
    path: str  # as the findings show it
    disk_path: str
    original: bytes
    fixed: bytes
    applied: tuple[Finding, ...]
    rejected: tuple[Finding, ...]

    def diff(self) -> str:
        a = self.original.decode("utf-8", "replace").splitlines(keepends=True)
        b = self.fixed.decode("utf-8", "replace").splitlines(keepends=True)
        out = []
        for line in difflib.unified_diff(a, b, f"a/{self.path}", f"b/{self.path}"):
            # as git writes it, so that the patch applies
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)

    def write(self) -> None:
        """Atomically, keeping the file's mode; through a symlink, to the file it points to."""
        target = os.path.realpath(self.disk_path)
        mode = os.stat(target).st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".ctxguard-fix-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.fixed)
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise


def plan_fixes(
    findings: Iterable[Finding],
    units: list[PackageUnit],
    include_generated: bool = False,
    options: RuleOptions | None = None,
) -> list[FileFix]:
    """The verified fixes of every file that has fixable findings."""
    findings = list(findings)
    unit_of = {display_path(p): (u, p) for u in units for p in u.files}
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        if f.fix is not None and f.path in unit_of:
            by_path.setdefault(f.path, []).append(f)
    before = Counter((f.path, f.code) for f in findings)
    out: list[FileFix] = []
    for path, fixable in sorted(by_path.items()):
        unit, disk = unit_of[path]
        with open(disk, "rb") as fh:
            original = fh.read()
        check = _Verifier(path, disk, unit, original, before, include_generated, options)
        chosen = fixable
        fixed = check(chosen)
        if fixed is None:
            chosen = [f for f in fixable if check([f]) is not None]
            fixed = check(chosen) if chosen else None
            if fixed is None:
                chosen = []
        rejected = tuple(f for f in fixable if f not in chosen)
        if fixed is not None:
            fixed = _keep_gofmt_clean(original, fixed)
        out.append(FileFix(path, disk, original, fixed or original, tuple(chosen), rejected))
    return out


def _gofmt(source: bytes) -> bytes | None:
    gofmt = shutil.which("gofmt")
    if gofmt is None:
        return None
    try:
        done = subprocess.run([gofmt], input=source, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _keep_gofmt_clean(original: bytes, fixed: bytes) -> bytes:
    """A fix can shift a gofmt-aligned trailing comment; when gofmt is at hand and the file was
    gofmt-clean before, it is made clean again. Without gofmt the fix stands as written."""
    if _gofmt(original) != original:
        return fixed
    return _gofmt(fixed) or fixed


@dataclass(frozen=True)
class _Verifier:
    path: str
    disk: str
    unit: PackageUnit
    original: bytes
    before: Counter[tuple[str, str]]
    include_generated: bool
    options: RuleOptions | None

    def __call__(self, chosen: list[Finding]) -> bytes | None:
        """The file with `chosen` applied, or None if that does not verify."""
        fixed = apply_edits(self.original, (e for f in chosen if f.fix for e in f.fix.edits))
        parser = process_parser()
        if parser.parse(fixed).root_node.has_error and not parser.parse(self.original).root_node.has_error:
            return None
        codes = tuple(sorted({f.code for f in chosen}))
        after = lint_unit(self.unit, codes, self.include_generated, self.options, {self.disk: fixed})
        remaining = Counter(f.code for f in after.findings if f.path == self.path)
        applied = Counter(f.code for f in chosen)
        if any(remaining[c] > self.before[(self.path, c)] - applied[c] for c in codes):
            return None
        return fixed
