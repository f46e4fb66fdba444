"""CG105's protocols: goroutines that send more than their receiver takes, yet strand none."""

from __future__ import annotations

import re

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import is_write
from ctxguard.gosrc.goroutines import (
    Goroutine,
    breaks_out_of,
    closed_somewhere,
    in_nested_func,
    spawner_decl,
)
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    FUNC_TYPES,
    call_name,
    contains,
    enclosing,
    expression_list,
    loops_between,
    received_channel,
    statements,
    text,
    unparen,
    walk,
)
from ctxguard.rules.goroutine_sends import (
    Sender,
    ancestors,
    buffer_of,
    exclusive,
)


def fails_once(file: GoFile, func: Node, stmt: Node, g: Goroutine, sends: list[Node]) -> bool:
    """An async writer kept to one in flight by its done channel, which it closes only when it
    succeeds: `if done == nil { done = make(chan struct{}); go func() { if err := w(); err !=
    nil { fail <- err; return }; close(done) }() }`, with `done = nil` only once `<-done`
    fires. A writer that fails leaves `done` set, so no other starts: it sends once in all
    (go-ethereum's transaction broadcast)."""
    if g.func.type != "func_literal":
        return False
    guards = [a for a in ancestors(stmt, func) if a.type == "if_statement"]
    tests = [(guard, cond) for guard in guards if (cond := guard.child_by_field_name("condition")) is not None]
    for guard, cond, name in ((g_, c, m.group(1)) for g_, c in tests for m in _NIL_TEST.finditer(text(c))):
        ident = next((n for n in walk(cond) if n.type == "identifier" and text(n) == name), None)
        done = file.decl_of(ident) if ident is not None else None
        scope = file.scope_for(stmt)
        if done is None or scope is None:
            continue
        refs = scope.refs(done)
        closes = [r for r in refs if contains(g.func, r) and _closed_here(r)]
        if not closes or not all(_returns_after(s) for s in sends):
            continue
        writes = [r for r in refs if is_write(r) and not contains(g.func, r)]
        if all(_made_before(w, stmt, guard) or _reset_on_receive(w, done, file) for w in writes):
            return True
    return False


_NIL_TEST = re.compile(r"\b(\w+)\s*==\s*nil\b")


def _closed_here(ref: Node) -> bool:
    args = ref.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    return call is not None and call_name(call) == (None, "close")


def _returns_after(send: Node) -> bool:
    nxt = send.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    return nxt is not None and nxt.type == "return_statement"


def _made_before(write: Node, stmt: Node, guard: Node | None) -> bool:
    """`done = make(chan ...)` inside the guard, before the go statement."""
    assign = write.parent.parent if write.parent is not None else None
    right = assign.child_by_field_name("right") if assign is not None else None
    values = expression_list(right) if right is not None else []
    return (
        guard is not None
        and contains(guard, write)
        and write.start_byte < stmt.start_byte
        and len(values) == 1
        and text(unparen(values[0]).child_by_field_name("function")) == "make"
    )


def _reset_on_receive(write: Node, done: Decl, file: GoFile) -> bool:
    """`done = nil` in the body of `case <-done:`."""
    assign = write.parent.parent if write.parent is not None else None
    right = assign.child_by_field_name("right") if assign is not None else None
    case = enclosing(write, frozenset({"communication_case"}))
    channel = received_channel(case) if case is not None else None
    return (
        right is not None
        and text(right) == "nil"
        and channel is not None
        and unparen(channel).type == "identifier"
        and file.decl_of(unparen(channel)) is done
    )


def answers_requests(g: Goroutine, sends: list[Node]) -> bool:
    """The goroutine's sends answer requests: each sits, once per iteration, in a `for x := range
    req` loop over an unbuffered channel the spawner sends requests on and closes (`defer
    close(req)`): go-ethereum's console reads a line per prompt. The spawner cannot make a
    second request before it takes the first answer (the goroutine is not receiving), so at
    most one answer is ever pending."""
    loops = {id(lp): lp for s in sends for lp in loops_between(s, g.func)[:1]}
    if len(loops) != 1 or any(len(loops_between(s, g.func)) != 1 for s in sends):
        return False
    loop = next(iter(loops.values()))
    if len(sends) > 1 and not all(exclusive(a, b) for i, a in enumerate(sends) for b in sends[i + 1 :]):
        return False
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    ranged = unparen(clause.child_by_field_name("right")) if clause is not None else None  # type: ignore[arg-type]
    if ranged is None or ranged.type != "identifier":
        return False
    inner = g.file.decl_of(ranged)
    requests = spawner_decl(g, inner) if inner is not None else None
    if requests is None or requests.value is None:
        return False
    made = unparen(requests.value)
    if made.type != "call_expression" or text(made.child_by_field_name("function")) != "make" or buffer_of(made) != 0:
        return False
    return closed_somewhere(g.stmt_file, requests)


