"""Evidence bundles: what an incident rested on when it opened, kept on disk before the process can restart."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

from ctxguard.analysis.html_report import render
from ctxguard.analysis.report import analyse, to_json
from ctxguard.runtime.model import Snapshot
from ctxguard.store.model import Incident
from ctxguard.watch.present import incident_json
from ctxguard.watch.scrape import DUMP, HEAP

_FILES = {DUMP: "goroutine-debug2.txt", HEAP: "heap.pb.gz"}


def _slug(url: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", url.split("://", 1)[-1]).strip("_")[:80] or "target"


def _pending_trace(root: Path, target_id: int) -> Path:
    return root / ".traces" / f"{target_id}.trace"


def keep_trace(root: Path, target_id: int, data: bytes) -> None:
    """The target's last trace, kept on disk (not in memory) until an incident's bundle takes it."""
    _write_whole(_pending_trace(root, target_id), data)


def write(root: Path, inc: Incident, raw: dict[str, bytes], snaps: list[Snapshot], trace_of: int | None = None) -> Path:
    """root/<target>/<incident id>-<opened>/: the raw answers, report.json, report.html, incident.json,
    and trace.out (the target `trace_of`'s last trace). Files appear whole (written aside, then
    renamed): a bundle is never half a file."""
    stamp = inc.opened_at.strftime("%Y%m%dT%H%M%SZ")
    where = root / _slug(inc.target) / f"{inc.id}-{stamp}"
    where.mkdir(parents=True, exist_ok=True)
    report = analyse(snaps)
    files = {name: raw[path] for path, name in _FILES.items() if path in raw}
    files["report.json"] = to_json(report).encode()
    files["report.html"] = render(report).encode()
    files["incident.json"] = (json.dumps(incident_json(inc), indent=2) + "\n").encode()
    for name, data in files.items():
        _write_whole(where / name, data)
    if trace_of is not None and (pending := _pending_trace(root, trace_of)).is_file():
        shutil.copyfile(pending, where / "trace.out.part")
        (where / "trace.out.part").replace(where / "trace.out")
    return where


def _write_whole(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_bytes(data)
    part.replace(path)


def prune(root: Path, keep_s: float) -> int:
    """Remove bundles older than `keep_s` (by their directory's time), and pending traces as old;
    returns how many bundles went."""
    if not root.is_dir():
        return 0
    cutoff = time.time() - keep_s
    for trace in (root / ".traces").glob("*.trace*"):  # with a .part left by a crash
        if trace.stat().st_mtime < cutoff:
            trace.unlink(missing_ok=True)
    gone = 0
    for target in root.iterdir():
        for b in target.iterdir() if target.is_dir() else ():
            if b.is_dir() and b.stat().st_mtime < cutoff:
                shutil.rmtree(b, ignore_errors=True)
                gone += 1
    return gone
