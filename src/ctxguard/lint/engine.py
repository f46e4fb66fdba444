"""Run the rules over packages, in a process pool.

tree-sitter parsers cannot be pickled and the C library holds the GIL, so
parallelism is by process: each worker builds its own parser, receives a
package's file paths and returns plain findings.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

from ctxguard.findings import Finding, fingerprint, line_hash, utf16_col
from ctxguard.gosrc import GoFile, GoParser, Package
from ctxguard.gosrc.facts import NO_FACTS, FactTable
from ctxguard.lint import suppress
from ctxguard.lint.cache import Cache, facts_digest, finding_from_json, finding_to_json, settings_key, unit_key
from ctxguard.lint.discovery import PackageUnit, display_path, is_generated
from ctxguard.lint.modules import critical_path, import_graph, ready_units
from ctxguard.rules import ALL_RULES, BY_CODE, FactPass, Pass, Rule

# rule code -> option name -> values, as the configuration gives them
RuleOptions = Mapping[str, Mapping[str, tuple[str, ...]]]
UNUSED_SUPPRESSION = "CG001"
_TESTING = frozenset({"testing"})


@dataclass(frozen=True)
class UnitResult:
    findings: tuple[Finding, ...]
    files: int  # files analysed
    skipped_generated: int
    errors: tuple[str, ...]  # one line each: unreadable files
    suppressed: int = 0
    # what the rules learnt about the package's functions, for the packages importing it
    facts: FactTable = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "findings": [finding_to_json(f) for f in self.findings],
            "files": self.files,
            "skipped_generated": self.skipped_generated,
            "errors": list(self.errors),
            "suppressed": self.suppressed,
            "facts": self.facts,
        }

    @staticmethod
    def from_json(d: Mapping[str, object]) -> UnitResult | None:
        try:
            return UnitResult(
                tuple(finding_from_json(f) for f in d["findings"]),  # type: ignore[attr-defined]
                int(d["files"]),  # type: ignore[call-overload]
                int(d["skipped_generated"]),  # type: ignore[call-overload]
                tuple(str(e) for e in d["errors"]),  # type: ignore[attr-defined]
                int(d["suppressed"]),  # type: ignore[call-overload]
                _facts_from_json(d["facts"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


@dataclass(frozen=True)
class LintResult:
    findings: tuple[Finding, ...]
    files: int
    packages: int
    skipped_generated: int
    errors: tuple[str, ...]
    cached_packages: int = 0  # packages answered from the cache
    suppressed: int = 0  # findings silenced by inline directives


def _facts_from_json(value: object) -> FactTable:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError("damaged facts")
    return value


@functools.cache
def process_parser() -> GoParser:
    """One parser per process (workers are separate processes)."""
    return GoParser()


def load_package(
    unit: PackageUnit,
    include_generated: bool = False,
    overrides: Mapping[str, bytes] | None = None,
    import_path: str | None = None,
) -> tuple[list[Package], int, list[str]]:
    """Parse a directory's files into packages (a directory may hold `p` and `p_test`);
    `overrides` replaces the content of some files (a fix being verified)."""
    parser = process_parser()
    by_name: dict[str, list[GoFile]] = {}
    errors: list[str] = []
    generated = 0
    for path in unit.files:
        source = (overrides or {}).get(path)
        try:
            if source is None:
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
    packages = [
        Package(unit.directory, name, files, _package_path(import_path, name)) for name, files in by_name.items()
    ]
    return packages, generated, errors


def _package_path(directory_path: str | None, name: str) -> str | None:
    """An external test package (`p_test`) is a package of its own: `path_test`."""
    if directory_path is None:
        return None
    return f"{directory_path}_test" if name.endswith("_test") else directory_path


def run_rules(
    file: GoFile,
    rules: Iterable[Rule],
    errors: list[str] | None = None,
    options: RuleOptions | None = None,
    facts: FactTable = NO_FACTS,
) -> list[Finding]:
    """Findings of `rules` on `file`; a rule that crashes costs its own findings, not the run."""
    out: list[Finding] = []
    rules = list(rules)
    running = frozenset(r.code for r in rules)
    for rule in rules:
        if not rule.applies_to(file):
            continue
        own = (options or {}).get(rule.code, {})
        p = Pass(rule, file, options=own, running=running, facts=facts.get(rule.code, {}))
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


def lint_unit(
    unit: PackageUnit,
    codes: tuple[str, ...],
    include_generated: bool,
    options: RuleOptions | None = None,
    overrides: Mapping[str, bytes] | None = None,
    include_tests: bool = True,
    imported: FactTable = NO_FACTS,
    import_path: str | None = None,
) -> UnitResult:
    """Lint one package; with `include_tests` off, test code (_test.go files, files importing
    "testing", test support directories) gets only the rules about test code. `imported` holds
    the facts of the packages it imports; the result carries the facts it exports."""
    rules = [BY_CODE[c] for c in codes]
    test_rules = [r for r in rules if r.tests]  # what test code gets when the run leaves it out
    packages, generated, errors = load_package(unit, include_generated, overrides, import_path)
    findings: list[Finding] = []
    files: dict[str, GoFile] = {}
    exported: dict[str, dict[str, object]] = {}
    # the package before its external test package, which imports it
    for pkg in sorted(packages, key=lambda p: p.name.endswith("_test")):
        own = _export_facts(pkg, rules, imported, options or {}, errors)
        facts: FactTable = {code: {**imported.get(code, {}), **fp.exported} for code, fp in own.items()}
        if not pkg.name.endswith("_test"):
            exported = {code: fp.public() for code, fp in own.items()}
            imported = {**imported, **facts}
        for f in pkg.files:
            files[f.path] = f
            # a file that imports "testing" outside _test.go is a test helper (production code
            # that imported it would link the test flags into the binary)
            test_code = unit.test_support or f.path.endswith("_test.go") or f.imports_any(_TESTING)
            chosen = rules if include_tests or not test_code else test_rules
            findings.extend(run_rules(f, chosen, errors, options, facts))
    # a rule may report into another file of the package (a goroutine body it followed); when
    # two files lead it to the same place, the finding is the same
    kept, suppressed = _suppress(list(dict.fromkeys(findings)), files, frozenset(codes))
    return UnitResult(tuple(kept), len(files), generated, tuple(errors), suppressed, exported)


def _export_facts(
    pkg: Package, rules: list[Rule], imported: FactTable, options: RuleOptions, errors: list[str]
) -> dict[str, FactPass]:
    """Each rule's facts about the package's functions; a rule that crashes exports none."""
    out: dict[str, FactPass] = {}
    for rule in rules:
        if rule.export_facts is None:
            continue
        fp = FactPass(rule, pkg, imported.get(rule.code, {}), options.get(rule.code, {}))
        try:
            rule.export_facts(fp)
        except RecursionError:
            errors.append(f"{pkg.directory}: {rule.code} facts skipped: a file nests too deeply")
            fp = FactPass(rule, pkg, imported.get(rule.code, {}))
        except Exception as e:  # a bug in one rule must not lose the others' facts
            errors.append(f"{pkg.directory}: internal error in {rule.code} facts: {type(e).__name__}: {e}")
            fp = FactPass(rule, pkg, imported.get(rule.code, {}))
        out[rule.code] = fp
    return out


def _suppress(findings: list[Finding], files: dict[str, GoFile], codes: frozenset[str]) -> tuple[list[Finding], int]:
    """Apply each file's inline directives; report unused ones as CG001 when that rule runs."""
    names = {r.name: r.code for r in ALL_RULES} | {r.code: r.code for r in ALL_RULES}
    # a bare directive is judged once every default rule ran (opt-in rules are not expected)
    every_rule = codes >= {r.code for r in ALL_RULES if r.default and r.code != UNUSED_SUPPRESSION}
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    kept: list[Finding] = []
    dropped = 0
    for path, file in files.items():
        own = by_path.pop(path, [])
        found = [_widen(file, d) for d in suppress.directives(file.source, names) if _in_comment(file, d)]
        if not found:
            kept.extend(own)
            continue
        result = suppress.apply(own, found, codes, every_rule)
        dropped += len(own) - len(result.kept)
        kept.extend(result.kept)
        if UNUSED_SUPPRESSION in codes:
            kept.extend(_unused_finding(file, d) for d in result.unused)
    for rest in by_path.values():
        kept.extend(rest)
    return kept, dropped


