"""CG201 background-in-scope (opt-in): context.Background()/TODO() where a caller context is available."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc.ctxfacts import CANCELABLE, CARRIERS, ROOTS, AvailableContext, available_context
from ctxguard.gosrc.detach import deliberate_detach
from ctxguard.gosrc.done import done_before
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.nochange import IgnoredArgument, changes_nothing
from ctxguard.gosrc.origin import origin_of, with_value
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    FUNC_TYPES,
    call_args,
    call_of_callee,
    call_taking,
    compares_with_nil,
    enclosing_function,
    expression_list,
    text,
    unparen,
)
from ctxguard.gosrc.testcode import TEST_CONTEXT_SINCE, go_at_least, in_test_code, is_test_context, test_entry
from ctxguard.rules import background_calls
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A call to `context.Background()` or `context.TODO()` inside a function that
already has a context to hand: a `context.Context` parameter (a gRPC unary
handler's `ctx` among them), an `*http.Request` (`r.Context()`), a gRPC
server stream (`stream.Context()`), or a local variable derived from one of
these. Closures see the contexts of the functions around them; shadowing is
respected. The message names what to use instead: the innermost context in
scope, or the one it was derived from when that is a narrower
`WithTimeout`/`WithCancel` scope under another name.

This rule is **opt-in**: propagation hygiene. Each finding is accurate, but on
mature code few are leaks a maintainer would fix: an independent triage of its
findings on moby, etcd and prometheus judged 1 of 16 worth fixing (the rest:
startup paths whose context is never cancelled, calls that return at once,
detaches the authors meant). Turn it on with `--select CG201` (or
`--extend-select background-in-scope`, or `--select ALL`) in code where every
request's deadline must reach every call, as the source article's rule has it.
A fresh context that reaches a call without a context twin is CG202's, on by
default.

Test code is left to the opt-in rule CG205 (test-context): anything in a
`_test.go` file, and any function or closure with a `*testing.T`,
`*testing.B`, `*testing.F` or `testing.TB` parameter in scope (test support
packages). A fresh context there is harmless: the test binary's deadline
bounds it.

Not reported:
- package-level code, `init` functions, and `main.main` (and the closures
  that only see `main`'s own variables): there is no caller there;
- a context parameter named `_` or left unnamed: the function declared it
  does not use it;
- functions with no context in scope;
- where the only context in scope is itself a detached one
  (`context.WithoutCancel(...)`) or a local one built from `Background()`
  (`ctx := context.Background()`, `var ctx context.Context` assigned only
  roots, a `WithTimeout` of one): the check looks past it, at what was in
  scope where that variable was declared;
- a fresh context that only reaches calls for which the caller's would change
  nothing, directly (`log.G(context.TODO())`) or through a variable whose every
  read is such a call:
  - a logger or tracing lookup: `log.G`/`log.GetLogger` (containerd),
    `log.L.WithContext` and `logrus.WithContext`, `zerolog.Ctx`,
    `logr.FromContext`, `klog.FromContext`, controller-runtime's
    `log.FromContext`, slog's `InfoContext`/`DebugContext`/`WarnContext`/`ErrorContext`
    (functions, and methods of that name on any logger), `Log`/`LogAttrs` on a
    `*slog.Logger` or with a slog level, `trace.SpanFromContext` and
    `SpanContextFromContext` (OpenTelemetry), `baggage.FromContext`,
    opentracing's `SpanFromContext`, OpenCensus' `trace.FromContext`, and OpenCensus
    metrics (`stats.Record`, `RecordWithTags`, `RecordWithOptions`, `tag.New`);
  - a function or method of the same package whose context parameter is named
    `_` or unnamed (a named one the body does not read at all today may be read
    tomorrow), or, in any package of the module (from its facts), one whose
    context parameter only reaches the lookups above or another such function
    (`func (c *Controller) Networks(ctx context.Context)` that only logs with
    it);
  - `context.WithoutCancel`: `WithoutCancel(context.TODO())` is never cancelled, and
    neither would `WithoutCancel(ctx)` be;
- a nil guard: `if ctx == nil { ctx = context.Background() }`;
- the body of a `t.Cleanup(func() { ... })` callback.

Nor deliberate detaches, where a fresh context is the right one:
- inside a `defer` statement: the deferred call, a deferred closure's body and
  anything it starts (a goroutine included). Deferred code is cleanup that
  runs as the function returns, often because the caller gave up, and must
  finish;
- a fresh context that only reaches cleanup calls: functions and methods named
  `Abort`, `Clean`, `Cleanup`, `Close`, `Destroy`, `Detach`, `Disconnect`,
  `Done`, `Kill`, `Release`, `Rollback`, `Shutdown`, `Stop`, `TearDown`,
  `Teardown`, `Terminate`, `Unlock`, `Unmount` or `Unregister`, or starting
  with one followed by an upper-case letter, a digit or `_` (`ReleaseLease`,
  `CloseSend`, and lower-case functions too: `cleanupMounts`); and `Cancel`,
  `Delete`, `Remove` or `Revoke` (same matching) when the call is on an error
  path (in the body of `if err != nil {`: a variable whose name starts with
  `err` or ends with `err` or `error`, any case, compared `!= nil`, alone or
  `&&` something else) or in a function or method
  whose own name matches the first list (`func (d *Daemon) Cleanup`):
  elsewhere those are as often the work itself, a DELETE handler's
  `store.Delete`. `Wait` is not a cleanup verb: a wait under a fresh context
  is where a leak blocks. The context may reach them directly
  (`lease.Release(context.Background())`), through a derivation
  (`WithTimeout`, `WithValue`) or through a variable, when every read of it
  is such a call, a call above for which the caller's context would change
  nothing, or in deferred or after-done code: `sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)`
  read only by `srv.Shutdown(sctx)`;
- code that runs once the caller's context is done: in `case <-ctx.Done():`,
  after a `<-ctx.Done()` statement of an enclosing block (any `x.Done()`
  channel, `r.Context().Done()` included), in the body of an `if` (or a case
  of a tagless `switch`) whose condition holds only then: `ctx.Err() != nil`,
  `err != nil` after `err := ctx.Err()`, `context.Cause(ctx) != nil`,
  `errors.Is(err, context.Canceled)` or `context.DeadlineExceeded`, `err ==
  context.Canceled`; one of these `&&` anything, or only these joined by `||`;
- a new `WithCancel`/`WithTimeout`/`WithDeadline` (or `Cause`) scope whose
  cancel function a struct keeps: assigned to a field (`s.ctx, s.cancel =
  context.WithCancel(context.Background())`, `s.stops[id] = cancel`), put in
  a composite literal (`&job{cancel: cancel}`) or appended to a field. An
  object owns that lifetime and ends it in its own Close or Stop;
- `sem.Acquire(context.Background(), n)` on a `golang.org/x/sync/semaphore`
  `Weighted` whose error is discarded (`_ = sem.Acquire(...)` or a bare
  statement): the code counts on Acquire never failing. Given `ctx`, a
  cancelled Acquire returns without the permit and the `Release` that follows
  panics: handling the error is a larger change than this rule suggests;
- a comment that gives the reason: in the function's body, on the call's line
  or on the two lines above it or above its statement, a comment with a verb
  form of cancel (`cancelled`, `canceled`, `cancelling`, `cancels`,
  `cancellable`, with `un`/`non-` too; not the bare `cancel`, which mostly
  names the cancel function, nor the noun `cancellation`, which as often
  describes what the fresh context cuts), `detach...`, `outliv...`,
  `outlast...`, `surviv...`, `independent(ly) of`/`from`, or `Done()`
  (any case but `Done()`). Unless one of those comments is a
  to-do (`TODO`, `FIXME`, `XXX` first): a to-do says the choice is not
  settled. Directives (`//nolint`, `//ctxguard:ignore`, `//go:...`,
  analysistest's `// want`) and the function's doc comment give no reason.

## Across functions and packages
The rule also reports a call, where a caller's context is in scope (a
`context.Context` or `*http.Request` parameter), of a function of the module
that takes no context and makes its own: it calls `context.Background()` or
`TODO()` (not as a deliberate detach, as above), or relays to such a function
without a context of its own, at most two calls deep (contextcheck's "Function
`f6->f3` should pass the context parameter"). The message names the function,
the chain and where the fresh context is made:
`store.FetchAll makes its own context (context.Background() at store.go:41):
give it a context parameter and pass ctx`. One finding per calling function and
callee; deferred, cleanup and after-done calls are left out as above.

A function literal returned to the caller (`return func() { ... }`, nested
ones too) that makes its own context while one is in scope is reported where it
is made: the function handed back is what should carry the context.

What crosses function and package boundaries is learnt from the module's own
source (see `ctxguard rules` and the README's "Across packages"): packages of
the module being linted (found from `go.mod`), analysed after the packages they
import. Calls the source does not pin to one function are not followed:
interface methods, function values (in variables, maps or struct fields),
reflection, and packages outside the run (the standard library and other
modules, beyond the tables above).

## Why it leaks
A fresh root context has no deadline and is never cancelled. Work started
under it outlives the caller who gave up: a handler whose client hung up
keeps its database query, RPC and goroutines running until the downstream
answers, and under load those pile up. It also drops the request's values
(trace IDs, auth) on the way down.

When the work must deliberately outlive the caller (a goroutine that
finishes after the response, a background refresh), the explicit detach is
`context.WithoutCancel(ctx)` (Go 1.21): it keeps the values and drops only
the cancellation. In those places (inside a `go` statement, a callback, as
the parent of a new `WithTimeout`/`WithCancel` scope, or after a `<-ctx.Done()`
that does not guard the call, such as another case of a `select`), the
message suggests it as well.

## Bad
```go
func (s *server) reserve(w http.ResponseWriter, r *http.Request) {
	reply, err := s.inventory.Reserve(context.Background(), req)
	...
}
```

## Good
```go
func (s *server) reserve(w http.ResponseWriter, r *http.Request) {
	reply, err := s.inventory.Reserve(r.Context(), req)
	...
}

func (s *server) notify(ctx context.Context, ev Event) {
	go s.mailer.Send(context.WithoutCancel(ctx), ev) // outlives the request on purpose
}

// not reported: deferred cleanup, and a graceful stop once ctx is done
func (s *server) run(ctx context.Context, l *Lease) error {
	defer l.Release(context.Background())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.http.Shutdown(sctx)
}
```
"""

