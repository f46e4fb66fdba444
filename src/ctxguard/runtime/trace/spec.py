"""Event tables of Go's execution trace format, per format version.

Transcribed from Go's own sources: ``src/internal/trace/event/go122/event.go``
(Go 1.22-1.24) and ``src/internal/trace/tracev2/events.go`` (Go 1.25-1.27), with
the per-version prefixes from ``src/internal/trace/version/version.go``. Each
version's table is a prefix of the next one; argument counts never changed.
Go 1.27 added no event and kept the Go 1.26 format: its runtime writes the
header "go 1.26", and its only tracev2 change is a String() name for the
existing ProcSyscallAbandoned P status.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventSpec:
    """One wire event type: name, argument count and what the arguments mean."""

    name: str
    nargs: int
    timed: bool = False
    stack_args: tuple[int, ...] = ()
    string_args: tuple[int, ...] = ()


# Event type numbers (tracev2.EventType).
EV_EVENT_BATCH = 1
EV_STACKS = 2
EV_STACK = 3
EV_STRINGS = 4
EV_STRING = 5
EV_CPU_SAMPLES = 6
EV_CPU_SAMPLE = 7
EV_FREQUENCY = 8
EV_GO_CREATE = 14
EV_GO_CREATE_SYSCALL = 15
EV_GO_START = 16
EV_GO_DESTROY = 17
EV_GO_DESTROY_SYSCALL = 18
EV_GO_STOP = 19
EV_GO_BLOCK = 20
EV_GO_UNBLOCK = 21
EV_GO_SYSCALL_BEGIN = 22
EV_GO_SYSCALL_END = 23
EV_GO_SYSCALL_END_BLOCKED = 24
EV_GO_STATUS = 25
EV_GO_SWITCH = 45
EV_GO_SWITCH_DESTROY = 46
EV_GO_CREATE_BLOCKED = 47
EV_GO_STATUS_STACK = 48
EV_EXPERIMENTAL_BATCH = 49
EV_SYNC = 50
EV_CLOCK_SNAPSHOT = 51
EV_END_OF_GENERATION = 52

# Goroutine statuses (tracev2.GoStatus).
GO_RUNNABLE = 1
GO_RUNNING = 2
GO_SYSCALL = 3
GO_WAITING = 4

MAX_BATCH_SIZE = 64 << 10
MAX_FRAMES_PER_STACK = 128
MAX_STRING_SIZE = 1 << 10

_T = True
SPECS: tuple[EventSpec, ...] = (
    EventSpec("None", 0),
    # Structural events.
    EventSpec("EventBatch", 4),
    EventSpec("Stacks", 0),
    EventSpec("Stack", 2),  # + nframes x {pc, func, file, line}
    EventSpec("Strings", 0),
    EventSpec("String", 1),  # + length, bytes
    EventSpec("CPUSamples", 0),
    EventSpec("CPUSample", 5, stack_args=(4,)),
    EventSpec("Frequency", 1),
    # Procs.
    EventSpec("ProcsChange", 3, _T, (2,)),
    EventSpec("ProcStart", 3, _T),
    EventSpec("ProcStop", 1, _T),
    EventSpec("ProcSteal", 4, _T),
    EventSpec("ProcStatus", 3, _T),
    # Goroutines.
    EventSpec("GoCreate", 4, _T, (3, 2)),
    EventSpec("GoCreateSyscall", 2, _T),
    EventSpec("GoStart", 3, _T),
    EventSpec("GoDestroy", 1, _T),
    EventSpec("GoDestroySyscall", 1, _T),
    EventSpec("GoStop", 3, _T, (2,), (1,)),
    EventSpec("GoBlock", 3, _T, (2,), (1,)),
    EventSpec("GoUnblock", 4, _T, (3,)),
    EventSpec("GoSyscallBegin", 3, _T, (2,)),
    EventSpec("GoSyscallEnd", 1, _T),
    EventSpec("GoSyscallEndBlocked", 1, _T),
    EventSpec("GoStatus", 4, _T),
    # STW.
    EventSpec("STWBegin", 3, _T, (2,), (1,)),
    EventSpec("STWEnd", 1, _T),
    # GC.
    EventSpec("GCActive", 2, _T),
    EventSpec("GCBegin", 3, _T, (2,)),
    EventSpec("GCEnd", 2, _T),
    EventSpec("GCSweepActive", 2, _T),
    EventSpec("GCSweepBegin", 2, _T, (1,)),
    EventSpec("GCSweepEnd", 3, _T),
    EventSpec("GCMarkAssistActive", 2, _T),
    EventSpec("GCMarkAssistBegin", 2, _T, (1,)),
    EventSpec("GCMarkAssistEnd", 1, _T),
    EventSpec("HeapAlloc", 2, _T),
    EventSpec("HeapGoal", 2, _T),
    # Annotations.
    EventSpec("GoLabel", 2, _T, (), (1,)),
    EventSpec("UserTaskBegin", 5, _T, (4,), (3,)),
    EventSpec("UserTaskEnd", 3, _T, (2,)),
    EventSpec("UserRegionBegin", 4, _T, (3,), (2,)),
    EventSpec("UserRegionEnd", 4, _T, (3,), (2,)),
    EventSpec("UserLog", 5, _T, (4,), (2, 3)),
    # Go 1.23: coroutines, GoStatusStack, experimental batches.
    EventSpec("GoSwitch", 3, _T),
    EventSpec("GoSwitchDestroy", 3, _T),
    EventSpec("GoCreateBlocked", 4, _T, (3, 2)),
    EventSpec("GoStatusStack", 5, _T, (4,)),
    EventSpec("ExperimentalBatch", 4),  # + data; read at batch level
    # Go 1.25: sync batches.
    EventSpec("Sync", 0),
    EventSpec("ClockSnapshot", 4, _T),
    # Go 1.26: in-band end of generation.
    EventSpec("EndOfGeneration", 0),
)

# Experimental events (AllocFree, Go 1.23+), numbered from MaxEvent+1 = 128.
EXPERIMENTAL_SPECS: dict[int, EventSpec] = {
    128: EventSpec("Span", 4, _T),
    129: EventSpec("SpanAlloc", 4, _T),
    130: EventSpec("SpanFree", 2, _T),
    131: EventSpec("HeapObject", 3, _T),
    132: EventSpec("HeapObjectAlloc", 3, _T),
    133: EventSpec("HeapObjectFree", 2, _T),
    134: EventSpec("GoroutineStack", 3, _T),
    135: EventSpec("GoroutineStackAlloc", 3, _T),
    136: EventSpec("GoroutineStackFree", 2, _T),
}

# Header version -> number of events of SPECS that version defines.
# (Go 1.24 writes "go 1.23"; Go 1.25 writes "go 1.25"; Go 1.26 and 1.27 write
# "go 1.26": checked against Go 1.27.3's tracev2/events.go and version.go.)
VERSION_EVENTS: dict[int, int] = {22: 45, 23: 50, 25: 52, 26: 53}
OLDEST_V1, NEWEST = 11, 26


def timed_nargs(version: int) -> list[int]:
    """Argument count (timestamp included) per event type byte for events that
    may appear in a regular event batch; -1 where the byte is not such an event."""
    n = VERSION_EVENTS[version]
    table = [-1] * 256
    for typ, spec in enumerate(SPECS[:n]):
        if spec.timed:
            table[typ] = spec.nargs
    if version >= 23:
        for typ, spec in EXPERIMENTAL_SPECS.items():
            table[typ] = spec.nargs
    return table
