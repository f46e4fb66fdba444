"""CG201 background-in-scope: context.Background()/TODO() where a caller context is available."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc.ctxfacts import (
    CANCELABLE,
    CARRIERS,
    DERIVATIONS,
    ROOTS,
    AvailableContext,
    available_context,
    is_context_type_text,
    is_write,
)
from ctxguard.gosrc.model import TESTING_TYPES, FuncInfo, GoFile, TopFunc, base_type_name
from ctxguard.gosrc.scope import Decl
from ctxguard.gosrc.syntax import (
    FUNC_TYPES,
    call_args,
    call_name,
    call_of_callee,
    call_taking,
    compares_with_nil,
    enclosing,
    enclosing_function,
    expression_list,
    is_receive,
    statement_of,
    text,
    unparen,
)
from ctxguard.gosrc.types import expr_type, strip_pointer
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
    opentracing's `SpanFromContext`, OpenCensus' `trace.FromContext`;
  - a function or method of the same package whose context parameter is named
    `_` or unnamed (a named one the body does not read today may be read tomorrow);
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
_TEST_FUNC = re.compile(r"(?:Test|Benchmark|Fuzz)(?:$|[^a-z])")
_RUNNERS = frozenset({"Run", "Fuzz", "Test"})
_GO_DIRECTIVE = re.compile(rb"(?m)^go\s+(\d+)\.(\d+)")
# t.Context() and friends appeared in Go 1.24
_TEST_CONTEXT_SINCE = (1, 24)
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


def roots_in_scope(file: GoFile, tests: bool) -> list[RootInScope]:
    """The findings of CG201 (`tests` False: code outside tests) or of CG205 (`tests` True),
    each computed once per file; a call is judged only for the rule that could report it,
    so a run without CG205 spends nothing on the thousands of roots in test code."""
    return file.memo(f"cg201.roots.{tests}", lambda: _roots_in_scope(file, tests))


def _roots_in_scope(file: GoFile, tests: bool) -> list[RootInScope]:
    out: list[RootInScope] = []
    for call in _root_calls(file):
        if in_test_code(file, call) != tests:
            continue
        found = _caller_context(file, call)
        if found is None or _exempt(file, call, found) or _changes_nothing(file, call):
            continue
        if deliberate_detach(file, call, found) is not None:
            continue
        root = f"{text(call.child_by_field_name('function'))}()"
        out.append(RootInScope(call, root, found, _detaching(file, call, found.decl), tests))
    return out


def check(p: Pass) -> None:
    for r in roots_in_scope(p.file, tests=False):
        p.report(r.call, f"{r.root} cuts the caller's deadline and cancellation: {r.advice(p.file)}")


# -- test code ------------------------------------------------------------------------------------


def in_test_code(file: GoFile, node: Node) -> bool:
    """Code that only runs under `go test`: anything in a `_test.go` file (tests, benchmarks,
    examples, helpers, fakes), and elsewhere a function, or a closure in one, with a
    `*testing.T`, `*testing.B`, `*testing.F` or `testing.TB` parameter in scope (test support
    packages: shared conformance suites, fixtures taking a `testing.TB`)."""
    if file.path.endswith("_test.go"):
        return True
    if b"testing" not in file.source:
        return False
    scope = file.scope_for(node)
    if scope is None:
        return False
    pos = node.start_byte
    return any(
        d.kind == "param"
        and d.type_node is not None
        and scope.visible(d, pos)
        and file.type_text(d.type_node) in TESTING_TYPES
        for d in scope.decls
    )


# -- where a fresh context changes nothing ---------------------------------------------------------

# package functions that only look a logger, a span or baggage up in a context: given the caller's
# context they log other fields, but nothing they do ever waits on it
LOOKUPS: dict[str, frozenset[str]] = {
    "github.com/containerd/log": frozenset({"G", "GetLogger"}),
    "github.com/containerd/containerd/log": frozenset({"G", "GetLogger"}),
    "github.com/sirupsen/logrus": frozenset({"WithContext"}),
    "github.com/rs/zerolog": frozenset({"Ctx"}),
    "github.com/rs/zerolog/log": frozenset({"Ctx"}),
    "github.com/go-logr/logr": frozenset({"FromContext", "FromContextOrDiscard", "FromContextAsSlogLogger"}),
    "k8s.io/klog/v2": frozenset({"FromContext"}),
    "sigs.k8s.io/controller-runtime/pkg/log": frozenset({"FromContext"}),
    "sigs.k8s.io/controller-runtime": frozenset({"LoggerFrom"}),
    "log/slog": frozenset({"DebugContext", "InfoContext", "WarnContext", "ErrorContext", "Log", "LogAttrs"}),
    "go.opentelemetry.io/otel/trace": frozenset({"SpanFromContext", "SpanContextFromContext"}),
    "go.opentelemetry.io/otel/baggage": frozenset({"FromContext"}),
    "github.com/opentracing/opentracing-go": frozenset({"SpanFromContext"}),
    "go.opencensus.io/trace": frozenset({"FromContext"}),
}
# logger methods taking the context first, named as slog's are (on any logger)
_LOG_METHODS = frozenset({"DebugContext", "InfoContext", "WarnContext", "ErrorContext"})
# slog.Logger methods with names too common to trust alone: the receiver must be a proven
# *slog.Logger, or the next argument a slog level
_SLOG_METHODS = frozenset({"Log", "LogAttrs", "Enabled"})
_SLOG = "log/slog"
_CONTAINERD_LOG = ("github.com/containerd/log", "github.com/containerd/containerd/log")
_LOGRUS_TYPES = frozenset({"github.com/sirupsen/logrus.Entry", "github.com/sirupsen/logrus.Logger"})


def _changes_nothing(file: GoFile, call: Node) -> bool:
    """The fresh context only reaches calls for which the caller's would change nothing: a logger
    or span lookup, a function of this package that declares it ignores that parameter, or an
    explicit detach (`context.WithoutCancel(context.TODO())`: never cancelled either way);
    directly (`log.G(context.TODO())`) or through a variable whose every read is such a call."""
    node = _outer_parens(call)
    parent = node.parent
    if parent is not None and parent.type == "argument_list":
        return _harmless_argument(file, node)
    decl = _bound_to(file, node)
    scope = file.scope_for(call)
    if decl is None or scope is None:
        return False
    reads = [r for r in scope.refs(decl) if not is_write(r)]
    return bool(reads) and all(_harmless_argument(file, _outer_parens(r)) for r in reads)


def _outer_parens(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _harmless_argument(file: GoFile, arg: Node) -> bool:
    args = arg.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    if call is None or call.type != "call_expression":
        return False
    index = next((i for i, a in enumerate(call_args(call)) if a == arg), -1)
    if index == 0 and file.pkg_call(call, "context") == "WithoutCancel":
        return True
    return index >= 0 and (context_lookup(file, call, index) or ignored_context_argument(file, call, index))


def _bound_to(file: GoFile, value: Node) -> Decl | None:
    """The local variable a declaration binds `value` to alone: `ctx := value`, `var ctx = value`."""
    values = value.parent
    stmt = values.parent if values is not None and values.type == "expression_list" else None
    if stmt is None or len(expression_list(values)) != 1:
        return None
    if stmt.type == "short_var_declaration" and stmt.child_by_field_name("right") == values:
        left = expression_list(stmt.child_by_field_name("left"))
    elif stmt.type == "var_spec":
        left = stmt.children_by_field_name("name")
    else:
        return None
    if len(left) != 1 or left[0].type != "identifier":
        return None
    return file.decl_of(left[0])


def context_lookup(file: GoFile, call: Node, index: int) -> bool:
    """`call` only looks a logger or a span up in its context argument at `index`: `log.G(ctx)`,
    `zerolog.Ctx(ctx)`, `logr.FromContext(ctx)`, `trace.SpanFromContext(ctx)`, `slog.InfoContext(ctx, ...)`,
    `logger.WarnContext(ctx, ...)`, `log.L.WithContext(ctx)`."""
    if index != 0:
        return False
    operand, name = call_name(call)
    for path, names in LOOKUPS.items():
        if name in names and file.pkg_call(call, path) == name:
            return True
    if operand is None:
        return False
    if name in _LOG_METHODS:
        return True
    operand = unparen(operand)
    if name in _SLOG_METHODS:
        args = call_args(call)
        if len(args) > 1 and text(args[1]).split(".", 1)[0] in file.names_for(_SLOG) and "." in text(args[1]):
            return True  # logger.LogAttrs(ctx, slog.LevelInfo, ...)
        t = expr_type(file, operand)
        return t is not None and strip_pointer(t) == f"{_SLOG}.Logger"
    if name == "WithContext" and len(call_args(call)) == 1:
        if operand.type == "selector_expression" and text(operand.child_by_field_name("field")) == "L":
            pkg = unparen(operand.child_by_field_name("operand"))  # type: ignore[arg-type]
            if pkg.type == "identifier" and any(file.refers_to_import(pkg, p) for p in _CONTAINERD_LOG):
                return True
        t = expr_type(file, operand)
        return t is not None and strip_pointer(t) in _LOGRUS_TYPES
    return False


def ignored_context_argument(file: GoFile, call: Node, index: int) -> bool:
    """`call` calls a function or method of this package whose parameter at `index` is a context it
    declares it never reads: named `_`, or unnamed."""
    target = _package_callee(file, call)
    if target is None:
        return False
    info = target.file.func_info(target.node)
    if info.body is None or index >= len(info.params):
        return False
    param = info.params[index]
    return is_context_type_text(target.file, param.type) and ignores_parameter(target.file, info, param.name)


def ignores_parameter(file: GoFile, info: FuncInfo, name: str) -> bool:
    """The function declares that it does not use the parameter: named `_`, or unnamed. A named
    context the body happens not to read today is not enough: the next change may read it."""
    return name in ("", "_")


def _package_callee(file: GoFile, call: Node) -> TopFunc | None:
    """The function or method of this package that `call` calls, when the source proves it."""
    pkg = file.package
    fn = unparen(call.child_by_field_name("function"))  # type: ignore[arg-type]
    if pkg is None:
        return None
    if fn.type == "identifier":
        scope = file.scope_for(fn)
        return None if scope is not None and scope.is_local(fn) else pkg.function(text(fn))
    if fn.type != "selector_expression":
        return None
    operand = unparen(fn.child_by_field_name("operand"))  # type: ignore[arg-type]
    if operand.type == "identifier" and file.import_path_of(text(operand)) and file.decl_of(operand) is None:
        return None  # another package's function
    t = expr_type(file, operand)
    if t is None:
        return None
    recv = base_type_name(strip_pointer(t))
    if "." in recv:
        return None  # another package's type
    name = text(fn.child_by_field_name("field"))
    found = [m for m in pkg.methods(name) if m.receiver_type == recv]
    return found[0] if len(found) == 1 else None


def passable_context(file: GoFile, node: Node) -> AvailableContext | None:
    """The innermost context in scope at `node` that is worth passing on: a variable holding a
    plain `Background()`/`TODO()` (or values added to one with `WithValue`) is never done, so it is
    looked past, at what was in scope where it was declared. None when nothing else is."""
    at = node
    for _ in range(_MAX_HOPS):
        found = available_context(file, at)
        if found is None or found.decl.kind != "var" or _origin(file, found.decl, _MAX_HOPS, _with_value) != "root":
            return found
        at = found.decl.ident
    return None


# -- deliberate detaches: places where a fresh context is the right one -----------------------------

# callees that end or release something the code holds: cleanup that must complete even when the
# caller gave up. A name matches when it is one of these, or starts with one followed by an
# upper-case letter, a digit or `_` (`ReleaseLease`, `CloseSend`, `cleanupMounts`). Not `Wait`:
# a wait under a fresh context is exactly where a leak blocks.
CLEANUP_VERBS = (
    "Abort",
    "Clean",
    "Cleanup",
    "Close",
    "Destroy",
    "Detach",
    "Disconnect",
    "Done",
    "Kill",
    "Release",
    "Rollback",
    "Shutdown",
    "Stop",
    "TearDown",
    "Teardown",
    "Terminate",
    "Unlock",
    "Unmount",
    "Unregister",
)
# verbs that are cleanup only in a cleanup position (an error path, a function named for cleanup):
# elsewhere they are as often the work itself (a DELETE handler's `store.Delete`)
UNDO_VERBS = ("Cancel", "Delete", "Remove", "Revoke")
_CLEANUP_NAME = re.compile(rf"(?:{'|'.join(CLEANUP_VERBS)})(?:[A-Z0-9_]|$)")
_UNDO_NAME = re.compile(rf"(?:{'|'.join(UNDO_VERBS)})(?:[A-Z0-9_]|$)")
# an error variable: err, err2, errs, retErr, rerr, lastError
_ERROR_NAME = re.compile(r"(?i)^err|err(?:or)?$")
# words of a comment that reasons about cancellation: not the bare verb "cancel", which mostly
# names the cancel function next to a WithCancel, nor the noun "cancellation", which as often
# describes what the fresh context cuts ("the client's deadline and cancellation never reach...")
REASON_WORDS = re.compile(
    r"\b(?:un|non-?)?cancel(?:l?ed|l?ing|s|l?able)\b"
    r"|\bdetach|\boutliv|\boutlast|\bsurviv|\bindependent(?:ly)?\s+(?:of|from)\b|\b(?-i:Done)\(\)",
    re.IGNORECASE,
)
# a to-do says the choice is not settled; directives are not prose
_TODO_MARK = re.compile(r"^\s*(?:TODO|FIXME|XXX)\b")
_DIRECTIVE = re.compile(r"^(?:[a-z0-9]+:\S|\s*nolint\b|\s*want\b)")
# lines above the call (and above its statement) whose comments count
_COMMENT_LINES_ABOVE = 2
_SEMAPHORE = "golang.org/x/sync/semaphore"
_CANCEL_ERRORS = frozenset({"Canceled", "DeadlineExceeded"})
_NAMED_FUNCS = frozenset({"function_declaration", "method_declaration"})


def deliberate_detach(file: GoFile, call: Node, found: AvailableContext) -> str | None:
    """Why the fresh context of `call` is a deliberate, correct detach (None when it is not):
    "defer", "done" (the caller's context is already done there), "cleanup" (it only reaches
    cleanup calls, deferred or after-done code), "owned" (a new scope whose cancel function a
    struct keeps), "semaphore" (an unchecked semaphore Acquire) or "comment" (a comment says why)."""
    owner = enclosing_function(found.decl.ident)
    if _in_defer(call, owner):
        return "defer"
    if _after_done(file, call, owner):
        return "done"
    if _reaches_only_deliberate(file, call, owner, _MAX_HOPS):
        return "cleanup"
    if _owned_lifetime(file, call):
        return "owned"
    if _unchecked_acquire(file, call):
        return "semaphore"
    if _reasoned_comment(file, call):
        return "comment"
    return None


def _climb(node: Node, owner: Node | None) -> list[Node]:
    """`node` and its ancestors, up to (not including) `owner`."""
    out: list[Node] = []
    cur: Node | None = node
    while cur is not None and (owner is None or cur.id != owner.id):
        out.append(cur)
        cur = cur.parent
    return out


def _in_defer(node: Node, owner: Node | None) -> bool:
    """Inside a `defer` statement: the deferred call's arguments, a deferred closure's body and
    whatever it starts."""
    return any(n.type == "defer_statement" for n in _climb(node, owner))


def _after_done(file: GoFile, node: Node, owner: Node | None) -> bool:
    """Code that only runs once a context is done: in `case <-ctx.Done():`, after a `<-ctx.Done()`
    statement of an enclosing block, in the body of `if ctx.Err() != nil` (or `errors.Is(err,
    context.Canceled)`, ...) or of a tagless switch case testing that."""
    for cur in _climb(node, owner):
        parent = cur.parent
        if parent is None:
            break
        t = parent.type
        if t == "communication_case":
            comm = parent.child_by_field_name("communication")
            if comm is not None and comm != cur and _done_receive(comm):
                return True
        elif t == "if_statement" and parent.child_by_field_name("consequence") == cur:
            cond = parent.child_by_field_name("condition")
            if cond is not None and _done_test(file, cond, parent.child_by_field_name("initializer")):
                return True
        elif t == "expression_case" and cur.type == "statement_list":
            switch = parent.parent
            values = expression_list(parent.child_by_field_name("value"))
            if (
                switch is not None
                and switch.child_by_field_name("value") is None
                and values
                and all(_done_test(file, v, switch.child_by_field_name("initializer")) for v in values)
            ):
                return True
        elif t == "statement_list":
            sib = cur.prev_named_sibling
            while sib is not None:
                if sib.type == "expression_statement" and any(_done_receive(c) for c in sib.named_children):
                    return True
                sib = sib.prev_named_sibling
    return False


def _done_receive(node: Node) -> bool:
    """`<-x.Done()` (as an expression or a select case's receive)."""
    if node.type == "receive_statement":
        if node.child_by_field_name("left") is not None:
            return False
        right = node.child_by_field_name("right")
        if right is None:
            return False
        node = right
    node = unparen(node)
    if not is_receive(node):
        return False
    operand = node.child_by_field_name("operand")
    if operand is None:
        return False
    operand = unparen(operand)
    return operand.type == "call_expression" and call_name(operand)[1] == "Done" and not call_args(operand)


def _done_test(file: GoFile, cond: Node, init: Node | None) -> bool:
    """A condition that holds only once a context is done: `ctx.Err() != nil`, `context.Cause(ctx)
    != nil`, `err != nil` after `err := ctx.Err()`, `errors.Is(err, context.Canceled)`, `err ==
    context.DeadlineExceeded`; a conjunction with one of these, a disjunction of only these."""
    cond = unparen(cond)
    if cond.type == "call_expression":
        args = call_args(cond)
        return call_name(cond)[1] == "Is" and len(args) == 2 and _cancel_error(file, args[1])
    if cond.type != "binary_expression":
        return False
    op = text(cond.child_by_field_name("operator"))
    left = unparen(cond.child_by_field_name("left"))  # type: ignore[arg-type]
    right = unparen(cond.child_by_field_name("right"))  # type: ignore[arg-type]
    if op == "&&":
        return _done_test(file, left, init) or _done_test(file, right, init)
    if op == "||":
        return _done_test(file, left, init) and _done_test(file, right, init)
    if op == "==":
        return _cancel_error(file, left) or _cancel_error(file, right)
    if op != "!=" or "nil" not in (left.type, right.type):
        return False
    other = right if left.type == "nil" else left
    if _context_error(file, other):
        return True
    if other.type != "identifier" or init is None or init.type != "short_var_declaration":
        return False
    names = expression_list(init.child_by_field_name("left"))
    values = expression_list(init.child_by_field_name("right"))
    return any(
        text(n) == text(other) and i < len(values) and len(values) == len(names) and _context_error(file, values[i])
        for i, n in enumerate(names)
    )


def _context_error(file: GoFile, expr: Node) -> bool:
    """`x.Err()` or `context.Cause(x)`."""
    expr = unparen(expr)
    if expr.type != "call_expression":
        return False
    if file.pkg_call(expr, "context") == "Cause":
        return True
    operand, name = call_name(expr)
    return operand is not None and name == "Err" and not call_args(expr)


def _cancel_error(file: GoFile, expr: Node) -> bool:
    """`context.Canceled` or `context.DeadlineExceeded`."""
    expr = unparen(expr)
    if expr.type == "identifier":
        return text(expr) in _CANCEL_ERRORS and "." in file.names_for("context") and file.decl_of(expr) is None
    if expr.type != "selector_expression":
        return False
    operand = unparen(expr.child_by_field_name("operand"))  # type: ignore[arg-type]
    return (
        text(expr.child_by_field_name("field")) in _CANCEL_ERRORS
        and operand.type == "identifier"
        and file.refers_to_import(operand, "context")
    )


def cleanup_call(call: Node, owner: Node | None) -> bool:
    """A call of a function or method named for cleanup (`lease.Release`, `srv.Shutdown`,
    `cleanupMounts`), or for undoing (`Delete`, `Remove`, `Revoke`, `Cancel`) on an error path or in
    a function itself named for cleanup."""
    name = _verb_case(call_name(call)[1])
    if _CLEANUP_NAME.match(name):
        return True
    return _UNDO_NAME.match(name) is not None and (_error_path(call, owner) or _in_cleanup_function(call))


def _verb_case(name: str) -> str:
    return name[:1].upper() + name[1:]


def _error_path(node: Node, owner: Node | None) -> bool:
    """Inside `if err != nil { ... }` (a variable whose name starts with `err` or ends with `err` or
    `error`, any case, compared with nil)."""
    for cur in _climb(node, owner):
        parent = cur.parent
        if parent is None or parent.type != "if_statement" or parent.child_by_field_name("consequence") != cur:
            continue
        cond = parent.child_by_field_name("condition")
        if cond is not None and _tests_error(cond):
            return True
    return False


def _tests_error(cond: Node) -> bool:
    """`err != nil`, or a conjunction holding it."""
    cond = unparen(cond)
    if cond.type != "binary_expression":
        return False
    op = text(cond.child_by_field_name("operator"))
    left = unparen(cond.child_by_field_name("left"))  # type: ignore[arg-type]
    right = unparen(cond.child_by_field_name("right"))  # type: ignore[arg-type]
    if op == "&&":
        return _tests_error(left) or _tests_error(right)
    if op != "!=" or "nil" not in (left.type, right.type):
        return False
    other = right if left.type == "nil" else left
    return other.type == "identifier" and _ERROR_NAME.search(text(other)) is not None


def _in_cleanup_function(node: Node) -> bool:
    """The function or method declaration holding `node` is itself named for cleanup:
    `func (d *Daemon) Cleanup(ctx context.Context, ...)`."""
    fn = enclosing(node, _NAMED_FUNCS)
    return fn is not None and _CLEANUP_NAME.match(_verb_case(text(fn.child_by_field_name("name")))) is not None


def _reaches_only_deliberate(file: GoFile, node: Node, owner: Node | None, depth: int) -> bool:
    """The fresh context (`node`: the root call, or a read of a variable holding it) only reaches
    places where a fresh one is right: a cleanup call's argument, deferred or after-done code, a
    logger lookup; directly, through a derivation of it (`context.WithTimeout(context.Background(),
    d)`), or through a variable whose every read does."""
    if depth <= 0:
        return False
    node = _outer_parens(node)
    if node.type != "call_expression" and (_in_defer(node, owner) or _after_done(file, node, owner)):
        return True  # a read of the variable (the root call itself was checked before)
    parent = node.parent
    if parent is not None and parent.type == "argument_list":
        call = parent.parent
        if call is None or call.type != "call_expression":
            return False
        args = call_args(call)
        index = next((i for i, a in enumerate(args) if a == node), -1)
        if index < 0:
            return False
        if cleanup_call(call, owner) or _harmless_argument(file, node):
            return True
        if index == 0 and file.pkg_call(call, "context") in DERIVATIONS:
            return _reaches_only_deliberate(file, call, owner, depth - 1)
        return False
    decl = _bound_var(file, node)
    scope = file.scope_for(node)
    if decl is None or scope is None:
        return False
    reads = [r for r in scope.refs(decl) if not is_write(r)]
    return bool(reads) and all(_reaches_only_deliberate(file, r, owner, depth - 1) for r in reads)


def _bound_var(file: GoFile, value: Node) -> Decl | None:
    """The variable a declaration binds `value` (or, for `ctx, cancel := context.WithTimeout(...)`,
    its first result) to: `ctx := value`, `var ctx = value`."""
    decl = _bound_to(file, value)
    if decl is not None:
        return decl
    values = value.parent
    stmt = values.parent if values is not None and values.type == "expression_list" else None
    if stmt is None or value.type != "call_expression" or len(expression_list(values)) != 1:
        return None
    if stmt.type == "short_var_declaration" and stmt.child_by_field_name("right") == values:
        left = expression_list(stmt.child_by_field_name("left"))
    elif stmt.type == "var_spec" and stmt.child_by_field_name("value") == values:
        left = stmt.children_by_field_name("name")
    else:
        return None
    if not left or left[0].type != "identifier" or text(left[0]) == "_":
        return None
    return file.decl_of(left[0])


def _owned_lifetime(file: GoFile, call: Node) -> bool:
    """`s.ctx, s.cancel = context.WithCancel(context.Background())`: a new cancelable scope whose
    cancel function a struct keeps (a field, a composite literal, appended to a field): an object
    owns that lifetime and ends it in its own Close or Stop."""
    node = _outer_parens(call)
    args = node.parent
    derivation = args.parent if args is not None and args.type == "argument_list" else None
    if derivation is None or file.pkg_call(derivation, "context") not in CANCELABLE:
        return False
    if call_args(derivation)[:1] != [node]:
        return False
    values = _outer_parens(derivation).parent
    stmt = values.parent if values is not None and values.type == "expression_list" else None
    if stmt is None or len(expression_list(values)) != 1:
        return False
    if stmt.type in ("short_var_declaration", "assignment_statement") and stmt.child_by_field_name("right") == values:
        left = expression_list(stmt.child_by_field_name("left"))
    elif stmt.type == "var_spec" and stmt.child_by_field_name("value") == values:
        left = stmt.children_by_field_name("name")
    else:
        return False
    if len(left) != 2:
        return False
    cancel = unparen(left[1])
    if _field(cancel):
        return True
    decl = file.decl_of(cancel) if cancel.type == "identifier" else None
    scope = file.scope_for(cancel)
    if decl is None or scope is None:
        return False
    return any(_kept_in_struct(r) for r in scope.refs(decl) if not is_write(r))


def _kept_in_struct(ref: Node) -> bool:
    """`T{cancel: cancel}`, `s.cancel = cancel`, `s.cancels = append(s.cancels, cancel)`."""
    node = _outer_parens(ref)
    for _ in range(2):
        parent = node.parent
        if parent is None:
            return False
        if parent.type == "literal_element":
            return _struct_field_value(parent)
        if parent.type == "argument_list":
            call = parent.parent
            if call is None or call.type != "call_expression" or call_name(call) != (None, "append"):
                return False
            node = _outer_parens(call)
            continue
        stmt = parent.parent if parent.type == "expression_list" else None
        if stmt is None or stmt.type != "assignment_statement" or stmt.child_by_field_name("right") != parent:
            return False
        left = expression_list(stmt.child_by_field_name("left"))
        right = expression_list(parent)
        i = next((k for k, x in enumerate(right) if x == node), -1)
        return len(left) == len(right) and i >= 0 and _field(left[i])
    return False


def _struct_field_value(element: Node) -> bool:
    """`element` is the value of a keyed field in a struct literal: `job{cancel: cancel}`, not a map's
    or a slice's element."""
    keyed = element.parent
    if keyed is None or keyed.type != "keyed_element" or keyed.named_children[-1] != element:
        return False
    key = keyed.named_children[0]
    if (
        key == element
        or key.named_child_count != 1
        or key.named_children[0].type not in ("identifier", "field_identifier")
    ):
        return False
    body = keyed.parent
    literal = body.parent if body is not None else None
    if literal is None or literal.type != "composite_literal":
        return True  # an element of an outer literal, keyed by a field name: `[]job{{cancel: cancel}}`
    kind = literal.child_by_field_name("type")
    return kind is None or kind.type not in ("map_type", "slice_type", "array_type", "implicit_length_array_type")


def _field(target: Node) -> bool:
    """An assignment target in a struct: `s.cancel`, `s.cancels[id]`."""
    target = unparen(target)
    if target.type == "index_expression":
        target = unparen(target.child_by_field_name("operand"))  # type: ignore[arg-type]
    return target.type == "selector_expression"


def _unchecked_acquire(file: GoFile, call: Node) -> bool:
    """`_ = sem.Acquire(context.Background(), 1)` on a golang.org/x/sync/semaphore.Weighted, its
    error discarded: the code is written for an Acquire that cannot fail. Given ctx, a cancelled
    Acquire returns without the permit, and the unconditional Release then panics."""
    node = _outer_parens(call)
    args = node.parent
    acquire = args.parent if args is not None and args.type == "argument_list" else None
    if acquire is None or acquire.type != "call_expression" or call_args(acquire)[:1] != [node]:
        return False
    operand, name = call_name(acquire)
    if name != "Acquire" or operand is None:
        return False
    stmt = _outer_parens(acquire).parent
    if stmt is None:
        return False
    if stmt.type == "expression_list":
        assign = stmt.parent
        if assign is None or assign.type != "assignment_statement" or assign.child_by_field_name("right") != stmt:
            return False
        if [text(x) for x in expression_list(assign.child_by_field_name("left"))] != ["_"]:
            return False
    elif stmt.type != "expression_statement":
        return False
    operand = unparen(operand)
    t = expr_type(file, operand)
    if t is not None:
        return strip_pointer(t) == f"{_SEMAPHORE}.Weighted"
    decl = file.decl_of(operand) if operand.type == "identifier" else None
    value = unparen(decl.value) if decl is not None and decl.value is not None else None
    return value is not None and file.pkg_call(value, _SEMAPHORE) == "NewWeighted"


def _reasoned_comment(file: GoFile, call: Node) -> bool:
    """A comment in the function's body, on the call's line or on the two lines above it or above
    its statement, that reasons about cancellation (REASON_WORDS); none of those comments a to-do.
    The function's doc comment describes the function, not the call."""
    fn = enclosing_function(call)
    body = fn.child_by_field_name("body") if fn is not None else None
    if body is None:
        return False
    row = call.start_point[0]
    first = statement_of(call).start_point[0]
    rows = {row} | {r for top in (row, first) for r in range(top - _COMMENT_LINES_ABOVE, top) if r >= 0}
    comments = [c for r in sorted(rows) for c in _line_comments(file, r) if c.start_byte > body.start_byte]
    bodies = [b for b in (_comment_body(c) for c in comments) if not _DIRECTIVE.match(b)]
    if any(_TODO_MARK.match(b) for b in bodies):
        return False
    return any(REASON_WORDS.search(b) for b in bodies)


def _line_comments(file: GoFile, row: int) -> list[Node]:
    """The comments starting on line `row` (0-based)."""
    lines = file.memo("bg.line_starts", lambda: _line_starts(file.source))
    if row >= len(lines):
        return []
    start = lines[row]
    end = lines[row + 1] if row + 1 < len(lines) else len(file.source)
    out: list[Node] = []
    line = file.source[start:end]
    for m in re.finditer(rb"//|/\*", line):
        pos = start + m.start()
        node = file.root.descendant_for_byte_range(pos, pos + 1)
        if node is not None and node.type == "comment" and node.start_byte == pos and node not in out:
            out.append(node)
    return out


def _line_starts(source: bytes) -> list[int]:
    return [0] + [m.end() for m in re.finditer(rb"\n", source)]


def _comment_body(comment: Node) -> str:
    body = text(comment)
    if body.startswith("//"):
        return body[2:]
    return body[2:-2] if body.startswith("/*") else body


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
        origin = "fed" if _assigns_to(file, call, decl) else _origin(file, decl, _MAX_HOPS)
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


def _any_with(func: str) -> bool:
    return func.startswith("With")


def _with_value(func: str) -> bool:
    return func == "WithValue"


def _origin(file: GoFile, decl: Decl, depth: int, follow: Callable[[str], bool] = _any_with) -> str:
    """Where a context variable's value comes from: "root" (Background/TODO), "detached"
    (WithoutCancel), or "caller" (a parameter, r.Context(), a field, a call: anything else),
    following the derivations `follow` accepts (`WithTimeout(context.Background(), d)` is a root
    too). A variable declared without a value (`var ctx context.Context`) is a root when every
    assignment to it is one."""
    if decl.value is None and decl.kind == "var":
        return _assigned_origin(file, decl, depth, follow)
    return _value_origin(file, decl.value, depth, follow)


def _assigned_origin(file: GoFile, decl: Decl, depth: int, follow: Callable[[str], bool]) -> str:
    scope = file.scope_for(decl.ident)
    if scope is None or depth <= 0:
        return "caller"
    origins: set[str] = set()
    for ref in scope.refs(decl):
        if not is_write(ref):
            continue
        stmt = ref.parent.parent  # type: ignore[union-attr]  # is_write: an expression_list in a statement
        assert stmt is not None
        left = expression_list(stmt.child_by_field_name("left"))
        right = expression_list(stmt.child_by_field_name("right"))
        i = next((k for k, x in enumerate(left) if x == ref), -1)
        if len(right) != len(left) or i < 0:
            return "caller"
        origins.add(_value_origin(file, right[i], depth - 1, follow))
    return origins.pop() if len(origins) == 1 else "caller"


def _value_origin(file: GoFile, value: Node | None, depth: int, follow: Callable[[str], bool]) -> str:
    while value is not None and depth > 0:
        depth -= 1
        value = unparen(value)
        if value.type != "call_expression":
            break
        func = file.pkg_call(value, "context")
        if func in ROOTS:
            return "root"
        if func == "WithoutCancel":
            return "detached"
        args = call_args(value)
        if func is None or not follow(func) or not args:
            break
        parent = unparen(args[0])
        if parent.type != "identifier":
            value = parent  # context.WithTimeout(context.Background(), d)
            continue
        pdecl = file.decl_of(parent)
        if pdecl is None or pdecl.kind != "var":
            break
        if pdecl.value is None:
            return _assigned_origin(file, pdecl, depth, follow)
        value = pdecl.value
    return "caller"


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
    if not _is_test_context(file, decl):
        return False
    return owner is None or not _test_entry(owner) or not _go_at_least(file, _TEST_CONTEXT_SINCE)


def _test_entry(fn: Node) -> bool:
    """A test, benchmark or fuzz function, or a callback of t.Run / b.Run / f.Fuzz / synctest.Test.
    Helpers taking a *testing.T are left alone: they are often called from t.Cleanup, when
    t.Context() is already cancelled."""
    if fn.type in ("function_declaration", "method_declaration"):
        return _TEST_FUNC.match(text(fn.child_by_field_name("name"))) is not None
    args = fn.parent
    call = args.parent if args is not None and args.type == "argument_list" else None
    if call is None or call.type != "call_expression":
        return False
    callee = unparen(call.child_by_field_name("function"))  # type: ignore[arg-type]
    return callee.type == "selector_expression" and text(callee.child_by_field_name("field")) in _RUNNERS


def _is_test_context(file: GoFile, decl: Decl) -> bool:
    return decl.type_node is not None and file.type_text(decl.type_node) in TESTING_TYPES


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
    if _is_test_context(file, decl):
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
    return _done_before(file, call, decl)


def _done_before(file: GoFile, call: Node, decl: Decl) -> bool:
    """`<-ctx.Done()` (or `<-r.Context().Done()`) runs before `call` in the code."""
    scope = file.scope_for(call)
    if scope is None:
        return False
    for ref in scope.refs(decl):
        if ref.start_byte >= call.start_byte:
            break
        node = ref
        while node.parent is not None and node.parent.type in ("selector_expression", "call_expression"):
            node = node.parent
        parent = node.parent
        if (
            parent is not None
            and parent.type == "unary_expression"
            and text(parent.child_by_field_name("operator")) == "<-"
            and text(node).endswith(".Done()")
        ):
            return True
    return False


def _qualifier(file: GoFile) -> str:
    """How this file spells the context package: "context.", "stdctx." or "" (dot import)."""
    names = sorted(n for n in file.names_for("context") if n not in ("_", "."))
    if names:
        return f"{'context' if 'context' in names else names[0]}."
    return ""


def _go_at_least(file: GoFile, version: tuple[int, int]) -> bool:
    """The `go` line of the nearest go.mod is at least `version` (assumed when there is none)."""

    def compute() -> tuple[int, int] | None:
        directory = os.path.dirname(os.path.abspath(file.path))
        while True:
            try:
                with open(os.path.join(directory, "go.mod"), "rb") as fh:
                    m = _GO_DIRECTIVE.search(fh.read())
                return (int(m.group(1)), int(m.group(2))) if m else None
            except OSError:
                pass
            parent = os.path.dirname(directory)
            if parent == directory:
                return None
            directory = parent

    found = file.memo("bg.go_version", compute)
    return found is None or found >= version


RULE = Rule(
    code="CG201",
    name="background-in-scope",
    severity=Severity.WARNING,
    summary="context.Background()/TODO() where a caller context is available (outside test code)",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
)
