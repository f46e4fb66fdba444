"""Processes the tests start: their "listening on" banner, and killing their whole group."""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import signal
import subprocess
import time

LISTENING = re.compile(r"^listening on (http://(?:127\.0\.0\.1|\[::1\]):\d+)$")


def kill_group(proc: subprocess.Popen, grace: float = 3.0) -> None:
    """SIGTERM the process's group (it leads its own session), then SIGKILL it."""
    if proc.poll() is not None:
        return  # already reaped: its id may belong to someone else by now
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)


def read_address(proc: subprocess.Popen, timeout: float) -> str:
    """Read stdout lines until the "listening on http://..." banner."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    buf = b""
    seen = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no 'listening on' line within {timeout}s; stdout so far: {seen!r}")
            if not sel.select(left):
                continue
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"exited with {proc.wait(timeout=5)} before listening; stdout: {seen!r}")
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode(errors="replace").strip()
                seen.append(text)
                m = LISTENING.match(text)
                if m:
                    return m.group(1)
    finally:
        sel.close()
