"""analysistest-style expectations: `// want "regexp"` comments in Go fixtures.

A comment whose text starts with `want` holds Go string literals (double- or
back-quoted), several per comment; `// want +N "rx"` targets N lines below.
Each pattern is matched, unanchored, against "CODE message" of a finding on
that line; every finding consumes one pattern. Leftover patterns and
unmatched findings are both failures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ctxguard.findings import Finding
from ctxguard.gosrc.model import GoFile

_CODE = re.compile(r"^CG\d{3}\b")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"', "'": "'"}


@dataclass(frozen=True)
class Expectation:
    path: str
    line: int
    pattern: str


class WantSyntaxError(ValueError):
    pass


def go_string(s: str, pos: int) -> tuple[str, int]:
    """Decode the Go string literal starting at s[pos]; return (value, end)."""
    quote = s[pos]
    if quote == "`":
        end = s.find("`", pos + 1)
        if end < 0:
            raise WantSyntaxError("unterminated raw string")
        return s[pos + 1 : end], end + 1
    out: list[str] = []
    i = pos + 1
    while i < len(s):
        c = s[i]
        if c == '"':
            return "".join(out), i + 1
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = s[i + 1 : i + 2]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[e]
            out.append(chr(int(s[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        elif e.isdigit():
            out.append(chr(int(s[i + 1 : i + 4], 8)))
            i += 4
        else:
            raise WantSyntaxError(f"unknown escape \\{e}")
    raise WantSyntaxError("unterminated string")


def parse_want(comment: str) -> tuple[int, list[str]] | None:
    """(line offset, patterns) of a want comment, or None if it is not one."""
    body = comment[2:-2] if comment.startswith("/*") else comment[2:]
    body = body.strip()
    if not re.match(r"want\b", body):
        return None
    rest = body[4:].lstrip()
    offset = 0
    m = re.match(r"\+(\d+)\s*", rest)
    if m:
        offset = int(m.group(1))
        rest = rest[m.end() :]
    patterns: list[str] = []
    i = 0
    while i < len(rest):
        if rest[i].isspace():
            i += 1
            continue
        if rest[i] not in '"`':
            break  # trailing prose
        value, i = go_string(rest, i)
        patterns.append(value)
    return offset, patterns


def expectations(file: GoFile) -> list[Expectation]:
    out: list[Expectation] = []
    for _, caps in file.query("(comment) @c"):
        node = caps["c"][0]
        parsed = parse_want(node.text.decode("utf-8", "replace") if node.text else "")
        if parsed is None:
            continue
        offset, patterns = parsed
        line = node.start_point[0] + 1 + offset
        out.extend(Expectation(file.path, line, p) for p in patterns)
    return out


def compare(
    findings: Iterable[Finding], wants: Iterable[Expectation], known_codes: Iterable[str] | None = None
) -> list[str]:
    """Problems, one line each: findings nobody expected and expectations nothing met.

    With `known_codes`, a pattern that names another code (e.g. a rule not
    implemented yet, or not under test) is ignored.
    """
    known = set(known_codes) if known_codes is not None else None
    pending: dict[tuple[str, int], list[str]] = {}
    for w in wants:
        m = _CODE.match(w.pattern)
        if known is not None and m and m.group(0) not in known:
            continue
        pending.setdefault((w.path, w.line), []).append(w.pattern)
    problems: list[str] = []
    for f in sorted(findings, key=Finding.sort_key):
        text = f"{f.code} {f.message}"
        pats = pending.get((f.path, f.line), [])
        for i, p in enumerate(pats):
            if re.search(p, text):
                del pats[i]
                break
        else:
            problems.append(f"{f.path}:{f.line}:{f.col}: unexpected finding: {text}")
    for (path, line), pats in sorted(pending.items()):
        problems.extend(f"{path}:{line}: no finding matched want {p!r}" for p in pats)
    return problems
