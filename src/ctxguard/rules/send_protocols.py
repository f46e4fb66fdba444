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

DOC = """\
## What it finds
A goroutine sends on a channel made in the enclosing function, without a
buffer or with a literal buffer too small for what it sends, while the
receiving side can stop receiving before every send is taken:

- it receives in a `select` that can take another way out (`ctx.Done()`, a
  timer, `default`, a done/quit channel) and receives no more after it; in a
  loop too, when the channel is made per iteration (each timed-out iteration
  leaves its sender behind);
- it leaves a loop of receives early (`return`, `break`);
- a `return`, `break` or `continue` skips its only receive;
- it receives fewer values than the goroutines send.

A generator is left to the opt-in CG104 (goroutine-ignores-cancel), which
reports its loop with this rule's reason. That is a channel returned to a
caller that has a context, fed by a goroutine loop that never watches that
context; a caller that stops reading once its context is done strands the
goroutine. On mature code, two independent triages judged none of 7 such
findings worth fixing: they were library streams whose callers in the
repository drain them, and CLI watch commands.

Sends are counted along the paths through the goroutine, not in its text:
several `errc <- err; return` branches send at most once, a send in a loop
that does not leave can send again (as often as a literal trip count says,
or without bound). With a buffer, only the sends that can overflow it are
reported: the one in a loop, or the second one along a path, and the message
says so.

Several goroutines that may each be left sending on one channel give one
finding, at a send that can repeat if one can, counting the others.

When the receiving function closes the channel as it returns (`defer
close(ch)`), the late send does not block: it panics (send on closed channel).
The finding is the same, and its message says so.

Not reported: a receiver that hands the sender over on its way out (`go
func() { <-ch }()` in the branch that gives up, to take the late result and
clean it up); a send right after the goroutine took a value out of the same
buffered channel (`<-reload; reload <- true`: there is room); a receiver that
gives up only by failing the test (`t.Fatal`, `t.FailNow`, `b.FailNow`,
`require.*`, gotest.tools' `assert`, `t.Error` then `return`) or by ending
the process (`log.Fatal`, `panic`): the sender is stranded only once the test
has failed or the process is going away; a `select` case waiting on a channel
the sender itself closes when it is done; and a goroutine that sends once, on
one channel or another (`errCh <- err` or else `metaCh <- meta`), to a
`select` that takes either. Nor these protocols:
- a loop that starts one goroutine per iteration and takes its send on every
  way out: a `select` whose every case receives (`case err := <-done:`, or
  `case <-stop: <-done; return`), so leaving the loop leaves nothing pending;
- a goroutine answering requests: one send per iteration of `for p := range
  prompts`, over an unbuffered channel the spawner sends requests on and
  closes (`defer close(prompts)`). The spawner cannot ask again before it takes
  the answer, so at most one answer is ever pending (reported only when the
  answer channel has no room for it);
- a receiver in a function or method named for cleanup (`Stop`, `Close`,
  `Shutdown` and the other verbs CG201 lists) that gives up, typically on a
  timeout: the goroutine is left once, as the component goes away;
- an async writer kept to one in flight by its `done` channel, which it closes
  only when it succeeds (`if done == nil { done = make(...); go func() { if err
  := w(); err != nil { fail <- err; return }; close(done) }() }`, and `done =
  nil` only in `case <-done:`): a writer that fails leaves `done` set, so no
  other starts, and its one error is the only send on `fail`;
- a channel returned by an unexported function or method whose every caller
  (all in the package) reads it to the end (`for v := range values(ctx)` with
  no way out of the loop).

A send in a goroutine loop that also ignores its context is reported once, by
CG104 (goroutine-ignores-cancel), with this rule's reason in its message (here
when CG104 is not selected).

## Across functions and packages
A goroutine started on a function or method of the same package (`go
worker(ch)`, `go s.run(ch)` with `s`'s type in the source) is followed to its
body. One started on a function or method of another package of the module
(`go work.Probe(host, errc)`, `go w.Run(errc)` with `w` a `*work.Worker`) is
judged from that package's facts: for each channel parameter, its sends along
the function's paths (whether they repeat, how many along one path, whether a
`select` lets them give way). The finding is then at the `go` statement and
names the send: `(the send is in work.Probe at work.go:9)`.

A channel kept in a struct field is followed too: a goroutine (a function
literal, or a method started on the struct, `go f.fetch(id)`) that sends on
`f.results`, started by a function that then receives from `f.results` and can
give up. Every place in the package that receives from a field of that name is
looked at: one that receives in a loop (a worker, a `Stop` that drains it)
takes what the spawner leaves, and nothing is reported; a one-off receive
elsewhere does not (it strands its own goroutine in turn). The field's buffer is
read where the package makes it (`results: make(chan R, 1)`, `f.results =
make(chan R)`); a channel the package makes nowhere it can see, or with a
computed size, is not judged, nor one the spawner hands on or makes again.

Not followed: functions reached through interfaces or function values, and
packages outside the module.

## Why it leaks
This is the pattern behind most production goroutine leaks. The handler gives
up on a timeout and returns; the worker finishes later and blocks forever on
`ch <- result`, because nobody will ever receive. Every timed-out request
leaves one goroutine (and everything it references) parked in `chan send`.
A buffer of one slot per send lets every sender finish and exit; a send that
can repeat needs a `select` with a way out, or a `return` after it.

## Bad
```go
ch := make(chan result)
go func() { ch <- slowCall() }()
select {
case r := <-ch:
	return r, nil
case <-ctx.Done():
	return nil, ctx.Err() // the sender above is stuck forever
}
```

## Good
```go
ch := make(chan result, 1) // the send always completes
go func() { ch <- slowCall() }()
select {
case r := <-ch:
	return r, nil
case <-ctx.Done():
	return nil, ctx.Err()
}
```
"""


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
    if not _every_case_receives(loop, go, receives, leaving_is_enough=buffer >= 1):
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
    return all(_receives_on_way_out(n, receives, go.end_byte) for n in exits)


