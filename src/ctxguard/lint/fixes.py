"""Applying the rules' safe fixes."""

from __future__ import annotations

from collections.abc import Iterable

from ctxguard.findings import Edit


def apply_edits(source: bytes, edits: Iterable[Edit]) -> bytes:
    """`source` with every edit applied; edits that overlap an earlier one are dropped."""
    out: list[bytes] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            continue
        out.append(source[pos : e.start])
        out.append(e.text.encode())
        pos = e.end
    out.append(source[pos:])
    return b"".join(out)
