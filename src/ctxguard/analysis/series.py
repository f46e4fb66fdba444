"""A series of snapshots of one process, and how each stack's goroutine count moves."""

from __future__ import annotations

from dataclasses import dataclass

from ctxguard.runtime.model import GoroutineGroup, Snapshot, Stack

# Wait states in which a goroutine waits for another goroutine: where leaks park.
BLOCKING_STATES = frozenset(
    {
        "chan send",
        "chan receive",
        "chan send (nil chan)",
        "chan receive (nil chan)",
        "select",
        "select (no cases)",
        "sync.Mutex.Lock",
        "sync.RWMutex.Lock",
        "sync.RWMutex.RLock",
        "sync.WaitGroup.Wait",
        "sync.Cond.Wait",
        "semacquire",
    }
)
# Leaf functions that tell the state when a profile does not (debug=1, pprof).
_LEAF_STATES = (
    ("runtime.chansend", "chan send"),
    ("runtime.chanrecv", "chan receive"),
    ("runtime.selectgo", "select"),
    ("runtime.block", "select (no cases)"),
    ("sync.runtime_SemacquireMutex", "sync.Mutex.Lock"),
    ("internal/sync.runtime_SemacquireMutex", "sync.Mutex.Lock"),
    ("sync.runtime_SemacquireWaitGroup", "sync.WaitGroup.Wait"),
    ("sync.runtime_Semacquire", "semacquire"),
    ("sync.runtime_notifyListWait", "sync.Cond.Wait"),
    ("time.Sleep", "sleep"),
    ("internal/poll.runtime_pollWait", "IO wait"),
)


def state_of(group: GoroutineGroup) -> str:
    if group.states:
        return group.state
    for f in group.stack.frames[:8]:
        for prefix, state in _LEAF_STATES:
            if f.function.startswith(prefix):
                return state
    return ""


@dataclass(frozen=True)
class Track:
    """One stack followed through the series."""

    key: str
    stack: Stack
    counts: tuple[int, ...]  # per snapshot (0 where absent)
    last: GoroutineGroup  # the group in the latest snapshot that has it

    @property
    def growth(self) -> int:
        return self.counts[-1] - self.counts[0]


def tracks(series: list[Snapshot], similarity: str = "exact") -> list[Track]:
    """Every stack (grouped by `similarity`, see Stack.key) seen in any goroutine
    snapshot, with its count in each: the diff of the series."""
    by_sig: dict[str, list[int]] = {}
    last: dict[str, GoroutineGroup] = {}
    stacks: dict[str, Stack] = {}
    for i, snap in enumerate(series):
        for g in snap.groups:
            sig = g.stack.key(similarity)
            counts = by_sig.setdefault(sig, [0] * len(series))
            counts[i] += g.count
            last[sig] = g  # later snapshots win: the freshest states and waits
            stacks.setdefault(sig, g.stack)
    return [Track(s, stacks[s], tuple(c), last[s]) for s, c in by_sig.items()]


def minutes_between(a: Snapshot, b: Snapshot) -> float:
    if a.time is None or b.time is None:
        return 0.0
    return max((b.time - a.time).total_seconds() / 60.0, 0.0)