_ROOT_CALL = re.compile(rb"\b(?:Background|TODO)\s*\(\s*\)")
# protoc-gen-go-grpc's server stream interfaces (Svc_MethodServer) and grpc's generic ones
_GRPC_STREAM = re.compile(
    r"(?:^|\.)[A-Za-z0-9]+_[A-Za-z0-9]+Server$"
    r"|^google\.golang\.org/grpc\.(?:ServerStream|(?:ServerStreaming|ClientStreaming|BidiStreaming)Server\[.*\])$"
)
# a function can only see a caller context if its text has one of these: a context.Context,
# r.Context() or With* derivation, an *http.Request, a testing type, a gRPC stream
_CARRIER_MARKERS = (b"Context", b"Request", b"testing.", b"Server", b"With")
# how many "built from Background" variables to look past before giving up
_MAX_HOPS = 8


@dataclass(frozen=True)
class RootInScope:
    """A `Background()`/`TODO()` call where a caller's context could be used instead."""

    call: Node
    root: str  # as written: "context.Background()", "stdctx.TODO()"
    found: AvailableContext  # what to use instead
    detaching: bool  # a place where the work may have to outlive the caller on purpose
    in_test: bool  # test code (see in_test_code): CG205 test-context reports it, CG201 does not

    def advice(self, file: GoFile) -> str:
        expr = self.found.expr
        if self.detaching:
            return f"use {expr}, or {_qualifier(file)}WithoutCancel({expr}) if this must outlive the caller"
        return f"use {expr}"


