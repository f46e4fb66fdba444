"""CG105's receiving side: where and why a receiver can stop before it takes every send."""

from __future__ import annotations

import math

from tree_sitter import Node

from ctxguard.gosrc.cfg import Block
from ctxguard.gosrc.goroutines import (
    early_exit,
    failed_before,
    fails_test,
    goroutine,
    in_nested_func,
)
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    FUNC_TYPES,
    LOOP_TYPES,
    call_args,
    call_name,
    contains,
    enclosing,
    is_receive,
    line_of,
    loops_between,
    repetitions,
    statements,
    text,
    unparen,
    walk,
)
from ctxguard.rules.goroutine_sends import (
    Sender,
    ancestors,
    case_reason,
)
from ctxguard.rules.send_protocols import iterations_take_their_own, plain_in, received_before


def gives_up(
    file: GoFile, func: Node, make: Node, receives: list[Node], senders: list[Sender], sends: float, buffer: float
) -> tuple[int, str, float] | None:
    """Where and why the receiver can stop before consuming every send, and how many receives
    surely come before it stops (for a receiver that takes too few, how many it takes).

    A way out that first fails the test or ends the process (t.Fatal, require.*, t.Errorf then
    return, log.Fatal, panic) does not count: the sender is stranded only once the test has
    already failed, or nothing is left to leak into."""

    # A loop re-runs a receive of the same channel only if the channel outlives its iterations:
    # a channel made inside the loop is a new one each time round.
    def outlives(loop: Node) -> bool:
        return not contains(loop, make)

    if any(_drained_on_exit(file, func, r) for r in receives):
        return None
    first_go = min(s.stmt.end_byte for s in senders)
    for ref in receives:
        case = enclosing(ref, frozenset({"communication_case"}))
        if case is not None and not in_nested_func(case, func) and case.parent is not None:
            select = case.parent
            taken = received_before(select, receives, first_go)
            if sends - taken <= buffer:
                continue  # what is left after the receives that come first fits in the buffer
            kept = [lp for lp in loops_between(select, func) if outlives(lp)]
            in_loop = bool(kept)
            if buffer >= 1 and kept and iterations_take_their_own(file, func, kept[-1], receives, senders, buffer):
                continue  # one sender in flight at a time: giving up leaves its one send, the buffer's
            reasons: list[str] = []
            for other in select.named_children:
                if other.id == case.id or other.type not in ("communication_case", "default_case"):
                    continue
                # a labeled break leaves the select's loop, not the function: what comes after
                # still receives (juicefs's reader drains with `for waits > 0 { <-errs }`)
                stays = not _leaves(other) or (_only_breaks(other) and _received_after(receives, select))
                if stays and (
                    in_loop or _received_after(receives, select) or any(contains(other, r) for r in receives)
                ):
                    continue  # the receiver stays, or receives again after this select
                if any(fails_test(file, st) for st in statements(other)):
                    continue  # gives up only on a failed test
                if any(contains(other, r) for r in receives):
                    continue  # hands the sender to a receive on its way out (`go func() { <-ch }()`)
                if _closed_by_sender(file, other, senders):
                    continue  # the sender closes it on its way out: it has finished sending
                reasons.append(case_reason(file, other))
            if reasons:
                # the way out that says most: a timer, ctx.Done() or default before "another case"
                reason = min(reasons, key=lambda r: r == "another case")
                return line_of(ref), "select with another case" if reason == "another case" else reason, taken
    signals = _finish_signals(file, senders)
    for ref in receives:
        loops = [lp for lp in loops_between(ref, func) if outlives(lp)]
        if loops and sends - buffer > 1:  # one receive happened; the others may be stranded
            if iterations_take_their_own(file, func, loops[-1], receives, senders, buffer):
                if buffer >= 1:
                    return None  # a way out that skips the receive leaves one send: the buffer's
                continue
            exit_stmt = early_exit(
                file, loops[-1], func, skip=lambda n: failed_before(file, n) or _on_signal(file, n, signals)
            )
            if exit_stmt is not None and not (
                _drained_after(receives, loops[-1]) or _drains_first(exit_stmt, receives)
            ):
                keyword = text(exit_stmt).split()[0]
                return line_of(ref), f"{keyword} at line {line_of(exit_stmt)} leaves the receive loop", 0
    skipped = _skips_receive(file, func, make, receives, senders, sends - buffer)
    if skipped is not None:
        jump, first = skipped
        keyword = text(jump).split()[0]
        return line_of(first), f"{keyword} at line {line_of(jump)} skips the receive", 0
    received = sum(repetitions(r, func) for r in receives)
    if sends - received > buffer:
        n = "many" if math.isinf(sends) else str(int(sends))
        return line_of(receives[0]), f"receives {int(received)} of {n} sends", received
    return None


