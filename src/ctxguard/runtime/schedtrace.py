"""`GODEBUG=schedtrace=N[,scheddetail=1]` output.

Current Go: `SCHED 501ms: gomaxprocs=2 idleprocs=2 threads=4 spinningthreads=0
needspinning=0 idlethreads=2 runqueue=0 [ 0 0 ] schedticks=[ 1 9 ]`; older Go
prints `[0 0 0 0]` and no schedticks, and before about 1.21 no needspinning.
With scheddetail the header adds gcwaiting/nmidlelocked/stopwait/sysmonwait and
is followed by `P<i>:`, `M<id>:` and `G<id>: status=N(<wait reason>) ...` lines.
Other output of the program is skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ctxguard.runtime.model import SchedSample, Snapshot

_SCHED = re.compile(r"^SCHED (\d+)ms: (.*)$")
_KV = re.compile(r"(\w+)=(-?\d+)")
_LOCAL = re.compile(r"runqueue=-?\d+ \[([\d\s]*)\]")
_G = re.compile(r"^\s*G(\d+): status=(\d+)(?:\((.*?)\))?(?= m=| lockedm=|\s*$)")

# runtime/runtime2.go goroutine statuses
_STATUS = {
    0: "idle",
    1: "runnable",
    2: "running",
    3: "syscall",
    4: "waiting",
    6: "dead",
    8: "copystack",
    9: "preempted",
}


class SchedError(ValueError):
    pass


def decode(lines: Iterable[str], source: str) -> Snapshot:
    samples: list[SchedSample] = []
    cur: dict[str, object] | None = None
    waits: Counter[str] = Counter()

    def close() -> None:
        if cur is not None:
            samples.append(SchedSample(**cur, waits=tuple(waits.most_common())))  # type: ignore[arg-type]

    for raw in lines:
        line = raw.rstrip("\r\n")
        m = _SCHED.match(line)
        if m is not None:
            close()
            kv = {k: int(v) for k, v in _KV.findall(m.group(2))}
            local = _LOCAL.search(m.group(2))
            cur = {
                "at_ms": int(m.group(1)),
                "gomaxprocs": kv.get("gomaxprocs", 0),
                "idleprocs": kv.get("idleprocs", 0),
                "threads": kv.get("threads", 0),
                "spinningthreads": kv.get("spinningthreads", 0),
                "needspinning": kv.get("needspinning", 0),
                "idlethreads": kv.get("idlethreads", 0),
                "runqueue": kv.get("runqueue", 0),
                "local_runqueues": tuple(int(x) for x in local.group(1).split()) if local else (),
            }
            waits = Counter()
            continue
        g = _G.match(line)
        if g is not None and cur is not None:
            status = int(g.group(2))
            if status == 6:
                continue  # dead goroutines are kept for reuse, not live
            reason = g.group(3) or ""
            waits[reason if status == 4 and reason else _STATUS.get(status, f"status {status}")] += 1
    close()
    if not samples:
        raise SchedError(f"{source}: no SCHED line found (not schedtrace output?)")
    return Snapshot(source=source, format="schedtrace", sched=tuple(samples))
