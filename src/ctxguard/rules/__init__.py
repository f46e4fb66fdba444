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
    unused_derived_context,
    unused_suppression,
)
from ctxguard.rules.base import Pass, Rule

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
    builtin_context_key.RULE,
    resource_in_context.RULE,
    context_in_struct.RULE,
    context_growth_in_loop.RULE,
)

BY_CODE: dict[str, Rule] = {r.code: r for r in ALL_RULES}


def select_rules(select: list[str] | None = None, ignore: list[str] | None = None) -> tuple[Rule, ...]:
    """Rules whose code or name matches a `select` entry (a code, a prefix like CG1, or a name) minus `ignore`."""

    def hit(rule: Rule, patterns: list[str]) -> bool:
        return any(rule.code.startswith(p.upper()) or rule.name == p.lower() for p in patterns)

    chosen = [r for r in ALL_RULES if select is None or hit(r, select)]
    return tuple(r for r in chosen if not (ignore and hit(r, ignore)))


def unknown_selectors(patterns: list[str]) -> list[str]:
    return [p for p in patterns if not any(r.code.startswith(p.upper()) or r.name == p.lower() for r in ALL_RULES)]


__all__ = ["ALL_RULES", "BY_CODE", "Pass", "Rule", "select_rules", "unknown_selectors"]