def _in_comment(file: GoFile, d: suppress.Directive) -> bool:
    """The directive starts a `//` comment: not text in a string, a block comment or another comment."""
    node = file.root.descendant_for_byte_range(d.start_byte, d.start_byte + 2)
    return node is not None and node.type == "comment" and node.start_byte == d.start_byte


def _widen(file: GoFile, d: suppress.Directive) -> suppress.Directive:
    """A directive alone on its line covers the whole declaration or statement starting on the next."""
    if not d.alone:
        return d
    start = _first_code_byte(file.source, d.line)  # the next line's first non-blank byte
    if start is None:
        return d
    node = file.root.descendant_for_byte_range(start, start)
    widest = None
    while node is not None and node.start_byte == start and node.type != "source_file":
        if node.type.endswith(("_declaration", "_statement")) or node.type in ("field_declaration", "method_elem"):
            widest = node
        node = node.parent
    return d if widest is None else d.extended_to(widest.end_point[0] + 1)


def _first_code_byte(source: bytes, comment_line: int) -> int | None:
    pos = 0
    for _ in range(comment_line):
        nl = source.find(b"\n", pos)
        if nl < 0:
            return None
        pos = nl + 1
    end = source.find(b"\n", pos)
    line = source[pos : end if end >= 0 else len(source)]
    stripped = len(line) - len(line.lstrip())
    return pos + stripped if line.strip() else None


