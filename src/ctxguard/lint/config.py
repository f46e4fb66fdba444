"""The `[lint]` configuration: `.ctxguard.toml`, or `[tool.ctxguard.lint]` in `pyproject.toml`.

Found like ruff finds its own: the nearest file from the working directory
upwards (`.ctxguard.toml` first in a directory), or named with `--config`.
Path patterns (exclude, per-file-ignores) are relative to the directory of the
file that declares them. Command-line flags override the file.

```toml
[lint]
select = ["CG1", "CG2"]          # codes, prefixes, names or ALL; default: the default rules
extend-select = ["CG205"]        # added to select (or to the default rules): opt-in rules by code or name
ignore = ["CG203"]
exclude = ["third_party/*", "*.pb.go"]
include-generated = false

[lint.per-file-ignores]
"*_test.go" = ["CG202"]

[lint.options.non-context-call]   # a rule by code or name
extra-apis = ["example.com/store.*Client.Fetch=FetchContext"]
```
"""

from __future__ import annotations

import fnmatch
import glob
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ctxguard.rules import ALL_RULES, BY_CODE, Rule, selects, unknown_selectors


class ConfigError(Exception):
    """A configuration file that cannot be used; the message is one line naming the file."""


LIST_KEYS = ("select", "extend-select", "ignore", "exclude")
BOOL_KEYS = (
    "include-generated",
    "include-vendor",
    "include-testdata",
    "include-tests",
    "include-commands",
    "include-migrations",
    "include-examples",
)


@dataclass(frozen=True)
class LintConfig:
    path: Path | None = None  # None: no file, defaults only
    root: Path = field(default_factory=Path.cwd)  # patterns are relative to this
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    include_generated: bool = False
    include_vendor: bool = False
    include_testdata: bool = False
    include_tests: bool = False  # findings of the default rules in test code (test-only rules always)
    include_commands: bool = False  # findings of the default rules in command-line tools' commands
    include_migrations: bool = False  # findings of the default rules in schema migrations
    include_examples: bool = False
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    options: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)  # by rule code

    def ignored_for(self, path: str) -> frozenset[str]:
        """Codes a per-file-ignores entry switches off for `path` (as displayed, cwd-relative)."""
        if not self.per_file_ignores:
            return frozenset()
        rel = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        out: set[str] = set()
        for pattern, selectors in self.per_file_ignores:
            if _match(rel, pattern):
                out.update(r.code for r in ALL_RULES if _selected(r, selectors))
        return frozenset(out)

    def exclude_patterns(self) -> tuple[str, ...]:
        """The exclude patterns anchored at the configuration's directory (absolute); one without
        a slash matches a name anywhere below it, as in per-file-ignores and .gitignore."""
        root = glob.escape(str(self.root))
        out: list[str] = []
        for p in self.exclude:
            out.append(os.path.join(root, p.lstrip("/")))
            if "/" not in p:
                out.append(os.path.join(root, "*", p))
        return tuple(out)


def _match(rel: str, pattern: str) -> bool:
    # a pattern without a slash matches the file name anywhere, as .gitignore does
    if "/" not in pattern:
        return fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern) or fnmatch.fnmatch(rel, pattern)
    return fnmatch.fnmatch(rel, pattern.lstrip("/")) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*")


def _selected(rule: Rule, selectors: tuple[str, ...]) -> bool:
    """A per-file ignore covers opt-in rules by prefix too (and everything with ALL)."""
    return any(selects(rule, s) for s in selectors)


def find(start: Path) -> tuple[Path, dict[str, object]] | None:
    """The nearest configuration at or above `start` and its `[lint]` table."""
    for d in (start, *start.parents):
        own = d / ".ctxguard.toml"
        if own.is_file():
            return own, _lint_table(own, _read(own))
        py = d / "pyproject.toml"
        if py.is_file():
            tool = _read(py).get("tool")
            if isinstance(tool, dict) and "ctxguard" in tool:
                return py, _lint_table(py, {"lint": {}, **_table(py, tool["ctxguard"], "tool.ctxguard")})
    return None


def load(explicit: str | None = None, start: Path | None = None) -> LintConfig:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: no such configuration file")
        data = _read(path)
        if path.name == "pyproject.toml":
            tool = data.get("tool")
            data = _table(path, tool.get("ctxguard", {}) if isinstance(tool, dict) else {}, "tool.ctxguard")
        found: tuple[Path, dict[str, object]] | None = (path, _lint_table(path, data))
    else:
        found = find(start or Path.cwd())
    if found is None:
        return LintConfig()
    return parse(*found)


def _read(path: Path) -> dict[str, object]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8") from None


def _table(path: Path, value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{where}] must be a table")
    return value


def _lint_table(path: Path, data: dict[str, object]) -> dict[str, object]:
    unknown = sorted(set(data) - {"lint"})
    if unknown:
        raise ConfigError(f"{path}: unknown section {unknown[0]!r} (expected [lint])")
    return _table(path, data.get("lint", {}), "lint")


def parse(path: Path, table: dict[str, object]) -> LintConfig:
    def strings(key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of strings")
        return tuple(value)

    def selectors(key: str, value: object) -> tuple[str, ...]:
        vals = strings(key, value)
        bad = unknown_selectors(list(vals))
        if bad:
            raise ConfigError(f"{path}: {key}: unknown rule selector {bad[0]!r} (see `ctxguard rules`)")
        return vals

    known = {*LIST_KEYS, *BOOL_KEYS, "per-file-ignores", "options"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} in [lint]")
    lists = {k: (selectors if k != "exclude" else strings)(k, table[k]) for k in LIST_KEYS if k in table}
    flags: dict[str, bool] = {}
    for k in BOOL_KEYS:
        if k in table:
            if not isinstance(table[k], bool):
                raise ConfigError(f"{path}: {k} must be true or false")
            flags[k.replace("-", "_")] = bool(table[k])
    pfi = _table(path, table.get("per-file-ignores", {}), "lint.per-file-ignores")
    per_file = tuple((pattern, selectors(f"per-file-ignores.{pattern!r}", v)) for pattern, v in pfi.items())
    return LintConfig(
        path=path,
        root=path.parent.resolve(),
        select=lists.get("select"),
        extend_select=lists.get("extend-select", ()),
        ignore=lists.get("ignore", ()),
        exclude=lists.get("exclude", ()),
        per_file_ignores=per_file,
        options=_options(path, _table(path, table.get("options", {}), "lint.options")),
        **flags,
    )


def _options(path: Path, table: dict[str, object]) -> dict[str, dict[str, tuple[str, ...]]]:
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, value in table.items():
        rule = BY_CODE.get(key.upper()) or next((r for r in ALL_RULES if r.name == key.lower()), None)
        if rule is None:
            raise ConfigError(f"{path}: [lint.options.{key}]: no such rule")
        opts = _table(path, value, f"lint.options.{key}")
        for name, vals in opts.items():
            if name not in rule.options:
                allowed = ", ".join(sorted(rule.options)) or "none"
                raise ConfigError(f"{path}: {rule.code} has no option {name!r} (options: {allowed})")
            if not isinstance(vals, list) or not all(isinstance(v, str) for v in vals):
                raise ConfigError(f"{path}: [lint.options.{key}] {name} must be a list of strings")
            out.setdefault(rule.code, {})[name] = tuple(vals)
        if rule.validate_options is not None and rule.code in out:
            try:
                rule.validate_options(out[rule.code])
            except ValueError as e:
                raise ConfigError(f"{path}: [lint.options.{key}] {e}") from None
    return out