def _every_case_receives(loop: Node, go: Node, receives: list[Node], leaving_is_enough: bool = False) -> bool:
    """The loop body, after `go`, has a statement of its own that is a select whose every case
    takes the send: its communication receives it, or its body does before anything else can.
    With `leaving_is_enough`, a case that ends by returning counts too (the buffer takes the
    send it leaves)."""
    body = loop.child_by_field_name("body")
    after = [st for st in statements(body) if st.start_byte > go.end_byte] if body is not None else []
    select = next((st for st in after if st.type == "select_statement"), None)
    if select is None:
        return False
    for case in select.named_children:
        if case.type not in ("communication_case", "default_case"):
            continue
        channel = received_channel(case) if case.type == "communication_case" else None
        takes = channel is not None and any(r.id == channel.id or contains(channel, r) for r in receives)
        if takes or any(_plain_in(r, st) for st in statements(case) for r in receives if contains(st, r)):
            continue
        last = statements(case)[-1:] if leaving_is_enough else []
        if not last or last[0].type != "return_statement":
            return False
    return True


def _continues(stmt: Node, loop: Node) -> bool:
    """`continue` (or `continue label`) starts the next iteration of `loop`."""
    if any(c.type == "label_name" for c in stmt.named_children):
        return breaks_out_of(stmt, loop)  # the label names the loop either way
    return enclosing(stmt, frozenset({"for_statement"})) == loop


def _receives_on_way_out(exit_stmt: Node, receives: list[Node], after: int) -> bool:
    """A receive runs before `exit_stmt` on every path to it: the exit is in the body of a select
    case that receives, or a plain receive comes before it."""
    case = enclosing(exit_stmt, frozenset({"communication_case"}))
    channel = received_channel(case) if case is not None else None
    if channel is not None and any(contains(channel, r) or r.id == channel.id for r in receives):
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
                taken += sum(1 for r in receives if contains(sib, r) and _plain_in(r, sib))
                sib = sib.prev_named_sibling
        elif parent.type == "for_statement":
            break  # an earlier receive in the loop body ran in this iteration, not necessarily before
        cur = parent
    return taken


def _plain_in(receive: Node, stmt: Node) -> bool:
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