_JUMPS = frozenset({"return_statement", "break_statement", "continue_statement", "goto_statement"})


def _skips_receive(
    file: GoFile, func: Node, make: Node, receives: list[Node], senders: list[Sender], excess: float
) -> tuple[Node, Node] | None:
    """A return, break, continue or goto between a go statement and the first receive after it
    that leads, on some path through `func`, to its end or back to the channel's `make` (the next
    iteration makes a new one) without receiving: the goroutine's send has nobody to take it.
    Returns the jump and the receive it skips."""
    if excess <= 0 or any(in_nested_func(r, func) for r in receives):
        return None  # a deferred or concurrent receive: the paths of `func` do not tell
    cfg = file.cfg(func)
    if cfg is None:
        return None
    made = cfg.locate(make)
    remake = made[0].nodes[made[1]] if made is not None else None
    for sender in senders:
        go = sender.stmt
        later = [r for r in receives if r.start_byte >= go.end_byte]
        start = cfg.locate(go)
        if not later or start is None:
            continue
        first = min(later, key=lambda r: r.start_byte)
        jump = _escape(file, func, start, go, first, receives, remake, _finish_signals(file, senders))
        if jump is not None:
            return jump, first
    return None


def _escape(
    file: GoFile,
    func: Node,
    start: tuple[Block, int],
    go: Node,
    first: Node,
    receives: list[Node],
    remake: Node | None,
    signals: list[Decl],
) -> Node | None:
    """The jump on a path from `go` to the end of the function, or to `remake`, that receives
    nothing and does not fail the test on the way."""
    # a loop holding a receive but not the go statement receives on every way through it (its
    # header decides whether the body runs: paths that skip the body do not count)
    headers: set[int] = set()
    for r in receives:
        for lp in loops_between(r, func):
            if contains(lp, go):
                continue
            body = lp.child_by_field_name("body")
            header = next((c for c in lp.named_children if c != body and c.type != "comment"), None)
            if header is not None and header.type == "for_clause":
                header = header.child_by_field_name("condition")  # the part the CFG evaluates each time
            if header is not None:
                headers.add(header.id)
    # a jump counts if it comes before the receive, or in another branch of an if, switch or
    # select that receives (not a return after an `if ok { <-ch }` that was not taken: whether
    # the goroutine was started may hang on the same condition)
    branching = [
        b
        for r in receives
        for b in ancestors(r, func)
        if b.type in ("if_statement", "expression_switch_statement", "type_switch_statement", "select_statement")
        and b.end_byte > go.end_byte
    ]
    block, idx = start
    todo: list[tuple[list[Node], Block, Node | None, bool]] = [(block.nodes[idx + 1 :], block, None, False)]
    seen: set[tuple[int, bool, bool]] = set()
    while todo:
        nodes, b, jump, failed = todo.pop()
        ended = False
        for n in nodes:
            if n.id in headers or any(contains(n, r) for r in receives) or _waits_for_sender(file, n, signals):
                ended = True  # received, or waited for the sender to finish
                break
            if remake is not None and n.id == remake.id:
                if jump is not None and not failed:
                    return jump
                ended = True
                break
            if (
                jump is None
                and n.type in _JUMPS
                and go.end_byte <= n.start_byte
                and (n.start_byte < first.start_byte or any(contains(b, n) for b in branching))
            ):
                jump = n
            failed = failed or fails_test(file, n)
        if ended:
            continue
        if not b.succs and (b.ret is not None or b.falls_off):
            if jump is not None and not failed:
                return jump
            continue
        for succ in b.succs:
            key = (succ.index, jump is not None, failed)
            if key not in seen:
                seen.add(key)
                todo.append((succ.nodes, succ, jump, failed))
    return None


