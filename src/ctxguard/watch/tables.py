"""Typed access to a TOML file's tables: every error one line naming the file and the key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ctxguard.runtime.capture import parse_duration


class WatchConfigError(ValueError):
    """A configuration that cannot be used; one line naming the file and the key."""


_SIZE_UNITS = {
    "": 1,
    "B": 1,
    "KB": 1 << 10,
    "MB": 1 << 20,
    "GB": 1 << 30,
    "KIB": 1 << 10,
    "MIB": 1 << 20,
    "GIB": 1 << 30,
}


class TableReader:
    """Typed access to one table of the file, errors naming the file and the key."""

    def __init__(self, where: str, table: Mapping[str, Any], prefix: str = "") -> None:
        self.where, self.table, self.prefix = where, table, prefix

    def fail(self, key: str, what: str) -> WatchConfigError:
        return WatchConfigError(f"{self.where}: {self.prefix}{key}: {what}")

    def unknown(self, allowed: set[str]) -> None:
        extra = sorted(set(self.table) - allowed)
        if extra:
            raise self.fail(extra[0], f"unknown key (expected one of {', '.join(sorted(allowed))})")

    def text(self, key: str, default: str = "") -> str:
        v = self.table.get(key, default)
        if not isinstance(v, str):
            raise self.fail(key, f"expected a string, got {v!r}")
        return v

    def duration(self, key: str, default: float) -> float:
        v = self.table.get(key)
        if v is None:
            return default
        try:
            seconds = parse_duration(str(v)) if not isinstance(v, bool) else -1.0
        except ValueError:
            seconds = -1.0
        if seconds <= 0:
            raise self.fail(key, f"expected a positive duration such as 30s, 5m or 2d, got {v!r}")
        return seconds

    def number(self, key: str, default: float | None, low: float = 0.0, high: float | None = None) -> float | None:
        v = self.table.get(key)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, int | float) or v < low or (high is not None and v > high):
            bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            raise self.fail(key, f"expected a number {bound}, got {v!r}")
        return float(v)

    def integer(self, key: str, default: int, low: int = 1) -> int:
        v = self.table.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise self.fail(key, f"expected an integer of at least {low}, got {v!r}")
        return v

    def boolean(self, key: str, default: bool) -> bool:
        v = self.table.get(key, default)
        if not isinstance(v, bool):
            raise self.fail(key, f"expected true or false, got {v!r}")
        return v

    def strings(self, key: str) -> tuple[str, ...]:
        v = self.table.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self.fail(key, f"expected a list of strings, got {v!r}")
        return tuple(v)

    def tables(self, key: str) -> list[Mapping[str, Any]]:
        v = self.table.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
            raise self.fail(key, "expected an array of tables ([[" + key + "]])")
        return v

    def sub(self, key: str) -> TableReader:
        v = self.table.get(key, {})
        if not isinstance(v, dict):
            raise self.fail(key, "expected a table")
        return TableReader(self.where, v, f"{self.prefix}{key}.")

    def size(self, key: str, default: int) -> int:
        v = self.table.get(key)
        if v is None:
            return default
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return v
        text = str(v).strip().upper().replace(" ", "")
        digits = text.rstrip("KMGIB")
        unit = text[len(digits) :]
        if not digits.isdigit() or unit not in _SIZE_UNITS or int(digits) <= 0:
            raise self.fail(key, f"expected a size such as 64MB, got {v!r}")
        return int(digits) * _SIZE_UNITS[unit]
