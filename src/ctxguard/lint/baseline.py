"""Baselines: adopt ctxguard on a legacy codebase by recording today's findings.

An entry is a path (relative to the baseline file, so the file can live in the
repository and be used from any directory), a rule code and the hash of the
normalised source line plus its enclosing function, never the line number:
findings survive code moving around them. Entries carry counts, so two equal
findings on equal lines need two entries. Entries no finding matched any more
are stale: the leak was fixed, and the baseline should be rewritten.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ctxguard import __version__
from ctxguard.findings import Finding

FORMAT = 1

Key = tuple[str, str, str]  # path relative to the baseline, code, line hash


class BaselineError(Exception):
    """The message is one line naming the file."""


@dataclass(frozen=True)
class Filtered:
    new: tuple[Finding, ...]
    stale: int  # entries no finding matched


def _key(f: Finding, base_dir: Path) -> Key:
    rel = os.path.relpath(os.path.abspath(f.path), base_dir).replace(os.sep, "/")
    return (rel, f.code, f.line_hash)


def write(path: Path, findings: Iterable[Finding]) -> int:
    base_dir = path.resolve().parent
    counts = Counter(_key(f, base_dir) for f in findings)
    entries = [{"path": p, "code": c, "hash": h, "count": n} for (p, c, h), n in sorted(counts.items())]
    doc = {"tool": "ctxguard", "version": __version__, "format": FORMAT, "findings": entries}
    try:
        fd, tmp = tempfile.mkstemp(dir=path.resolve().parent, prefix=".baseline-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except OSError as e:
        raise BaselineError(f"{path}: cannot write baseline: {e.strerror or e}") from None
    return sum(counts.values())


def read(path: Path) -> Counter[Key]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (create it with --write-baseline)") from None
    except OSError as e:
        raise BaselineError(f"{path}: cannot read baseline: {e.strerror or e}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise BaselineError(f"{path}: not a ctxguard baseline (invalid JSON: {e})") from None
    if not isinstance(doc, dict) or doc.get("tool") != "ctxguard" or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a ctxguard baseline")
    out: Counter[Key] = Counter()
    for i, entry in enumerate(doc["findings"]):
        try:
            count = entry.get("count", 1)
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise ValueError(count)
            out[(str(entry["path"]), str(entry["code"]), str(entry["hash"]))] += count
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BaselineError(f"{path}: entry {i + 1} is malformed") from None
    return out


def filter_new(
    path: Path, findings: Iterable[Finding], codes_run: Iterable[str], linted_files: Iterable[str]
) -> Filtered:
    """Findings not in the baseline. Stale entries are judged only for rules that ran, in
    directories that were linted: a run over part of the tree says nothing about the rest
    (a deleted file's entries are stale when its directory was linted)."""
    remaining = read(path)
    base_dir = path.resolve().parent
    new: list[Finding] = []
    for f in findings:
        k = _key(f, base_dir)
        if remaining[k] > 0:
            remaining[k] -= 1
        else:
            new.append(f)
    ran = set(codes_run)
    dirs = {os.path.dirname(os.path.relpath(os.path.abspath(p), base_dir).replace(os.sep, "/")) for p in linted_files}
    stale = sum(n for k, n in remaining.items() if k[1] in ran and os.path.dirname(k[0]) in dirs)
    return Filtered(tuple(new), stale)
