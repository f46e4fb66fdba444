"""The rows the store keeps and the watch agent works with, as plain frozen data.

Snapshots themselves are `ctxguard.runtime.model.Snapshot`: the store persists
and rebuilds them, nobody re-decodes stored data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

LEVELS = ("L1", "L2", "L3")  # mild, moderate, severe: the source article's table (respond within 5 min, 90 s, 30 s)
INCIDENT_STATES = ("open", "resolved")


@dataclass(frozen=True)
class Target:
    """One scraped process: its pprof base URL and the labels it is known by."""

    url: str  # http(s)://host:port[/prefix]; /debug/pprof/ is appended
    labels: tuple[tuple[str, str], ...] = ()  # sorted (name, value) pairs
    id: int | None = None  # the store's row id, once stored

    def label(self, name: str, default: str = "") -> str:
        return dict(self.labels).get(name, default)


@dataclass(frozen=True)
class Evidence:
    """What an incident rests on, in numbers (the words are in `Incident.evidence`)."""

    goroutines: int  # goroutines on the suspect's stack, latest snapshot
    total: int  # goroutines in the process, latest snapshot
    rate_per_min: float  # accumulation rate (Theil-Sen slope) on the stack
    share: float  # goroutines / total
    heap_share: float = 0.0  # share of the process's live heap bytes at the suspect's site (heap suspects)
    survivors: int = 0  # goroutines followed by ID that stayed (0: not followed)
    snapshots: int = 0  # snapshots the verdict was judged on
    held: int = 0  # what the suspect holds: goroutines on the stack, or live objects at the heap site


@dataclass(frozen=True)
class Incident:
    """A leak on one target, deduplicated by (target, suspect signature)."""

    target_id: int
    target: str  # the target's URL
    labels: tuple[tuple[str, str], ...]
    signature: str  # the suspect's stack signature (analysis.suspects.Suspect.signature)
    level: str  # L1 | L2 | L3
    state: str  # open | resolved
    opened_at: datetime
    updated_at: datetime
    deadline_at: datetime  # opened_at + the level's response time
    function: str  # where the suspect waits (Suspect.location)
    file: str
    line: int
    verdict: str  # leaking | suspect, the runtime verdict that opened it
    evidence: str  # in words: the suspect's reasons, joined
    numbers: Evidence
    resolved_at: datetime | None = None
    bundle: str = ""  # directory of the evidence bundle, "" until captured
    id: int | None = None


@dataclass(frozen=True)
class ActionRecord:
    """One action taken (or not) for an incident, with its outcome."""

    incident_id: int
    kind: str  # alertmanager | slack | webhook | command
    name: str  # the action's name in the config
    at: datetime
    outcome: str  # sent | failed | dry-run | rate-limited | refused
    detail: str = ""  # status code, exit status, or why (never a credential)
    id: int | None = None


@dataclass(frozen=True)
class StoreStats:
    targets: int = 0
    snapshots: int = 0
    stacks: int = 0
    incidents_open: int = 0
    size_bytes: int = 0


@dataclass(frozen=True)
class Agent:
    """A watch agent sharing the store, as its last lease round left it (scale-out)."""

    id: str
    host: str
    pid: int
    started_at: datetime
    last_seen: datetime  # the database's clock