def _unused_finding(file: GoFile, d: suppress.Directive) -> Finding:
    rule = BY_CODE[UNUSED_SUPPRESSION]
    raw = file.source.split(b"\n")[d.line - 1]
    line = raw.decode("utf-8", "replace")
    what = ", ".join(sorted(d.codes)) if d.codes else "any rule"
    return Finding(
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        path=file.path,
        line=d.line,
        col=d.col,
        end_line=d.line,
        end_col=d.end_col,
        message=f"unused suppression: no {what} finding on the line it covers",
        fingerprint=fingerprint(rule.code, file.path, line, ""),
        line_hash=line_hash(rule.code, line, ""),
        col_utf16=utf16_col(raw, d.col - 1),
        end_col_utf16=utf16_col(raw, d.end_col - 1),
    )


def _lint_batch(
    units: list[tuple[PackageUnit, dict[str, bytes] | None, FactTable, str | None]],
    codes: tuple[str, ...],
    include_generated: bool,
    options: RuleOptions,
    include_tests: bool,
) -> list[UnitResult]:
    return [
        lint_unit(u, codes, include_generated, options, read, include_tests, facts, path)
        for u, read, facts, path in units
    ]


def _unit_bytes(unit: PackageUnit, read: dict[str, bytes] | None) -> int:
    if read is not None:
        return sum(len(b) for b in read.values())
    total = 0
    for path in unit.files:
        with contextlib.suppress(OSError):
            total += os.path.getsize(path)
    return total


