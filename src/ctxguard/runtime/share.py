"""One Stack object per distinct stack across many snapshots, for processes that keep snapshots in memory.

A watch agent holds every target's window: the same few dozen stacks arrive
decoded afresh every interval. Sharing them keeps memory to the distinct stacks
of the fleet instead of stacks times snapshots; a stack no snapshot uses any
more is dropped with its last user (weak references).
"""

from __future__ import annotations

import weakref
from dataclasses import replace

from ctxguard.runtime.model import Frame, GoroutineGroup, Snapshot, Stack


class StackTable:
    def __init__(self) -> None:
        # keyed by the frames, not the Stack: a key is held strongly, and the Stack must be free to go
        self._stacks: weakref.WeakValueDictionary[tuple[tuple[Frame, ...], int], Stack] = weakref.WeakValueDictionary()

    def __len__(self) -> int:
        return len(self._stacks)

    def stack(self, s: Stack) -> Stack:
        key = (s.frames, s.elided)
        shared = self._stacks.get(key)
        if shared is None:
            self._stacks[key] = shared = s
        return shared

    def share(self, snap: Snapshot) -> Snapshot:
        """The snapshot with its stacks replaced by the shared equal ones."""
        groups = tuple(self._group(g) for g in snap.groups)
        heap = tuple(r if (st := self.stack(r.stack)) is r.stack else replace(r, stack=st) for r in snap.heap)
        return replace(snap, groups=groups, heap=heap)

    def _group(self, g: GoroutineGroup) -> GoroutineGroup:
        st = self.stack(g.stack)
        return g if st is g.stack else replace(g, stack=st)
