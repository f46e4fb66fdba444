"""Control-flow graph of one function body, in the manner of golang.org/x/tools/go/cfg.

A block holds, in execution order, the simple statements and the control
expressions (conditions, switch tags, range clauses, select communications)
that run in it. Compound statements are split into blocks; a `return` ends its
block (`Block.ret`); a call that never returns (panic, os.Exit, log.Fatal,
t.FailNow, ...) ends its block with no successor; the block that falls off
the end of the body is marked `falls_off`. Function literals are separate
functions with graphs of their own: uses inside them count as uses of the
statement that holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from ctxguard.gosrc.syntax import statements, text


@dataclass(eq=False)
class Block:
    index: int
    kind: str
    nodes: list[Node] = field(default_factory=list)
    succs: list[Block] = field(default_factory=list)
    ret: Node | None = None
    falls_off: bool = False

    def __repr__(self) -> str:  # debugging aid
        return f"Block({self.index}:{self.kind} n={len(self.nodes)} succs={[s.index for s in self.succs]})"


@dataclass(frozen=True)
class CFG:
    blocks: tuple[Block, ...]
    entry: Block
    body: Node
    position: dict[int, tuple[Block, int]]  # node id -> (block, index in block.nodes)

    def locate(self, node: Node) -> tuple[Block, int] | None:
        """The block and index of a statement, or of the statement holding `node`."""
        cur: Node | None = node
        while cur is not None and cur.id != self.body.id:
            hit = self.position.get(cur.id)
            if hit is not None:
                return hit
            cur = cur.parent
        return None

    def reachable_from(self, node: Node) -> Iterator[Node]:
        """Every node that may execute after `node` (excluding it), each once."""
        start = self.locate(node)
        if start is None:
            return
        block, idx = start
        yield from block.nodes[idx + 1 :]
        seen: set[int] = set()
        stack = list(block.succs)
        while stack:
            b = stack.pop()
            if b.index in seen:
                continue
            seen.add(b.index)
            # back at the start through a loop: what precedes `node` runs again
            yield from (block.nodes[: idx + 1] if b is block else b.nodes)
            stack.extend(b.succs)


@dataclass
class _Target:
    label: str | None
    brk: Block
    cont: Block | None


class _Builder:
    def __init__(self, no_return: Callable[[Node], bool]) -> None:
        self.no_return = no_return
        self.blocks: list[Block] = []
        self.position: dict[int, tuple[Block, int]] = {}
        self.targets: list[_Target] = []
        self.labels: dict[str, Block] = {}
        self.fallthrough_to: Block | None = None
        self.current = self.new("entry")

    def new(self, kind: str) -> Block:
        b = Block(len(self.blocks), kind)
        self.blocks.append(b)
        return b

    def add(self, node: Node) -> None:
        self.position[node.id] = (self.current, len(self.current.nodes))
        self.current.nodes.append(node)

    def jump(self, to: Block) -> None:
        self.current.succs.append(to)

    def dead(self) -> None:
        self.current = self.new("unreachable")

    def label_block(self, name: str) -> Block:
        b = self.labels.get(name)
        if b is None:
            b = self.labels[name] = self.new("label." + name)
        return b

    def target(self, label: str | None, want_continue: bool) -> _Target | None:
        for t in reversed(self.targets):
            if want_continue and t.cont is None:
                continue
            if label is None or t.label == label:
                return t
        return None

    # -- statements ------------------------------------------------------
    def stmt_list(self, stmts: list[Node]) -> None:
        for s in stmts:
            self.stmt(s)

    def stmt(self, s: Node, label: str | None = None) -> None:
        t = s.type
        if t == "block":
            self.stmt_list(statements(s))
        elif t == "expression_statement":
            self.add(s)
            if self.no_return(s):
                self.dead()
        elif t == "return_statement":
            self.add(s)
            self.current.ret = s
            self.dead()
        elif t == "labeled_statement":
            name = text(s.child_by_field_name("label"))
            lb = self.label_block(name)
            self.jump(lb)
            self.current = lb
            inner = [c for c in s.named_children if c.type not in ("label_name", "comment")]
            if inner:
                self.stmt(inner[0], label=name)
        elif t == "goto_statement":
            self.add(s)
            name = text(next((c for c in s.named_children if c.type == "label_name"), None))
            self.jump(self.label_block(name))
            self.dead()
        elif t in ("break_statement", "continue_statement"):
            self.add(s)
            lbl = next((c for c in s.named_children if c.type == "label_name"), None)
            tgt = self.target(text(lbl) if lbl is not None else None, t == "continue_statement")
            if tgt is not None:
                dest = tgt.cont if t == "continue_statement" else tgt.brk
                if dest is not None:
                    self.jump(dest)
            self.dead()
        elif t == "fallthrough_statement":
            self.add(s)
            if self.fallthrough_to is not None:
                self.jump(self.fallthrough_to)
            self.dead()
        elif t == "if_statement":
            self.if_stmt(s)
        elif t == "for_statement":
            self.for_stmt(s, label)
        elif t in ("expression_switch_statement", "type_switch_statement"):
            self.switch_stmt(s, label)
        elif t == "select_statement":
            self.select_stmt(s, label)
        elif t == "comment":
            pass
        else:
            # simple statements: assignments, declarations, send, inc/dec, go, defer, empty
            self.add(s)

    def if_stmt(self, s: Node) -> None:
        init = s.child_by_field_name("initializer")
        if init is not None:
            self.stmt(init)
        cond = s.child_by_field_name("condition")
        if cond is not None:
            self.add(cond)
        then_b, done = self.new("if.then"), self.new("if.done")
        alt = s.child_by_field_name("alternative")
        else_b = self.new("if.else") if alt is not None else done
        self.jump(then_b)
        self.jump(else_b)
        self.current = then_b
        self.stmt(s.child_by_field_name("consequence") or s)
        self.jump(done)
        if alt is not None:
            self.current = else_b
            self.stmt(alt)
            self.jump(done)
        self.current = done

    def for_stmt(self, s: Node, label: str | None) -> None:
        body = s.child_by_field_name("body")
        clause = next((c for c in s.named_children if c != body and c.type != "comment"), None)
        init = cond = update = rng = None
        if clause is not None:
            if clause.type == "for_clause":
                init = clause.child_by_field_name("initializer")
                cond = clause.child_by_field_name("condition")
                update = clause.child_by_field_name("update")
            elif clause.type == "range_clause":
                rng = clause
            else:
                cond = clause
        if init is not None:
            self.stmt(init)
        loop, body_b, done = self.new("for.loop"), self.new("for.body"), self.new("for.done")
        post = self.new("for.post") if update is not None else loop
        self.jump(loop)
        self.current = loop
        if cond is not None or rng is not None:
            self.add(cond or rng)  # type: ignore[arg-type]
            self.jump(body_b)
            self.jump(done)
        else:
            self.jump(body_b)
        self.targets.append(_Target(label, done, post))
        self.current = body_b
        if body is not None:
            self.stmt(body)
        self.jump(post)
        if update is not None:
            self.current = post
            self.stmt(update)
            self.jump(loop)
        self.targets.pop()
        self.current = done

    def switch_stmt(self, s: Node, label: str | None) -> None:
        init = s.child_by_field_name("initializer")
        if init is not None:
            self.stmt(init)
        tag = s.child_by_field_name("value")
        if tag is not None:
            self.add(tag)
        cases = [c for c in s.named_children if c.type in ("expression_case", "type_case", "default_case")]
        dispatch, done = self.current, self.new("switch.done")
        bodies = [self.new("switch.case") for _ in cases]
        for b in bodies:
            dispatch.succs.append(b)
        if not any(c.type == "default_case" for c in cases):
            dispatch.succs.append(done)
        self.targets.append(_Target(label, done, None))
        saved = self.fallthrough_to
        for i, (case, b) in enumerate(zip(cases, bodies, strict=True)):
            self.current = b
            values = case.child_by_field_name("value")
            if values is not None and case.type == "expression_case":
                self.add(values)
            self.fallthrough_to = bodies[i + 1] if i + 1 < len(bodies) else None
            self.stmt_list(statements(case))
            self.jump(done)
        self.fallthrough_to = saved
        self.targets.pop()
        self.current = done

    def select_stmt(self, s: Node, label: str | None) -> None:
        cases = [c for c in s.named_children if c.type in ("communication_case", "default_case")]
        dispatch, done = self.current, self.new("select.done")
        self.targets.append(_Target(label, done, None))
        for case in cases:
            b = self.new("select.case")
            dispatch.succs.append(b)
            self.current = b
            comm = case.child_by_field_name("communication")
            if comm is not None:
                self.add(comm)
            self.stmt_list(statements(case))
            self.jump(done)
        self.targets.pop()
        self.current = done  # a select with no cases blocks forever: `done` has no predecessor


def build_cfg(body: Node, no_return: Callable[[Node], bool]) -> CFG:
    b = _Builder(no_return)
    b.stmt(body)
    b.current.falls_off = True
    return CFG(tuple(b.blocks), b.blocks[0], body, b.position)


def components(cfg: CFG) -> list[list[Block]]:
    """The strongly connected components of the graph's blocks reachable from the entry, in
    topological order (a component comes before every component it leads to)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[Block] = []
    out: list[list[Block]] = []
    counter = 0
    # Tarjan's algorithm, iteratively: bodies nest deep enough to exhaust Python's recursion
    work: list[tuple[Block, int]] = [(cfg.entry, 0)]
    while work:
        block, i = work.pop()
        if i == 0:
            index[block.index] = low[block.index] = counter
            counter += 1
            stack.append(block)
            on_stack.add(block.index)
        recurse = False
        while i < len(block.succs):
            succ = block.succs[i]
            i += 1
            if succ.index not in index:
                work.append((block, i))
                work.append((succ, 0))
                recurse = True
                break
            if succ.index in on_stack:
                low[block.index] = min(low[block.index], index[succ.index])
        if recurse:
            continue
        if low[block.index] == index[block.index]:
            comp: list[Block] = []
            while True:
                b = stack.pop()
                on_stack.discard(b.index)
                comp.append(b)
                if b is block:
                    break
            out.append(comp)
        if work:
            parent = work[-1][0]
            low[parent.index] = min(low[parent.index], low[block.index])
    out.reverse()  # Tarjan finds components in reverse topological order
    return out


def is_cycle(component: list[Block]) -> bool:
    """A component whose blocks can run again: several blocks, or one that leads to itself."""
    return len(component) > 1 or any(s is component[0] for s in component[0].succs)
