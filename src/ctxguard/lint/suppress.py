"""Inline suppressions: `//ctxguard:ignore CODE reason` and golangci-lint's `//nolint:linter`.

A directive trailing code covers its own line; a directive alone on its line
covers the declaration or statement that starts on the next line, all of it
(as golangci-lint applies `//nolint` above a function to its whole body). golangci-lint linter names map to the codes
that cover the same ground, so a codebase already annotated for golangci-lint
needs no second set of comments. Only `ctxguard:ignore` directives are
reported when unused: a `nolint` may be there for golangci-lint's own
findings, which ctxguard cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ctxguard.findings import Finding

# golangci-lint linter -> the ctxguard codes that find what it finds
NOLINT_CODES: dict[str, frozenset[str]] = {
    "lostcancel": frozenset({"CG101"}),
    "govet": frozenset({"CG101"}),
    "gosec": frozenset({"CG101"}),
    "contextcheck": frozenset({"CG201", "CG202"}),
    "noctx": frozenset({"CG202"}),
    "containedctx": frozenset({"CG303"}),
    "fatcontext": frozenset({"CG304"}),
    "staticcheck": frozenset({"CG204", "CG301"}),
    "revive": frozenset({"CG203", "CG301"}),
}

_DIRECTIVE = re.compile(rb"//\s*(ctxguard:ignore|nolint)\b([^\n]*)")


@dataclass(frozen=True)
class Directive:
    line: int  # 1-based line of the comment
    col: int  # 1-based byte column of `//`
    end_col: int
    first: int  # first covered line
    last: int  # last covered line
    codes: frozenset[str] | None  # None: every rule
    own: bool  # a ctxguard:ignore (reported when unused), not a nolint
    alone: bool = False  # on a line of its own: it covers what follows
    start_byte: int = 0  # of the `//`, to check it sits in a comment and not in a string

    def extended_to(self, last_line: int) -> Directive:
        return replace(self, last=max(self.last, last_line))


def directives(source: bytes, names: dict[str, str]) -> list[Directive]:
    """The suppression comments of a file; `names` maps rule names (and codes) to codes."""
    if b"ctxguard:ignore" not in source and b"nolint" not in source:
        return []
    out: list[Directive] = []
    for m in _DIRECTIVE.finditer(source):
        line_no = source.count(b"\n", 0, m.start()) + 1
        line_start = source.rfind(b"\n", 0, m.start()) + 1
        alone = source[line_start : m.start()].strip() == b""
        rest = m.group(2).decode("utf-8", "replace")
        if m.group(1) == b"nolint":
            codes = _nolint_codes(rest)
            if codes is not None and not codes:
                continue  # names only other linters
            own = False
        else:
            codes = _ignore_codes(rest, names)
            own = True
        out.append(
            Directive(
                line=line_no,
                col=m.start() - line_start + 1,
                end_col=m.end() - line_start + 1,
                first=line_no,
                last=line_no + 1 if alone else line_no,
                codes=codes,
                own=own,
                alone=alone,
                start_byte=m.start(),
            )
        )
    return out


def _nolint_codes(rest: str) -> frozenset[str] | None:
    if not rest.startswith(":"):
        return None  # bare //nolint: every linter
    linters = re.match(r":([\w,\-]+)", rest)
    names = linters.group(1).split(",") if linters else []
    if "all" in names:
        return None
    return frozenset(c for n in names for c in NOLINT_CODES.get(n.strip().lower(), ()))


def _ignore_codes(rest: str, names: dict[str, str]) -> frozenset[str] | None:
    codes: set[str] = set()
    for token in re.split(r"[\s,]+", rest.strip()):
        code = names.get(token.upper()) or names.get(token.lower())
        if code is None:
            break  # not a rule: the reason starts here
        codes.add(code)
    return frozenset(codes) or None


def covers(d: Directive, f: Finding) -> bool:
    return d.first <= f.line <= d.last and (d.codes is None or f.code in d.codes)


@dataclass(frozen=True)
class Suppressed:
    kept: tuple[Finding, ...]
    unused: tuple[Directive, ...]  # ctxguard:ignore directives that silenced nothing they could have


def apply(
    findings: Iterable[Finding], file_directives: list[Directive], codes_run: frozenset[str], every_rule_ran: bool
) -> Suppressed:
    """Drop the findings a directive covers. A directive is judged unused only when every rule
    it names ran (`codes_run`; a bare directive needs `every_rule_ran`)."""
    used: set[int] = set()
    kept: list[Finding] = []
    for f in findings:
        hit = next((i for i, d in enumerate(file_directives) if covers(d, f)), None)
        if hit is None:
            kept.append(f)
        else:
            used.add(hit)
    unused = tuple(
        d
        for i, d in enumerate(file_directives)
        if d.own and i not in used and (every_rule_ran if d.codes is None else d.codes <= codes_run)
    )
    return Suppressed(tuple(kept), unused)