def roots_in_scope(file: GoFile, tests: bool, ignored: IgnoredArgument | None = None) -> list[RootInScope]:
    """The findings of CG201 (`tests` False: code outside tests) or of CG205 (`tests` True),
    each computed once per file; a call is judged only for the rule that could report it,
    so a run without CG205 spends nothing on the thousands of roots in test code. `ignored`
    says which arguments other functions only hand to calls a context changes nothing for."""
    return file.memo(f"cg201.roots.{tests}.{ignored is None}", lambda: _roots_in_scope(file, tests, ignored))


def _roots_in_scope(file: GoFile, tests: bool, ignored: IgnoredArgument | None) -> list[RootInScope]:
    out: list[RootInScope] = []
    for call in _root_calls(file):
        if in_test_code(file, call) != tests:
            continue
        found = _caller_context(file, call)
        if found is None or _exempt(file, call, found) or changes_nothing(file, call, ignored):
            continue
        if deliberate_detach(file, call, enclosing_function(found.decl.ident)) is not None:
            continue
        root = f"{text(call.child_by_field_name('function'))}()"
        out.append(RootInScope(call, root, found, _detaching(file, call, found.decl), tests))
    return out


def check(p: Pass) -> None:
    for r in roots_in_scope(p.file, tests=False, ignored=background_calls.ignored_by(p)):
        closure = _returned_closure(r.call)
        if closure is None:
            p.report(r.call, f"{r.root} cuts the caller's deadline and cancellation: {r.advice(p.file)}")
            continue
        # the function handed back is what should carry the context: reported where it is made
        line = r.call.start_point[0] + 1
        message = f"the returned function makes its own context ({r.root} on line {line}): {r.advice(p.file)}"
        p.report(closure, message, end=closure.child_by_field_name("parameters"))
    background_calls.check(p)