def _batches(items: list[int], sizes: list[int], target_files: int) -> Iterator[list[int]]:
    batch: list[int] = []
    n = 0
    for item, size in zip(items, sizes, strict=True):
        batch.append(item)
        n += size
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
    options: RuleOptions | None = None,
    cache: Cache | None = None,
    include_tests: bool = True,
) -> LintResult:
    """Lint every package, each after the packages of its module that it imports (their facts
    are its input); `on_progress` is told how many files each finished package or batch held."""
    run = _Run(units, tuple(r.code for r in rules), include_generated, options, cache, include_tests, on_progress)
    jobs = jobs or os.cpu_count() or 1
    total_files = sum(len(u.files) for u in units)
    if executor is None and (jobs == 1 or total_files < 64):
        while run.pending:
            for i in run.ready(in_flight=False):
                run.finish(i, lint_unit(*run.arguments(i)))
    else:
        # batches of about 8 files: small enough that a package others wait for is not held back
        # by the rest of its batch, large enough to keep the pool's overhead low. Only a
        # few batches are queued at a time, chosen when a worker frees up, the package with the
        # heaviest chain of importers first: the pool's queue runs in submission order, and a
        # package on the critical path must not wait behind work that nothing waits for
        size = _BATCH_FILES
        own = executor is None
        pool = executor or ProcessPoolExecutor(max_workers=jobs)
        futures: dict[Future[list[UnitResult]], list[int]] = {}
        ready: list[int] = []
        try:
            while run.pending or futures or ready:
                ready += run.ready(in_flight=bool(futures) or bool(ready))
                ready.sort(key=lambda i: -run.priority[i])
                while ready and len(futures) < jobs + 1:
                    batch = next(_batches(ready, [len(units[i].files) for i in ready], size))
                    del ready[: len(batch)]
                    work = [run.arguments(i) for i in batch]
                    args = [(w[0], w[4], w[6], w[7]) for w in work]
                    fut = pool.submit(_lint_batch, args, run.codes, include_generated, run.options, include_tests)
                    futures[fut] = batch
                if not futures:
                    continue
                finished, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in finished:
                    for i, result in zip(futures.pop(fut), fut.result(), strict=True):
                        run.finish(i, result)
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
    return run.result()


# measured on moby, etcd and prometheus with two workers: 8 against 4, 16 and 64
_BATCH_FILES = 8


