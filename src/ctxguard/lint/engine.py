"""Run the rules over packages, in a process pool.

tree-sitter parsers cannot be pickled and the C library holds the GIL, so
parallelism is by process: each worker builds its own parser, receives a
package's file paths and returns plain findings.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from ctxguard.findings import Finding
from ctxguard.gosrc import GoFile, GoParser, Package
from ctxguard.lint.discovery import PackageUnit, display_path, is_generated
from ctxguard.rules import BY_CODE, Pass, Rule


@dataclass(frozen=True)
class UnitResult:
    findings: tuple[Finding, ...]
    files: int  # files analysed
    skipped_generated: int
    errors: tuple[str, ...]  # one line each: unreadable files


@dataclass(frozen=True)
class LintResult:
    findings: tuple[Finding, ...]
    files: int
    packages: int
    skipped_generated: int
    errors: tuple[str, ...]


@functools.cache
def _parser() -> GoParser:
    """One parser per process (workers are separate processes)."""
    return GoParser()


def load_package(unit: PackageUnit, include_generated: bool = False) -> tuple[list[Package], int, list[str]]:
    """Parse a directory's files into packages (a directory may hold `p` and `p_test`)."""
    parser = _parser()
    by_name: dict[str, list[GoFile]] = {}
    errors: list[str] = []
    generated = 0
    for path in unit.files:
        try:
            with open(path, "rb") as fh:
                source = fh.read()
        except OSError as e:
            errors.append(f"{path}: cannot read: {e.strerror or e}")
            continue
        if not include_generated and is_generated(source):
            generated += 1
            continue
        f = GoFile(display_path(path), source, parser.parse(source))
        by_name.setdefault(f.package_name, []).append(f)
    return [Package(unit.directory, name, files) for name, files in by_name.items()], generated, errors


def run_rules(file: GoFile, rules: Iterable[Rule], errors: list[str] | None = None) -> list[Finding]:
    """Findings of `rules` on `file`; a rule that crashes costs its own findings, not the run."""
    out: list[Finding] = []
    for rule in rules:
        if not rule.applies_to(file):
            continue
        p = Pass(rule, file)
        try:
            rule.check(p)
        except RecursionError:
            if errors is None:
                raise
            errors.append(f"{file.path}: {rule.code} skipped: the file nests too deeply")
            continue
        except Exception as e:  # a bug in one rule must not lose every other finding
            if errors is None:
                raise
            errors.append(f"{file.path}: internal error in {rule.code}: {type(e).__name__}: {e}")
            continue
        out.extend(p.findings)
    return out


def lint_unit(unit: PackageUnit, codes: tuple[str, ...], include_generated: bool) -> UnitResult:
    rules = [BY_CODE[c] for c in codes]
    packages, generated, errors = load_package(unit, include_generated)
    findings: list[Finding] = []
    files = 0
    for pkg in packages:
        for f in pkg.files:
            files += 1
            findings.extend(run_rules(f, rules, errors))
    # a rule may report into another file of the package (a goroutine body it followed); when
    # two files lead it to the same place, the finding is the same
    return UnitResult(tuple(dict.fromkeys(findings)), files, generated, tuple(errors))


def _lint_batch(units: list[PackageUnit], codes: tuple[str, ...], include_generated: bool) -> list[UnitResult]:
    return [lint_unit(u, codes, include_generated) for u in units]


def _batches(units: list[PackageUnit], target_files: int) -> Iterator[list[PackageUnit]]:
    batch: list[PackageUnit] = []
    n = 0
    for u in units:
        batch.append(u)
        n += len(u.files)
        if n >= target_files:
            yield batch
            batch, n = [], 0
    if batch:
        yield batch


def lint(
    units: list[PackageUnit],
    rules: Iterable[Rule],
    *,
    jobs: int | None = None,
    include_generated: bool = False,
    on_progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> LintResult:
    """Lint every package; `on_progress` is told how many files each finished batch held."""
    codes = tuple(r.code for r in rules)
    total_files = sum(len(u.files) for u in units)
    jobs = jobs or os.cpu_count() or 1
    results: list[UnitResult] = []
    if executor is None and (jobs == 1 or total_files < 64):
        for u in units:
            results.append(lint_unit(u, codes, include_generated))
            if on_progress:
                on_progress(len(u.files))
    else:
        # about eight batches per worker (8 to 64 files each): the pool stays busy without tiny tasks
        size = max(8, min(64, total_files // (jobs * 8) or 8))
        own = executor is None
        pool = executor or ProcessPoolExecutor(max_workers=jobs)
        try:
            futures = {
                pool.submit(_lint_batch, b, codes, include_generated): sum(len(u.files) for u in b)
                for b in _batches(units, size)
            }
            for fut in as_completed(futures):
                results.extend(fut.result())
                if on_progress:
                    on_progress(futures[fut])
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
    findings = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    return LintResult(
        findings=tuple(findings),
        files=sum(r.files for r in results),
        packages=len(units),
        skipped_generated=sum(r.skipped_generated for r in results),
        errors=tuple(e for r in results for e in r.errors),
    )