def _closed_by_sender(file: GoFile, case: Node, senders: list[Sender]) -> bool:
    """The case receives from a channel that the only sending goroutine closes (`defer
    close(done)`): when it fires, that goroutine is done sending."""
    if case.type != "communication_case":
        return False
    comm = case.child_by_field_name("communication")
    recv = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else comm
    recv = unparen(recv) if recv is not None else None
    return recv is not None and _waits_for_sender(file, recv, _finish_signals(file, senders))


def _on_signal(file: GoFile, exit_stmt: Node, signals: list[Decl]) -> bool:
    """`exit_stmt` sits in a select case that receives one of the sender's finish `signals`."""
    case = enclosing(exit_stmt, frozenset({"communication_case"}))
    comm = case.child_by_field_name("communication") if case is not None else None
    return comm is not None and _waits_for_sender(file, comm, signals)


def _waits_for_sender(file: GoFile, node: Node, signals: list[Decl]) -> bool:
    """`node` holds a receive from one of `signals`."""
    if not signals:
        return False
    for u in walk(node):
        if is_receive(u):
            ch = unparen(u.child_by_field_name("operand"))  # type: ignore[arg-type]
            if ch.type == "identifier" and file.decl_of(ch) in signals:
                return True
    return False


def _finish_signals(file: GoFile, senders: list[Sender]) -> list[Decl]:
    """Channels the only sending goroutine (a function literal) closes (`defer close(done)`), or
    sends on as its last act once its sends are over (_signalled_last)."""
    g = senders[0].g if len(senders) == 1 and senders[0].starts <= 1 else None
    scope = file.scope_for(g.func) if g is not None and g.func.type == "func_literal" else None
    if g is None or scope is None:
        return []
    out: list[Decl] = []
    for call in scope.nodes("call_expression", g.func):
        args = call_args(call)
        if call_name(call) == (None, "close") and len(args) == 1:
            decl = file.decl_of(unparen(args[0]))
            if decl is not None and decl not in out:
                out.append(decl)
    last = _signalled_last(file, g.func)
    if last is not None and last not in out:
        out.append(last)
    return out


def _received_after(receives: list[Node], node: Node) -> bool:
    return any(r.start_byte >= node.end_byte for r in receives)


def _drained_after(receives: list[Node], loop: Node) -> bool:
    """After leaving `loop` early, the function drains the channel: `for range ch`, or a loop
    that receives on every iteration (`for waits > 0 { <-errs; waits-- }`, juicefs's reader)."""
    for r in receives:
        if r.start_byte < loop.end_byte or r.parent is None:
            continue
        if r.parent.type == "range_clause":
            return True
        drain = enclosing(r, LOOP_TYPES)
        body = drain.child_by_field_name("body") if drain is not None else None
        if body is not None and drain is not None and drain.start_byte >= loop.end_byte and _every_iteration(r, body):
            return True
    return False


def _drains_first(exit_stmt: Node, receives: list[Node]) -> bool:
    """Right before leaving, a loop of its own receives on every pass: `for active > 0 {
    <-errs; active-- }; return` (cloudflared's supervisor counts its tunnels down)."""
    prev = exit_stmt.prev_named_sibling
    while prev is not None and prev.type == "comment":
        prev = prev.prev_named_sibling
    body = prev.child_by_field_name("body") if prev is not None and prev.type == "for_statement" else None
    return body is not None and any(contains(body, r) and _every_iteration(r, body) for r in receives)


