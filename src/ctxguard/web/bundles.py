"""An incident's evidence bundle on disk: its files, listed and served, and nothing else.

The only files served are regular files directly in the incident's bundle directory,
by a plain name (no separator, no `..`, no dot file, no symlink): a crafted name cannot
reach the rest of the disk. When the dashboard knows where bundles live (the data
directory), a bundle directory outside it is not served either.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


@dataclass(frozen=True)
class BundleFile:
    name: str
    size: int


def _directory(bundle: str, root: Path | None) -> Path | None:
    if not bundle:
        return None
    where = Path(bundle).resolve()
    if root is not None and not where.is_relative_to(root.resolve()):
        return None
    return where if where.is_dir() else None


def files(bundle: str, root: Path | None) -> list[BundleFile]:
    """The bundle's files, by name; [] when it has none here (not captured, or on another agent's disk)."""
    where = _directory(bundle, root)
    if where is None:
        return []
    out = []
    with os.scandir(where) as it:
        for entry in it:
            if (
                _NAME.fullmatch(entry.name)
                and not entry.name.endswith(".part")
                and entry.is_file(follow_symlinks=False)
            ):
                out.append(BundleFile(entry.name, entry.stat(follow_symlinks=False).st_size))
    return sorted(out, key=lambda f: f.name)


def path_of(bundle: str, name: str, root: Path | None) -> Path | None:
    """The file `name` of the bundle, or None when that is not a file directly in it."""
    if not _NAME.fullmatch(name) or ".." in name or name.endswith(".part"):
        return None
    where = _directory(bundle, root)
    if where is None:
        return None
    candidate = where / name
    try:
        st = os.lstat(candidate)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or candidate.parent != where:
        return None
    return candidate
