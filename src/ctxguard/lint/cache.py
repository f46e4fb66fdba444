"""Per-package result cache: an unchanged package is read and hashed, not analysed.

The key of a package is a hash of ctxguard's version and source, the rules run
with their options, the discovery flags that change results, and every file's displayed
path and content. Any edit, a new or deleted file, an upgrade or a
configuration change gives a new key; old entries are simply never read
again (`ctxguard clean-cache` or deleting the directory reclaims them).

Entries are JSON (never pickle: the cache directory is only as trusted as
its permissions), written atomically, and a damaged entry is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from ctxguard import __version__
from ctxguard.findings import Edit, Finding, Fix, Severity

FORMAT = 2  # 2: entries carry the package's facts


def default_dir() -> Path:
    env = os.environ.get("CTXGUARD_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ctxguard"


@functools.cache
def code_digest() -> str:
    """A hash of ctxguard's own source: an edited rule (a development install) misses the cache
    even when the version number did not change."""
    h = hashlib.blake2b(digest_size=16)
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def settings_key(codes: tuple[str, ...], options: Mapping[str, Mapping[str, tuple[str, ...]]], flags: str) -> bytes:
    doc = {
        "v": __version__,
        "code": code_digest(),
        "f": FORMAT,
        "codes": sorted(codes),
        "options": options,
        "flags": flags,
    }
    return json.dumps(doc, sort_keys=True).encode()


def unit_key(settings: bytes, files: list[tuple[str, bytes]]) -> str:
    h = hashlib.blake2b(settings, digest_size=20)
    for path, content in files:
        h.update(b"\0" + os.fsencode(path) + b"\0" + len(content).to_bytes(8, "little"))
        h.update(content)
    return h.hexdigest()


def facts_digest(facts: Mapping[str, Mapping[str, object]]) -> bytes:
    """A package's input from the packages it imports: a change there that changes no fact
    leaves the package's key, and its cached result, as they were."""
    return hashlib.blake2b(json.dumps(facts, sort_keys=True).encode(), digest_size=20).digest()


class Cache:
    def __init__(self, directory: Path) -> None:
        self.dir = directory / f"v{FORMAT}"

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, object] | None:
        try:
            data = json.loads(self._path(key).read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, value: dict[str, object]) -> None:
        """Best effort: a read-only or full disk costs speed, never the run."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(value, fh, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:
            return


def finding_to_json(f: Finding) -> dict[str, object]:
    return asdict(f)


def finding_from_json(d: Mapping[str, object]) -> Finding:
    """Inverse of finding_to_json; raises KeyError/TypeError/ValueError on a damaged entry."""
    fix = d.get("fix")
    fields = dict(d)
    fields["severity"] = Severity(str(d["severity"]))
    if isinstance(fix, dict):
        edits = tuple(Edit(int(e["start"]), int(e["end"]), str(e["text"])) for e in fix["edits"])
        fields["fix"] = Fix(str(fix["description"]), edits)
    return Finding(**fields)  # type: ignore[arg-type]
