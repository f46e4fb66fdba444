"""Timing and memory of a command tree, for side-by-side benchmarks (Linux /proc)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    wall_s: float
    peak_rss_mb: float  # the whole process tree, sampled every 20 ms
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


def _children(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):  # the process may exit while we look
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            out.extend(int(c) for c in task.read_text().split())
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += _rss_kb(p)
        stack.extend(_children(p))
    return total


def run(cmd: list[str], cwd: str | None = None, env: dict[str, str] | None = None, timeout: float = 3600) -> Run:
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)  # the whole tree (sh -c ...)
        out, err = proc.communicate()
        done.set()
        sampler.join()
        return Run(time.perf_counter() - start, peak / 1024, -9, out, err, timed_out=True)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    return Run(wall, peak / 1024, proc.returncode, out, err)