def _returned_closure(call: Node) -> Node | None:
    """The outermost function literal around `call` that is returned to the caller (`return
    func() { ... }`, nested ones included), when every literal in between is returned too."""
    found: Node | None = None
    cur = call.parent
    while cur is not None and cur.type not in ("function_declaration", "method_declaration"):
        if cur.type == "func_literal":
            holder = cur.parent
            while holder is not None and holder.type in ("expression_list", "parenthesized_expression"):
                holder = holder.parent
            if holder is None or holder.type != "return_statement":
                break
            found = cur
        cur = cur.parent
    return found


def passable_context(file: GoFile, node: Node) -> AvailableContext | None:
    """The innermost context in scope at `node` that is worth passing on: a variable holding a
    plain `Background()`/`TODO()` (or values added to one with `WithValue`) is never done, so it is
    looked past, at what was in scope where it was declared. None when nothing else is."""
    at = node
    for _ in range(_MAX_HOPS):
        found = available_context(file, at)
        if found is None or found.decl.kind != "var" or origin_of(file, found.decl, _MAX_HOPS, with_value) != "root":
            return found
        at = found.decl.ident
    return None


def _root_calls(file: GoFile) -> list[Node]:
    """`context.Background()`/`TODO()` calls, found from the bytes instead of a tree query:
    most files that import context hold only a few. Calls in functions whose text cannot
    hold a caller context are dropped before any scope table is built for them."""
    out: list[Node] = []
    carries: dict[int, bool] = {}
    for m in _ROOT_CALL.finditer(file.source):
        name = file.root.descendant_for_byte_range(m.start(), m.start() + 1)
        call = call_of_callee(name) if name is not None else None
        if call is None:
            continue  # a comment, a string, or not a call
        root = file.root_function(call)
        if root is None:
            continue  # package-level code
        if root.id not in carries:
            body = file.source[root.start_byte : root.end_byte]
            carries[root.id] = any(marker in body for marker in _CARRIER_MARKERS)
        if carries[root.id] and file.pkg_call(call, "context") in ROOTS:
            out.append(call)
    return out


def _caller_context(file: GoFile, call: Node) -> AvailableContext | None:
    """The context from the caller that `call` could use: the innermost one in scope, looking
    past variables that this very call initialises or that were built from a root context."""
    at = call
    for _ in range(_MAX_HOPS):
        found = available_context(file, at) or _grpc_stream(file, at)
        if found is None:
            return None
        decl = found.decl
        if decl.kind != "var":
            return None if _owned_by_entry_point(file, decl) else found
        origin = "fed" if _assigns_to(file, call, decl) else origin_of(file, decl, _MAX_HOPS)
        if origin == "detached":
            return None  # someone already chose WithoutCancel here
        if origin == "caller":
            found = _scope_parent(file, call, found)
            return None if _owned_by_entry_point(file, found.decl) else found
        at = decl.ident  # what was in scope where the variable was declared
    return None


def _scope_parent(file: GoFile, call: Node, found: AvailableContext) -> AvailableContext:
    """For `waitCtx, cancel := context.WithTimeout(ctx, d)`, suggest `ctx` when it is still
    in scope: waitCtx's deadline was chosen for other work; ctx is what the caller gave."""
    scope = file.scope_for(call)
    for _ in range(_MAX_HOPS):
        value = found.decl.value
        if scope is None or value is None or found.decl.value_index != 0:
            break
        value = unparen(value)
        args = call_args(value) if value.type == "call_expression" else []
        if file.pkg_call(value, "context") not in CANCELABLE or not args or unparen(args[0]).type != "identifier":
            break
        parent = file.decl_of(unparen(args[0]))
        if parent is None or not scope.visible(parent, call.start_byte):
            break
        expr = parent.name
        if parent.type_node is not None:
            pattern = CARRIERS.get(file.type_text(parent.type_node))
            expr = pattern.format(parent.name) if pattern else expr
        found = AvailableContext(expr, parent)
    return found


