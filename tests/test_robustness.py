"""Broken, truncated and mangled Go never crashes a rule: the model and every rule
must cope with whatever tree-sitter recovers from (ERROR nodes, missing fields)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctxguard.gosrc import GoFile, GoParser, Package
from ctxguard.lint.engine import run_rules
from ctxguard.rules import ALL_RULES

from lintkit import FIXTURES

SOURCES = [p.read_bytes() for p in sorted(FIXTURES.glob("*/*.go"))]
PARSER = GoParser()


def lint_bytes(src: bytes) -> None:
    f = GoFile("x.go", src, PARSER.parse(src))
    Package(".", f.package_name, [f])
    run_rules(f, ALL_RULES)  # no error list: any exception fails the test


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(min_value=0, max_value=len(SOURCES) - 1),
    cut=st.floats(min_value=0, max_value=1),
    junk=st.binary(max_size=8),
    where=st.floats(min_value=0, max_value=1),
)
def test_mangled_fixtures_never_crash(which: int, cut: float, junk: bytes, where: float) -> None:
    src = SOURCES[which]
    src = src[: int(len(src) * cut)] if cut < 0.95 else src
    at = int(len(src) * where)
    lint_bytes(src[:at] + junk + src[at:])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["{", "}", "(", ")", "go", "defer", "select", "case", "<-", ":=", "for", "ctx", "\n"])))
def test_token_soup_never_crashes(tokens: list[str]) -> None:
    lint_bytes(('package p\nimport "context"\nfunc f(ctx context.Context) {\n' + " ".join(tokens)).encode())


def test_absurd_nesting_is_a_one_line_error_not_a_crash() -> None:
    depth = 3000
    body = "if true {\n" * depth + "}\n" * depth
    src = f'package p\nimport "context"\nfunc f() {{\n_, c := context.WithCancel(nil)\n{body}}}\n'.encode()
    f = GoFile("deep.go", src, PARSER.parse(src))
    errors: list[str] = []
    run_rules(f, ALL_RULES, errors)
    assert errors and all(e.startswith("deep.go: CG1") and e.endswith("the file nests too deeply") for e in errors)
