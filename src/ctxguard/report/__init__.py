"""Formatters for lint findings. Each takes the result and the rules run, and returns text."""

from __future__ import annotations

from collections.abc import Callable

from ctxguard.lint.engine import LintResult
from ctxguard.report import checkstyle, github, json_format, junit, sarif, text
from ctxguard.rules import Rule

Formatter = Callable[[LintResult, tuple[Rule, ...], bool], str]

FORMATS: dict[str, Formatter] = {
    "text": text.render,
    "json": json_format.render,
    "json-lines": json_format.render_lines,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
    "checkstyle": checkstyle.render,
}

__all__ = ["FORMATS", "Formatter"]
