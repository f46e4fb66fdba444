"""Lint one package: parse its files, export its facts, run the rules, apply inline suppressions.

This is what a worker process runs (lint.run schedules the packages): tree-sitter parsers
cannot be pickled and the C library holds the GIL, so parallelism is by process; each
worker builds its own parser, receives a package's file paths and its imports' facts, and
returns plain findings and the facts the package exports.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ctxguard.findings import Finding, fingerprint, line_hash, utf16_col
from ctxguard.gosrc import GoFile, GoParser, Package
from ctxguard.gosrc.facts import NO_FACTS, FactTable
from ctxguard.lint import suppress
from ctxguard.lint.cache import finding_from_json, finding_to_json
from ctxguard.lint.discovery import PackageUnit, display_path, is_generated
from ctxguard.lint.shortlived import EVERYTHING, CodeScope, is_command_package, is_migration_package, is_test_file
from ctxguard.rules import ALL_RULES, BY_CODE, FactPass, Pass, Rule

# rule code -> option name -> values, as the configuration gives them
RuleOptions = Mapping[str, Mapping[str, tuple[str, ...]]]
UNUSED_SUPPRESSION = "CG001"


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
    scope: CodeScope = EVERYTHING,
    imported: FactTable = NO_FACTS,
    import_path: str | None = None,
) -> UnitResult:
    """Lint one package; test code, command-line tools' commands and schema migrations that
    `scope` leaves out (lint.shortlived) get only the rules about test code. `imported` holds the facts of the
    packages it imports; the result carries the facts it exports."""
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
        short_lived = (not scope.commands and is_command_package(pkg)) or (
            not scope.migrations and is_migration_package(pkg)
        )
        for f in pkg.files:
            files[f.path] = f
            left_out = short_lived or (not scope.tests and is_test_file(f, unit.test_support))
            chosen = test_rules if left_out else rules
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