def iterations_take_their_own(
    file: GoFile, func: Node, loop: Node, receives: list[Node], senders: list[Sender], buffer: float = 0
) -> bool:
    """Each iteration of `loop` starts one goroutine that sends once, and every way out of the
    loop after it has started receives first: `go func() { errc <- try() }()` then `select {
    case err := <-errc: ... return; case <-stop: <-errc; return }`. Leaving the loop strands
    nothing: this iteration's send was taken, and no earlier one is pending. With room for one
    send, only going round again must receive first: one send at most is pending when the loop
    is left, and the buffer takes it (vmagent's remote-write worker)."""
    if len(senders) != 1:
        return False
    sender = senders[0]
    go = sender.stmt
    if not contains(loop, go) or any(s.repeats or s.prefix > 1 for s in sender.sends):
        return False
    if any(lp.id != loop.id and contains(lp, go) for lp in loops_between(go, loop)):
        return False  # several goroutines per iteration
    if not _every_case_receives(loop, go, receives, senders, leaving_is_enough=buffer >= 1):
        return False  # an iteration can go round again without taking its goroutine's send
    exits = [
        n
        for n in walk(loop)
        if n.start_byte > go.end_byte
        and not in_nested_func(n, func)
        and (
            (n.type in ("return_statement", "goto_statement") and buffer < 1)
            or (n.type == "break_statement" and breaks_out_of(n, loop) and buffer < 1)
            or (n.type == "continue_statement" and _continues(n, loop))
        )
    ]
    return all(_receives_on_way_out(n, receives, senders, go.end_byte) for n in exits)


def _every_case_receives(
    loop: Node, go: Node, receives: list[Node], senders: list[Sender], leaving_is_enough: bool = False
) -> bool:
    """The loop body, after `go`, has a statement of its own that is a select whose every case
    takes the send: its communication receives it, or its body does before anything else can.
    With `leaving_is_enough`, a case that ends by returning counts too (the buffer takes the
    send it leaves). Or, simplest, the statement right after `go` receives it (`go
    c.start(); <-c.started`)."""
    body = loop.child_by_field_name("body")
    after = [st for st in statements(body) if st.start_byte > go.end_byte] if body is not None else []
    if after and any(plain_in(r, after[0]) for r in receives if contains(after[0], r)):
        return True
    select = next((st for st in after if st.type == "select_statement"), None)
    if select is None:
        return False
    for case in select.named_children:
        if case.type not in ("communication_case", "default_case"):
            continue
        channel = received_channel(case) if case.type == "communication_case" else None
        takes = channel is not None and any(r.id == channel.id or contains(channel, r) for r in receives)
        if takes or any(plain_in(r, st) for st in statements(case) for r in receives if contains(st, r)):
            continue
        if case.type == "communication_case" and senders_other_channel(case, senders):
            continue  # the goroutine's other outcome (`errs <- err; return`, else `responses <- r`)
        last = statements(case)[-1:] if leaving_is_enough else []
        if not last or last[0].type != "return_statement":
            return False
    return True


def _continues(stmt: Node, loop: Node) -> bool:
    """`continue` (or `continue label`) starts the next iteration of `loop`."""
    if any(c.type == "label_name" for c in stmt.named_children):
        return breaks_out_of(stmt, loop)  # the label names the loop either way
    return enclosing(stmt, frozenset({"for_statement"})) == loop


def _receives_on_way_out(exit_stmt: Node, receives: list[Node], senders: list[Sender], after: int) -> bool:
    """A receive runs before `exit_stmt` on every path to it: the exit is in the body of a select
    case that receives (this channel, or the goroutine's other outcome), or a plain receive comes
    before it."""
    case = enclosing(exit_stmt, frozenset({"communication_case"}))
    channel = received_channel(case) if case is not None else None
    if channel is not None and any(contains(channel, r) or r.id == channel.id for r in receives):
        return True
    if case is not None and senders_other_channel(case, senders):
        return True
    return received_before(exit_stmt, receives, after) >= 1


def received_before(point: Node, receives: list[Node], after: int) -> float:
    """Plain receives after byte `after` that run on every path to `point`: statements before it
    in its block and in the blocks around it, not inside a branch, loop or select of their own."""
    taken = 0.0
    cur = point
    while cur.parent is not None and cur.type not in FUNC_TYPES:
        parent = cur.parent
        if parent.type in ("statement_list", "block"):
            sib = cur.prev_named_sibling
            while sib is not None and sib.end_byte > after:
                taken += sum(1 for r in receives if contains(sib, r) and plain_in(r, sib))
                sib = sib.prev_named_sibling
        elif parent.type == "for_statement":
            break  # an earlier receive in the loop body ran in this iteration, not necessarily before
        cur = parent
    return taken


def plain_in(receive: Node, stmt: Node) -> bool:
    """`receive` runs whenever `stmt` does: no branch, loop, select or function in between (the
    header of an if or switch runs, its bodies may not)."""
    child, cur = receive, receive.parent
    while cur is not None:
        if cur.type in _CONDITIONAL:
            header = cur.type in _HEADED and child.id in (
                getattr(cur.child_by_field_name(f), "id", None) for f in ("initializer", "condition", "value")
            )
            if not header:
                return False
        if cur.id == stmt.id:
            return True
        child, cur = cur, cur.parent
    return False


_HEADED = frozenset({"if_statement", "expression_switch_statement", "type_switch_statement"})


_CONDITIONAL = frozenset(
    {
        "if_statement",
        "for_statement",
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
        "communication_case",
        "binary_expression",  # a && <-ch
        *FUNC_TYPES,
    }
)


def senders_other_channel(case: Node, senders: list[Sender]) -> bool:
    """The case receives from another channel the same goroutines send on: the sender's other
    outcome (`errCh <- err` or else `metaCh <- meta`), not the receiver giving up."""
    operand = received_channel(case)
    if operand is None or unparen(operand).type != "identifier":
        return False
    name = text(unparen(operand))
    for sender in senders:
        if name in sender.channels:
            return True
        for node in walk(sender.g.func) if sender.g is not None else ():
            channel = node.child_by_field_name("channel") if node.type == "send_statement" else None
            if channel is not None and text(unparen(channel)) == name:
                return True
    return False