def _grpc_stream(file: GoFile, node: Node) -> AvailableContext | None:
    """A gRPC streaming handler's stream parameter: `stream.Context()` is the RPC's context."""
    scope = file.scope_for(node)
    if scope is None:
        return None
    best: Decl | None = None
    for d in scope.decls:
        if d.kind != "param" or d.type_node is None or not scope.visible(d, node.start_byte):
            continue
        if _GRPC_STREAM.search(file.type_text(d.type_node)) and (best is None or d.scope_start > best.scope_start):
            best = d
    return None if best is None else AvailableContext(f"{best.name}.Context()", best)


def _assigns_to(file: GoFile, call: Node, decl: Decl) -> bool:
    """`call` is (part of) the value assigned to `decl`: `ctx = context.Background()`."""
    cur: Node | None = call.parent
    while cur is not None and cur.type not in FUNC_TYPES:
        if cur.type in ("assignment_statement", "short_var_declaration"):
            right = cur.child_by_field_name("right")
            if right is None or not (right.start_byte <= call.start_byte < right.end_byte):
                return False
            return any(file.decl_of(t) is decl for t in expression_list(cur.child_by_field_name("left")))
        if cur.type in ("block", "statement_list"):
            return False
        cur = cur.parent
    return False


def _owned_by_entry_point(file: GoFile, decl: Decl) -> bool:
    """A variable of `main.main` or of an `init` function: no caller gave it."""
    owner = enclosing_function(decl.ident)
    if owner is None or owner.type != "function_declaration":
        return False
    name = text(owner.child_by_field_name("name"))
    return name == "init" or (name == "main" and file.package_name == "main")


def _exempt(file: GoFile, call: Node, found: AvailableContext) -> bool:
    decl = found.decl
    owner = enclosing_function(decl.ident)
    cur: Node | None = call.parent
    while cur is not None and (owner is None or cur.id != owner.id):
        if cur.type == "if_statement" and _nil_guard(cur, call, decl.name):
            return True
        if cur.type == "func_literal" and _cleanup_callback(cur):
            return True
        cur = cur.parent
    if not is_test_context(file, decl):
        return False
    return owner is None or not test_entry(owner) or not go_at_least(file, TEST_CONTEXT_SINCE)


def _nil_guard(stmt: Node, call: Node, name: str) -> bool:
    """`if ctx == nil { ...Background() }` or `if r != nil { ... } else { ...Background() }`."""
    cond = stmt.child_by_field_name("condition")
    if cond is None or cond.start_byte <= call.start_byte < cond.end_byte:
        return False
    return compares_with_nil(name, text(cond))


def _cleanup_callback(lit: Node) -> bool:
    call = call_taking(lit)
    if call is None:
        return False
    fn = unparen(call.child_by_field_name("function"))  # type: ignore[arg-type]
    return fn.type == "selector_expression" and text(fn.child_by_field_name("field")) == "Cleanup"


def _detaching(file: GoFile, call: Node, decl: Decl) -> bool:
    """Places where a fresh context usually means "outlive the caller on purpose"."""
    if is_test_context(file, decl):
        return False  # nothing outlives a test: t.Context() lasts until its cleanups
    owner = enclosing_function(decl.ident)
    cur: Node | None = call.parent
    while cur is not None and (owner is None or cur.id != owner.id):
        if cur.type == "go_statement":
            return True
        if cur.type == "func_literal":
            parent = cur.parent
            if parent is None or parent.type != "call_expression" or parent.child_by_field_name("function") != cur:
                return True  # a callback: it may run after the caller is gone
        cur = cur.parent
    parent = call.parent
    if parent is not None and parent.type == "argument_list":
        outer = parent.parent
        if outer is not None and file.pkg_call(outer, "context") in CANCELABLE and call_args(outer)[0] == call:
            return True  # context.WithTimeout(context.Background(), d): a new lifetime
    return done_before(file, call, decl)


def _qualifier(file: GoFile) -> str:
    """How this file spells the context package: "context.", "stdctx." or "" (dot import)."""
    names = sorted(n for n in file.names_for("context") if n not in ("_", "."))
    if names:
        return f"{'context' if 'context' in names else names[0]}."
    return ""


RULE = Rule(
    code="CG201",
    name="background-in-scope",
    severity=Severity.WARNING,
    summary="context.Background()/TODO() where a caller context is available (outside test code)",
    doc=DOC,
    check=check,
    # a handler holds a context through its *http.Request without importing context
    needs_imports=frozenset({"context", "net/http"}),
    export_facts=background_calls.export_facts,
    # propagation hygiene: on moby, etcd and prometheus an independent triage judged 1 of 16
    # findings worth fixing (startup paths whose context is never cancelled, calls that return at
    # once): accurate, rarely a leak in mature code
    default=False,
)