class _Run:
    """The state of one lint run: which packages are done, their results and facts, the cache."""

    def __init__(
        self,
        units: list[PackageUnit],
        codes: tuple[str, ...],
        include_generated: bool,
        options: RuleOptions | None,
        cache: Cache | None,
        include_tests: bool,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        self.units = units
        self.codes = codes
        self.include_generated = include_generated
        self.include_tests = include_tests
        self.options: RuleOptions = {c: v for c, v in (options or {}).items() if c in codes}
        self.cache = cache
        self.on_progress = on_progress
        self.results: dict[int, UnitResult] = {}
        self.keys: dict[int, str] = {}
        self.cached = 0
        # what the key was computed from is what gets analysed: an edit in between cannot be
        # cached under the old content's key
        self.contents: dict[int, dict[str, bytes]] = {}
        self.settings = settings_key(codes, self.options, f"generated={include_generated} tests={include_tests}")
        self.modules: dict[str, bytes] = {}
        self.digests: dict[int, bytes] = {}  # unit -> hash of the facts it exports
        if cache is not None:
            for i, u in enumerate(units):
                read = _read_unit(u)
                if read is not None:  # else an unreadable file: the worker reports it
                    self.contents[i] = read
        if any(BY_CODE[c].export_facts is not None for c in codes):
            graph = import_graph(units, self.contents)
            self.paths, self.deps = graph.import_paths, graph.deps
        else:  # no rule exports facts: every package is independent
            self.paths, self.deps = (None,) * len(units), (frozenset(),) * len(units)
        self.pending = set(range(len(units)))
        self.done: set[int] = set()
        sizes = [_unit_bytes(u, self.contents.get(i)) for i, u in enumerate(units)]
        self.priority = critical_path(self.deps, sizes) if any(self.deps) else sizes

    def imported(self, i: int) -> FactTable:
        """The facts of the packages `i` imports, by rule (an import left unanalysed in a cycle
        adds nothing: its facts are unknown)."""
        merged: dict[str, dict[str, object]] = {}
        for d in sorted(self.deps[i]):
            found = self.results.get(d)
            for code, facts in (found.facts if found is not None else NO_FACTS).items():
                merged.setdefault(code, {}).update(facts)
        return merged

    def ready(self, in_flight: bool) -> list[int]:
        """Units to analyse now; those the cache answers are finished on the way."""
        out: list[int] = []
        while not out:
            ready = ready_units(self.deps, self.done, self.pending, in_flight)
            if not ready:
                return out
            for i in ready:
                self.pending.discard(i)
                if not self._from_cache(i):
                    out.append(i)
        return out

    def _from_cache(self, i: int) -> bool:
        if self.cache is None or i not in self.contents:
            return False
        u = self.units[i]
        # what the package reads from its imports: their facts, each hashed once when it finished
        imported = b"".join(self.digests.get(d, b"?") for d in sorted(self.deps[i]))
        key = self.keys[i] = unit_key(self.settings, [*_keyed(self.contents[i], u, self.modules), ("facts", imported)])
        hit = self.cache.get(key)
        found = UnitResult.from_json(hit) if hit is not None else None
        if found is None:
            return False
        self.cached += 1
        self._record(i, found)
        return True

    def arguments(
        self, i: int
    ) -> tuple[PackageUnit, tuple[str, ...], bool, RuleOptions, dict[str, bytes] | None, bool, FactTable, str | None]:
        return (
            self.units[i],
            self.codes,
            self.include_generated,
            self.options,
            self.contents.pop(i, None),
            self.include_tests,
            self.imported(i),
            self.paths[i],
        )

    def finish(self, i: int, result: UnitResult) -> None:
        if self.cache is not None and i in self.keys and not result.errors:
            self.cache.put(self.keys[i], result.to_json())
        self._record(i, result)

    def _record(self, i: int, result: UnitResult) -> None:
        self.results[i] = result
        if self.cache is not None and result.facts:
            self.digests[i] = facts_digest(result.facts)
        self.done.add(i)
        if self.on_progress:
            self.on_progress(len(self.units[i].files))

    def result(self) -> LintResult:
        done = list(self.results.values())
        findings = sorted((f for r in done for f in r.findings), key=Finding.sort_key)
        return LintResult(
            findings=tuple(findings),
            files=sum(r.files for r in done),
            packages=len(self.units),
            skipped_generated=sum(r.skipped_generated for r in done),
            errors=tuple(e for i in sorted(self.results) for e in self.results[i].errors),
            cached_packages=self.cached,
            suppressed=sum(r.suppressed for r in done),
        )


def _read_unit(unit: PackageUnit) -> dict[str, bytes] | None:
    out: dict[str, bytes] = {}
    for path in unit.files:
        try:
            with open(path, "rb") as fh:
                out[path] = fh.read()
        except OSError:
            return None
    return out


def _keyed(read: dict[str, bytes], unit: PackageUnit, modules: dict[str, bytes]) -> list[tuple[str, bytes]]:
    """The files of a package as the cache key sees them: displayed path and content, plus the
    nearest go.mod (its Go version changes what some rules suggest) and whether it is test code."""
    return [
        *((display_path(p), b) for p, b in read.items()),
        ("go.mod", _nearest_go_mod(unit.directory, modules)),
        ("test-support", b"1" if unit.test_support else b""),
    ]


def _nearest_go_mod(directory: str, memo: dict[str, bytes]) -> bytes:
    d = os.path.abspath(directory)
    seen: list[str] = []
    found = b""
    while True:
        if d in memo:
            found = memo[d]
            break
        seen.append(d)
        try:
            with open(os.path.join(d, "go.mod"), "rb") as fh:
                found = fh.read()
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
