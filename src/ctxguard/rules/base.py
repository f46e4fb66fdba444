"""What a rule is, and the pass through which it reports (after go/analysis)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tree_sitter import Node

from ctxguard.findings import Edit, Finding, Fix, Severity, fingerprint, line_hash, utf16_col
from ctxguard.gosrc.facts import callee_key
from ctxguard.gosrc.model import GoFile, Package
from ctxguard.gosrc.syntax import enclosing_function


@dataclass(frozen=True)
class Rule:
    code: str  # stable: users write it in configs and suppressions
    name: str  # kebab-case
    severity: Severity
    summary: str  # one line
    doc: str  # markdown: what it finds, why it leaks, a bad and a good example
    check: Callable[[Pass], None]
    # fast path: skip a file unless it imports one of these (empty: always run)
    needs_imports: frozenset[str] = frozenset()
    # ... and unless its bytes contain every one of these
    needs_text: tuple[bytes, ...] = ()
    # option name -> its help; users set them in the configuration ([lint.options.<code or name>])
    options: Mapping[str, str] = field(default_factory=dict)
    # checks option values when the configuration is read; raises ValueError with a one-line message
    validate_options: Callable[[Mapping[str, tuple[str, ...]]], None] | None = None
    # the tier: True, on by default (findings a maintainer would fix: leaks and cut cancellations);
    # False, opt-in (style, test hygiene): runs only when selected by its code, its name or ALL
    default: bool = True
    # a rule about test code itself (CG205): it reads _test.go files even when the run leaves
    # test code out, and its findings there are kept
    tests: bool = False
    # what the rule learns about a package's functions for the packages that import it (see
    # gosrc.facts); runs over a package before `check` runs on its files
    export_facts: Callable[[FactPass], None] | None = None

    def applies_to(self, file: GoFile) -> bool:
        if self.needs_imports and not file.imports_any(self.needs_imports):
            return False
        return all(t in file.source for t in self.needs_text)


@dataclass
class Pass:
    """One rule run over one file: the model to ask and the place to report."""

    rule: Rule
    file: GoFile
    findings: list[Finding] = field(default_factory=list)
    # this rule's options from the configuration: each a list of strings
    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # the codes of every rule in this run: a rule that leaves a finding to another (one
    # problem, one finding) must know that the other one runs
    running: frozenset[str] = frozenset()
    # this rule's facts about functions: its package's own and those of the packages it imports
    facts: Mapping[str, object] = field(default_factory=dict)

    def fact(self, call: Node, file: GoFile | None = None) -> tuple[str, object] | None:
        """(the callee's key, this rule's fact about it) for a call whose callee the source proves;
        `file` when the call lies in another file of the package."""
        if not self.facts:
            return None
        key = callee_key(file or self.file, call)
        value = self.facts.get(key) if key is not None else None
        return None if value is None or key is None else (key, value)

    def report(
        self, node: Node, message: str, end: Node | None = None, file: GoFile | None = None, fix: Fix | None = None
    ) -> None:
        """Report at `node`; `file` when it lies in another file of the package (a goroutine's body)."""
        self.report_at(node.start_point, (end or node).end_point, message, node, file, fix)

    def report_at(
        self,
        start: tuple[int, int],
        end: tuple[int, int],
        message: str,
        node: Node,
        file: GoFile | None = None,
        fix: Fix | None = None,
    ) -> None:
        file = file or self.file
        src = file.source
        lines = _line_slices(file)
        row, col = start
        erow, ecol = end
        line = src[lines[row][0] : lines[row][1]] if row < len(lines) else b""
        eline = src[lines[erow][0] : lines[erow][1]] if erow < len(lines) else b""
        fn = enclosing_function(node) if node.type not in ("function_declaration", "method_declaration") else node
        fname = file.func_info(fn).name if fn is not None else ""
        r = self.rule
        line_text = line.decode("utf-8", "replace")
        self.findings.append(
            Finding(
                code=r.code,
                name=r.name,
                severity=r.severity,
                path=file.path,
                line=row + 1,
                col=col + 1,
                end_line=erow + 1,
                end_col=ecol + 1,
                message=message,
                function=fname,
                fingerprint=fingerprint(r.code, file.path, line_text, fname),
                line_hash=line_hash(r.code, line_text, fname),
                col_utf16=utf16_col(line, col),
                end_col_utf16=utf16_col(eline, ecol),
                fix=fix,
            )
        )


@dataclass
class FactPass:
    """One rule summarising one package's functions, after the packages it imports."""

    rule: Rule
    package: Package
    imported: Mapping[str, object]  # this rule's facts from the imported packages
    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exported: dict[str, object] = field(default_factory=dict)
    test_keys: set[str] = field(default_factory=set)  # declared in _test.go files: not exported

    def fact(self, key: str) -> object | None:
        return self.exported.get(key, self.imported.get(key))

    def export(self, file: GoFile, key: str, value: object) -> None:
        self.exported[key] = value
        if file.path.endswith("_test.go"):
            self.test_keys.add(key)

    def lookup(self, file: GoFile, call: Node) -> tuple[str, object] | None:
        key = callee_key(file, call)
        value = self.fact(key) if key is not None else None
        return None if value is None or key is None else (key, value)

    def public(self) -> dict[str, object]:
        """The facts importers may read: none about functions of test files."""
        return {k: v for k, v in self.exported.items() if k not in self.test_keys}


def replace(node: Node, new_text: str) -> Edit:
    """An edit replacing `node`'s bytes."""
    return Edit(node.start_byte, node.end_byte, new_text)


def insert(at_byte: int, new_text: str) -> Edit:
    return Edit(at_byte, at_byte, new_text)


def _line_slices(file: GoFile) -> list[tuple[int, int]]:
    def compute() -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        start = 0
        src = file.source
        while True:
            nl = src.find(b"\n", start)
            if nl < 0:
                out.append((start, len(src)))
                return out
            out.append((start, nl))
            start = nl + 1

    return file.memo("lines", compute)