def _every_iteration(receive: Node, body: Node) -> bool:
    """The receive runs on every pass through `body`: plainly in a statement of its own
    (`<-errs`, `e := <-errs`, `if e := <-errs; e != nil`)."""
    return any(plain_in(receive, st) for st in statements(body) if contains(st, receive))


def _only_breaks(case: Node) -> bool:
    """The case leaves by `break label` alone: no return, jump or exit."""
    kinds = [st.type for st in statements(case)]
    return (
        "break_statement" in kinds
        and not any(k in ("return_statement", "goto_statement") for k in kinds)
        and not (_leaves_by_exit(case))
    )


def _leaves_by_exit(case: Node) -> bool:
    return any(
        st.type == "expression_statement"
        and st.named_child_count
        and st.named_children[0].type == "call_expression"
        and call_name(st.named_children[0])[1] in _EXITS
        for st in statements(case)
    )


_EXITS = frozenset({"panic", "Exit", "Goexit", "Fatal", "Fatalf"})


def _leaves(case: Node) -> bool:
    """The case body returns, breaks out, jumps away or ends the goroutine."""
    for stmt in statements(case):
        if stmt.type in ("return_statement", "goto_statement"):
            return True
        if stmt.type == "break_statement" and any(c.type == "label_name" for c in stmt.named_children):
            return True
    return _leaves_by_exit(case)


def _signalled_last(file: GoFile, func: Node) -> Decl | None:
    """The channel the goroutine `func` sends on as its last statement, after every send of its
    own and, when it starts goroutines, after `wg.Wait()` for all of them (each leaving through
    `defer wg.Done()`): the signal comes once every send has completed (chaos-mesh's process
    walker: `wg.Wait(); done <- true`, and the receiver returns on `<-done`)."""
    body = statements(func.child_by_field_name("body"))
    if not body or body[-1].type != "send_statement":
        return None
    nested = [n for n in walk(func) if n.type == "go_statement"]
    if nested:
        group = _group_of(body[-2], "expression_statement", "Wait") if len(body) > 1 else None
        for go in nested:
            g = goroutine(file, go)
            inner = statements(g.func.child_by_field_name("body")) if g and g.func.type == "func_literal" else []
            if group is None or group not in {_group_of(st, "defer_statement", "Done") for st in inner}:
                return None
    channel = body[-1].child_by_field_name("channel")
    return file.decl_of(unparen(channel)) if channel is not None and unparen(channel).type == "identifier" else None


def _group_of(stmt: Node, kind: str, method: str) -> str | None:
    """`wg` for `defer wg.Done()` (kind defer_statement) or `wg.Wait()` (expression_statement)."""
    if stmt.type != kind or not stmt.named_child_count:
        return None
    call = unparen(stmt.named_children[0])
    if call.type != "call_expression" or call_args(call):
        return None
    operand, name = call_name(call)
    return text(operand) if operand is not None and name == method else None


def _drained_on_exit(file: GoFile, func: Node, ref: Node) -> bool:
    """`ref` is ranged over to the end (`for range ch {}`, no way out of the loop) by code that
    `func` defers, or a goroutine it starts from a deferred function: whichever way `func` leaves,
    every send is taken (go-plugin's client drains the plugin's stdout lines so)."""
    clause = ref.parent
    loop = clause.parent if clause is not None and clause.type == "range_clause" else None
    owner = enclosing(loop, FUNC_TYPES) if loop is not None else None
    if loop is None or owner is None or owner.id == func.id or early_exit(file, loop, owner) is not None:
        return False
    cur: Node | None = owner
    while cur is not None and cur.id != func.id:
        if cur.type == "defer_statement":
            return enclosing(cur, FUNC_TYPES) == func
        cur = cur.parent
    return False
