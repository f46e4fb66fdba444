"""CG105 orphaned-send: a goroutine sends on a channel its receiver may stop reading."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc import index
from ctxguard.gosrc.detach import in_cleanup_function, returns_to_exit
from ctxguard.gosrc.goroutines import (
    Goroutine,
    fails_test,
    go_statements,
    goroutine,
    in_nested_func,
    trips,
)
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.scope import Decl, ScopeTable
from ctxguard.gosrc.syntax import (
    call_name,
    contains,
    enclosing,
    enclosing_function,
    is_receive,
    line_of,
    repetitions,
    statements,
    unparen,
)
from ctxguard.rules.base import Pass, Rule
from ctxguard.rules.field_channels import FieldChannel, field_channels
from ctxguard.rules.goroutine_sends import (
    Sender,
    buffer_of,
    count_sends,
    exclusive,
    export_facts,
    guarded,
    makes_room,
    send_of,
    sends_elsewhere,
)
from ctxguard.rules.receiver_gives_up import gives_up
from ctxguard.rules.returned_channels import generator_sends, read_to_the_end, returned
from ctxguard.rules.send_protocols import answers_requests, fails_once, senders_other_channel

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
or without bound). A deferred `recover()` that sends only when it caught a
panic sends instead of the rest; a send behind a once-flag (`if !got { got =
true; ch <- v }`, or `if got { continue }; got = true; ch <- v`, the flag never
set back) happens once; goroutines started in different branches of
an `if`/`else` or different cases of a `switch` (none falling through) or
`select` do not add up. With a buffer, only the sends that can overflow it are
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
the sender itself closes when it is done, or sends on as its last act (after
`wg.Wait()` for the goroutines it started, each leaving through `defer
wg.Done()`: `wg.Wait(); done <- true`); and a goroutine that sends once, on
one channel or another (`errCh <- err` or else `metaCh <- meta`), to a
`select` that takes either (its other cases, if any, failing the test: a test
harness's `case <-time.After(d): require.Fail(h, ...)`); and a receiver that
defers a drain of the channel to its end (`defer func() { go func() { for
range ch {} }() }()`), whichever way it leaves. Nor these protocols:
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
- a receiver that is a program's `main`, or a function of package main that
  only `main` calls, once and outside a loop (`if err := run(); err != nil`):
  when it gives up the process ends, and the goroutine with it;
- a loop that keeps one sender in flight on a channel with room for one: it
  goes round again only after taking the send (or the goroutine's other
  outcome: a retry loop that continues on `case err := <-errs:` while the
  response goes to `responses`), so leaving the loop (a
  `return`, or a `select` case that gives up) leaves at most one send, which
  the buffer takes (`for { go func() { res <- probe() }(); select { case
  <-deadline: return; case ok := <-res: ... } }`);
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


@dataclass(frozen=True)
class Orphan:
    """A send CG105 reports: where, and why it can block for ever."""

    node: Node
    file: GoFile
    message: str
    reason: str  # the receiver's side: "the receiver at line N can stop receiving (...)"
    # a generator's send: the caller may stop reading the channel it was handed. Only CG104
    # (opt-in) reports it, with this reason: two independent triages of CG105's default
    # findings judged 0 of 7 such findings worth fixing (library streams whose callers in the
    # repository drain them, CLI watch commands)
    generator: bool = False


def check(p: Pass) -> None:
    # a send that CG104 reports (a goroutine loop that never watches its context) is reported
    # once, by CG104, with this rule's reason in its message; when CG104 does not run, here
    from ctxguard.rules import goroutine_ignores_cancel as cg104

    cg104_runs = cg104.RULE.code in p.running and cg104.RULE.applies_to(p.file)
    ignored = cg104.reported_sends(p.file) if cg104_runs else frozenset()
    for o in orphans(p.file, p.facts).values():
        if not o.generator and (o.file.path, o.node.start_byte) not in ignored:
            p.report(o.node, o.message, file=o.file)


def orphans(file: GoFile, facts: Mapping[str, object] | None = None) -> dict[tuple[str, int], Orphan]:
    """Every send this rule finds for channels made in `file`, by (path, start byte) of the send;
    with `facts`, also sends of goroutines running functions of other packages."""

    def compute() -> dict[tuple[str, int], Orphan]:
        found: dict[tuple[str, int], Orphan] = {}
        for make in index.nodes(file, "makechan"):
            for o in _check_channel(file, make, facts or {}):
                found.setdefault((o.file.path, o.node.start_byte), o)
        for fc in field_channels(file):
            for o in _check_field(file, fc):
                found.setdefault((o.file.path, o.node.start_byte), o)
        return found

    return file.memo(f"cg105.orphans.{bool(facts)}", compute)


def _channel_decl(file: GoFile, make: Node) -> Decl | None:
    parent = make.parent
    if parent is None or parent.type != "expression_list":
        return None
    stmt = parent.parent
    if stmt is None or stmt.type not in ("short_var_declaration", "var_spec", "assignment_statement"):
        return None
    left = stmt.child_by_field_name("left")
    names = stmt.children_by_field_name("name") if stmt.type == "var_spec" else (left.named_children if left else [])
    values = parent.named_children
    if len(names) != len(values):
        return None
    return file.decl_of(names[[v.id for v in values].index(make.id)])


def _check_channel(file: GoFile, make: Node, facts: Mapping[str, object]) -> list[Orphan]:
    buffer = buffer_of(make)
    func = enclosing_function(make)
    if buffer is None or func is None:
        return []
    decl = _channel_decl(file, make)
    scope = file.scope_for(make)
    if decl is None or scope is None:
        return []
    # Each goroutine that sends, with its sends and how many it can make along one path.
    senders: list[Sender] = []
    sender_bodies: list[Node] = []
    passed_to_sender: set[int] = set()
    count_trips = trips(file)
    for stmt in go_statements(file):
        if not (func.start_byte <= stmt.start_byte < func.end_byte) or in_nested_func(stmt, func):
            continue
        g = goroutine(file, stmt)
        if g is None:
            elsewhere = sends_elsewhere(file, stmt, decl, buffer, facts)
            if elsewhere is not None:
                passed_to_sender.add(elsewhere.arg.id)
                starts = repetitions(stmt, func, outside=make, trips=count_trips)
                if elsewhere.sends:
                    times = starts * elsewhere.per_run
                    senders.append(Sender(stmt, None, elsewhere.sends, starts, times, elsewhere.channels))
            continue
        found = _sends_in(g, decl, scope, passed_to_sender)
        if not found:
            continue
        sender_bodies.append(g.func)
        gfile = g.file
        found = [s for s in found if not guarded(gfile, s) and not (buffer and makes_room(s))]
        if found:
            sends, per_run = count_sends(g, found)
            if answers_requests(g, found):
                # one reply per request, each taken before the next can be made: never more
                # than one outstanding, and the goroutine ends when the requests are closed
                sends, per_run = [replace(x, repeats=False, prefix=1) for x in sends], 1
            starts = repetitions(stmt, func, outside=make, trips=count_trips)
            if fails_once(file, func, stmt, g, found):
                # one goroutine in flight, and none after one that failed: one send in all
                sends, per_run, starts = [replace(x, repeats=False, prefix=1) for x in sends], 1, 1
            senders.append(Sender(stmt, g, sends, starts, starts * per_run))
    if not senders:
        return []
    # The receiving side: every other reference to the channel in `func`.
    receives: list[Node] = []
    handed_back = False
    for ref in scope.refs(decl):
        if not (func.start_byte <= ref.start_byte < func.end_byte):
            continue
        if any(b.start_byte <= ref.start_byte < b.end_byte for b in sender_bodies) or ref.id in passed_to_sender:
            continue
        use = _use_of(ref)
        if use == "escapes" and returned(ref, func):
            handed_back = True
        elif use == "escapes":
            return []  # stored or passed on: the receiver is somewhere else
        elif use == "receive":
            receives.append(ref)
    if handed_back:
        if receives or read_to_the_end(file, func):
            return []
        return [Orphan(s.node, s.file, m, r, generator=True) for s, m, r in generator_sends(decl, senders, buffer)]
    closed_at = _closed_on_return(file, func, decl, sender_bodies)
    return _judge(file, func, make, decl.name, receives, senders, buffer, closed_at)


def _check_field(file: GoFile, fc: FieldChannel) -> list[Orphan]:
    """A channel a struct field holds, sent on by a goroutine its spawner alone receives from."""
    uses = [_use_of(u) for u in fc.uses]
    if "escapes" in uses:
        return []  # handed on, or made again here: the receiver is not only this function
    receives = [u for u, use in zip(fc.uses, uses, strict=True) if use == "receive"]
    g = fc.goroutine
    found = [s for s in fc.sends if not guarded(g.file, s) and not (fc.buffer and makes_room(s))]
    if not found or not receives:
        return []
    sends, per_run = count_sends(g, found)
    starts = repetitions(fc.stmt, fc.func, trips=trips(file))
    sender = Sender(fc.stmt, g, sends, starts, starts * per_run)
    # the field outlives every loop of the function: `func` stands where a local make would be
    return _judge(file, fc.func, fc.func, fc.name, receives, [sender], fc.buffer)


def _judge(
    file: GoFile,
    func: Node,
    make: Node,
    name: str,
    receives: list[Node],
    senders: list[Sender],
    buffer: float,
    closed_at: int | None = None,
) -> list[Orphan]:
    """The sends that can be left blocked on channel `name` (made at `make`, or for a channel a
    struct field holds, `func` itself: it outlives every loop of the function) when the
    receiver, `receives` in `func`, can stop before taking them all."""
    total = _pending(senders, receives)
    if not receives or total <= buffer or (total <= buffer + 1 and _takes_every_outcome(file, receives, senders)):
        return []
    if in_cleanup_function(func.child_by_field_name("body") or func):
        return []  # Stop, Close, Shutdown giving up: a goroutine left once, at teardown
    if returns_to_exit(file, func):
        return []  # main (or what only main runs) giving up: the process ends with the goroutine
    why = gives_up(file, func, make, receives, senders, total, buffer)
    if why is None:
        return []
    at, how, taken = why
    reason = f"the receiver at line {at} can stop receiving ({how})"
    # One goroutine alone: only the sends that can overflow the buffer and the receives taken
    # block: a send in a loop (the cause, even when a one-shot send after it then blocks too),
    # or one that comes after others on the same path. Several goroutines: any of their sends
    # may be the one left over.
    alone = len(senders) == 1 and senders[0].starts <= 1
    room = buffer + taken
    out: list[Orphan] = []
    for sender in senders:
        for s in sender.sends:
            if alone and not s.repeats and s.prefix <= room:
                continue
            why_send = ""
            if alone and room > 0 and not how.startswith("receives "):
                into = f"a channel with room for {buffer:g}" if buffer else "an unbuffered channel"
                if taken:
                    into += f" after {taken:g} receive{'s' if taken > 1 else ''}"
                if s.repeats:
                    more = "a second time" if room == 1 else f"more than {room:g} times"
                    why_send = f"it sends in a loop and may send {more} into {into}, and "
                else:
                    why_send = f"this can be its {_nth(s.prefix)} send along one path, into {into}, and "
            message = f"goroutine may block forever sending on {name}: {why_send}{reason}"
            if closed_at is not None:
                # the receiver closes the channel on its way out: the late send panics instead
                message = (
                    f"goroutine may send on {name} after it is closed (a panic: send on closed channel): "
                    f"{why_send}{reason}, and closes {name} as it returns (line {closed_at})"
                )
            if s.elsewhere:
                message += f" (the send is in {s.elsewhere})"
            out.append(Orphan(s.node, s.file, message, reason))
    if len(out) < 2:
        return out
    # several goroutines, or one with several sends (`ch <- err; return` on each way out): any
    # of the sends may be the one left over, but the problem (and the fix: room for every send,
    # or a way out for each) is one: one finding, at a send that can repeat if one can
    first = next((o for o in out for s in senders for x in s.sends if x.node == o.node and x.repeats), out[0])
    others = len(out) - 1
    note = f" ({others} more send{'s' if others > 1 else ''} on {name} can block the same way)"
    return [Orphan(first.node, first.file, first.message + note, first.reason)]


def _closed_on_return(file: GoFile, func: Node, decl: Decl, sender_bodies: list[Node]) -> int | None:
    """The line of `defer close(ch)` in the receiving function (not in a goroutine's body)."""
    scope = file.scope_for(func)
    for ref in scope.refs(decl) if scope is not None else []:
        args = ref.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        if call is None or call_name(call) != (None, "close") or any(contains(b, ref) for b in sender_bodies):
            continue
        if call.parent is not None and call.parent.type == "defer_statement" and contains(func, call):
            return line_of(call)
    return None


def _nth(n: float) -> str:
    k = int(n)
    return {2: "second", 3: "third", 4: "fourth"}.get(k, f"{k}th")


def _pending(senders: list[Sender], receives: list[Node]) -> float:
    """The most sends that can be outstanding at once.

    Goroutines started one after another, with a receive of the channel in between,
    are phases of one exchange (a buffered channel re-used step by step): only the
    largest phase needs room.
    """
    phases: list[float] = []
    last: Node | None = None
    for sender in sorted(senders, key=lambda s: s.stmt.start_byte):
        stmt, times = sender.stmt, sender.times
        if last is None or any(last.end_byte <= r.start_byte < stmt.start_byte for r in receives):
            phases.append(times)
        elif exclusive(last, stmt):
            phases[-1] = max(phases[-1], times)  # `if a { go ... } else { go ... }`: one runs
        else:
            phases[-1] += times
        last = stmt
    return max(phases)


def _takes_every_outcome(file: GoFile, receives: list[Node], senders: list[Sender]) -> bool:
    """Every receive is a select whose other cases take the senders' other channels: the
    goroutine sends once, `errCh <- err` or else `metaCh <- meta`, and the select takes either.
    A case that fails the test (`case <-time.After(d): require.Fail(t, ...)`) strands the
    sender only once the test has failed."""
    for ref in receives:
        case = enclosing(ref, frozenset({"communication_case"}))
        if case is None or case.parent is None:
            return False
        for other in case.parent.named_children:
            if other.type == "default_case":
                return False
            another = other.type == "communication_case" and other.id != case.id
            if another and not senders_other_channel(other, senders) and not _fails_test(file, other):
                return False
    return True


def _fails_test(file: GoFile, case: Node) -> bool:
    return any(fails_test(file, st) for st in statements(case))


def _sends_in(g: Goroutine, decl: Decl, scope: ScopeTable, passed: set[int]) -> list[Node]:
    """Sends on the channel `decl` performed by goroutine `g`."""
    if g.func.type == "func_literal" and g.file is not None:
        body_refs = [r for r in scope.refs(decl) if g.func.start_byte <= r.start_byte < g.func.end_byte]
        return [s for r in body_refs if (s := send_of(r)) is not None]
    # go f(ch): the parameter in the same position receives the channel
    for i, arg in enumerate(g.args):
        arg = unparen(arg)
        if arg.type == "identifier" and g.stmt_file.decl_of(arg) is decl:
            passed.add(arg.id)
            params = g.file.func_info(g.func).params
            if i >= len(params) or not params[i].name:
                continue
            fscope = g.file.scope_for(g.func)
            pdecl = next((d for d in fscope.decls if d.ident.id == params[i].node.id), None) if fscope else None  # type: ignore[union-attr]
            if pdecl is None or fscope is None:
                continue
            return [s for r in fscope.refs(pdecl) if (s := send_of(r)) is not None and not in_nested_func(s, g.func)]
    return []


def _use_of(ref: Node) -> str:
    """How the enclosing function uses the channel: receive, close/len/cap, or escapes."""
    parent = ref.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None:
        return "other"
    if is_receive(parent):
        return "receive"
    if parent.type == "range_clause" and parent.child_by_field_name("right") == ref:
        return "receive"
    if parent.type == "argument_list":
        call = parent.parent
        fn = call_name(call)[1] if call is not None else ""
        return "other" if fn in ("close", "len", "cap") else "escapes"
    if parent.type == "send_statement":
        return "other"
    if parent.type in ("expression_list", "return_statement", "keyed_element", "literal_element", "composite_literal"):
        return "escapes"
    if parent.type in ("binary_expression", "if_statement"):
        return "other"  # ch == nil
    return "escapes"


RULE = Rule(
    code="CG105",
    name="orphaned-send",
    severity=Severity.ERROR,
    summary="goroutine sends on a channel whose receiver can give up",
    doc=DOC,
    check=check,
    needs_text=(b"go ", b"make(chan"),
    export_facts=export_facts,
)
