"""The finding: what every rule reports and every reporter renders."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Edit:
    """Replace bytes [start, end) of the file with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A safe, self-contained rewrite; `--fix` applies it only if the fixed file re-parses
    and the rule no longer fires there."""

    description: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    path: str  # as given on the command line or discovered, relative where possible
    line: int  # 1-based
    col: int  # 1-based, in bytes (as go vet and gopls report)
    end_line: int
    end_col: int  # exclusive
    message: str
    function: str = ""  # enclosing function, part of the fingerprint
    fingerprint: str = ""  # stable across line moves: code, path, normalised line, function
    col_utf16: int = 0  # 1-based, for SARIF consumers (UTF-16 code units)
    end_col_utf16: int = 0
    fix: Fix | None = None
    line_hash: str = ""  # code, normalised line and function, without the path: what baselines match

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


def fingerprint(code: str, path: str, line_text: str, function: str) -> str:
    normalised = re.sub(r"\s+", " ", line_text).strip()
    key = f"{code}\0{path}\0{normalised}\0{function}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]  # any file name


def line_hash(code: str, line_text: str, function: str) -> str:
    normalised = re.sub(r"\s+", " ", line_text).strip()
    return hashlib.sha256(f"{code}\0{normalised}\0{function}".encode()).hexdigest()[:16]


def utf16_col(line: bytes, byte_col: int) -> int:
    """1-based UTF-16 column for a 0-based byte offset into `line`."""
    prefix = line[:byte_col]
    if prefix.isascii():
        return byte_col + 1
    return len(prefix.decode("utf-8", "replace").encode("utf-16-le")) // 2 + 1
