"""The targets to watch: the config's static list plus Prometheus file_sd files, re-read on change.

A file_sd file is a JSON or YAML list of groups, `{"targets": ["host:port"],
"labels": {"k": "v"}}`, as Prometheus reads it. A file that stops parsing
keeps its last good targets (and the problem is reported), so a half-written
file never drops a fleet from watch.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from ctxguard.store.model import Target
from ctxguard.watch.config import FileSD, ScrapeOptions, WatchConfig


@dataclass(frozen=True)
class Watched:
    """A target and how to scrape it."""

    target: Target
    scrape: ScrapeOptions


class FileSDError(ValueError):
    pass


def _groups(path: str) -> list[dict[str, Any]]:
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        data = json.loads(raw) if path.endswith(".json") else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError, UnicodeDecodeError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise FileSDError(f"{path}: not valid {'JSON' if path.endswith('.json') else 'YAML'}: {first}") from None
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(g, dict) for g in data):
        raise FileSDError(f"{path}: expected a list of {{targets: [...], labels: {{...}}}} groups")
    for i, g in enumerate(data):
        targets, labels = g.get("targets", []), g.get("labels", {}) or {}
        if not isinstance(targets, list) or not all(isinstance(t, str) and t for t in targets):
            raise FileSDError(f"{path}: group {i}: targets must be a list of host:port strings")
        if not isinstance(labels, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
        ):
            raise FileSDError(f"{path}: group {i}: labels must map strings to strings")
    return data


def _from_group(sd: FileSD, group: dict[str, Any]) -> list[Watched]:
    labels: dict[str, str] = dict(group.get("labels") or {})
    scheme = labels.pop("__scheme__", sd.scheme)
    prefix = labels.pop("__metrics_path__", sd.path_prefix).rstrip("/")
    for name in [k for k in labels if k.startswith("__")]:
        del labels[name]  # Prometheus' internal labels are not the target's identity
    out = []
    for address in group["targets"]:
        address = address.strip()
        url = address if "://" in address else f"{scheme}://{address}{prefix}"
        host = url.split("://", 1)[1].split("/", 1)[0]
        merged = {"instance": host, **labels}
        out.append(Watched(Target(url.rstrip("/"), tuple(sorted(merged.items()))), sd.scrape))
    return out


class TargetSet:
    """The current targets; `refresh()` re-reads file_sd files whose modification time changed."""

    def __init__(self, cfg: WatchConfig, warn: Callable[[str], None]) -> None:
        self._static = [Watched(Target(t.url, t.labels), t.scrape) for t in cfg.targets]
        self._sds = cfg.file_sd
        self._warn = warn
        self._seen: dict[str, tuple[float, list[Watched]]] = {}  # path -> (mtime, last good targets)
        self.errors: dict[str, str] = {}  # path -> the problem with its current version

    def refresh(self) -> list[Watched]:
        found: set[str] = set()
        for sd in self._sds:
            for pattern in sd.files:
                for path in sorted(glob.glob(pattern)):
                    found.add(path)
                    self._read(sd, path)
        for gone in set(self._seen) - found:
            del self._seen[gone]  # a deleted file drops its targets, as in Prometheus
            self.errors.pop(gone, None)
        by_url: dict[str, Watched] = {}
        for w in self._static + [w for _, (_, ws) in sorted(self._seen.items()) for w in ws]:
            by_url.setdefault(w.target.url, w)  # the first declaration of a URL wins
        return list(by_url.values())

    def _read(self, sd: FileSD, path: str) -> None:
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return
        if path in self._seen and self._seen[path][0] == mtime:
            return
        try:
            groups = _groups(path)
        except (FileSDError, OSError) as e:
            message = str(e) if isinstance(e, FileSDError) else f"{path}: cannot read: {e}"
            if self.errors.get(path) != message:
                kept = len(self._seen.get(path, (0.0, []))[1])
                self._warn(f"{message}; keeping its last good {kept} targets")
            self.errors[path] = message
            return
        self.errors.pop(path, None)
        self._seen[path] = (mtime, [w for g in groups for w in _from_group(sd, g)])
