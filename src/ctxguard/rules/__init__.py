"""The rule catalogue. A new rule is one module here, one line below, and a fixture folder.

Codes are stable; users write them in configurations and suppressions.
"""

from __future__ import annotations

from ctxguard.rules import (
    background_in_scope,
    builtin_context_key,
    context_growth_in_loop,
    context_in_struct,
    context_not_first,
    defer_cancel_in_loop,
    goroutine_ignores_cancel,
    lost_cancel,
    nil_context,
    non_context_call,
    orphaned_send,
    resource_in_context,
    syntax_error,
    test_context,
    unused_derived_context,
    unused_suppression,
)
from ctxguard.rules.base import FactPass, Pass, Rule

ALL_RULES: tuple[Rule, ...] = (
    syntax_error.RULE,
    unused_suppression.RULE,
    lost_cancel.RULE,
    defer_cancel_in_loop.RULE,
    unused_derived_context.RULE,
    goroutine_ignores_cancel.RULE,
    orphaned_send.RULE,
    background_in_scope.RULE,
    non_context_call.RULE,
    context_not_first.RULE,
    nil_context.RULE,
    test_context.RULE,
    builtin_context_key.RULE,
    resource_in_context.RULE,
    context_in_struct.RULE,
    context_growth_in_loop.RULE,
)

BY_CODE: dict[str, Rule] = {r.code: r for r in ALL_RULES}


SELECT_ALL = "ALL"


def default_rules() -> tuple[Rule, ...]:
    """The rules that run when nothing is selected: those a maintainer would fix."""
    return tuple(r for r in ALL_RULES if r.default)


def selects(rule: Rule, pattern: str, explicit_only: bool = False) -> bool:
    """`pattern` (ALL, a code, a code prefix like CG1, or a name) covers `rule`. With `explicit_only`
    (selecting, not ignoring), an opt-in rule is covered only by ALL, its full code or its name."""
    p = pattern.strip()
    if p.upper() == SELECT_ALL:
        return True
    if rule.code == p.upper() or rule.name == p.lower():
        return True
    return rule.code.startswith(p.upper()) and (rule.default or not explicit_only)


def select_rules(
    select: list[str] | None = None, ignore: list[str] | None = None, extend: list[str] | None = None
) -> tuple[Rule, ...]:
    """The rules to run: those a `select` entry covers (every default rule when `select` is None),
    plus those an `extend` entry covers, minus those an `ignore` entry covers.

    Opt-in rules (style, test hygiene) are never picked by a prefix: `--select CG2` runs the default
    CG2xx rules; `--select CG205`, `--select test-context` or `--select ALL` runs CG205 too."""
    wanted = [*(select or []), *(extend or [])]

    def chosen(rule: Rule) -> bool:
        if select is None and rule.default:
            return True
        return any(selects(rule, p, explicit_only=True) for p in wanted)

    return tuple(r for r in ALL_RULES if chosen(r) and not any(selects(r, p) for p in ignore or ()))


def unknown_selectors(patterns: list[str]) -> list[str]:
    return [p for p in patterns if not any(selects(r, p) for r in ALL_RULES)]


__all__ = [
    "ALL_RULES",
    "BY_CODE",
    "SELECT_ALL",
    "FactPass",
    "Pass",
    "Rule",
    "default_rules",
    "select_rules",
    "selects",
    "unknown_selectors",
]
