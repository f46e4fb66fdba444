"""CG204 nil-context: nil passed where a context.Context is expected."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.findings import Fix, Severity
from ctxguard.gosrc.ctxfacts import available_context, is_context_type_text
from ctxguard.gosrc.facts import declared_key
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import call_name, compares_with_nil, text, unparen
from ctxguard.gosrc.types import GRPC, SQL, SQLX, expr_type, strip_pointer
from ctxguard.rules.base import FactPass, Pass, Rule, replace

DOC = """\
## What it finds
A literal `nil` passed as the first argument of a function or method whose
first parameter is a `context.Context`:

- well-known standard library and ecosystem APIs: `context.WithCancel` and the
  other `context.With*` functions, `http.NewRequestWithContext`,
  `exec.CommandContext`, `signal.NotifyContext`, `errgroup.WithContext`,
  `metadata.NewOutgoingContext`, `trace.NewTask`, `pprof.Do`, ...;
- methods of well-known types when the receiver's type is proven from the
  source: `(*sql.DB).QueryContext` & co, `(*net.Dialer).DialContext`,
  `(*http.Request).WithContext`, `(*http.Server).Shutdown`, ...;
- functions, methods and interface methods declared in the analysed package,
  and local function values whose type or literal is visible.

A function of the package is reported even when its own code shows that nil
is harmless today (its context parameter is unnamed, `_` or unused, compared
with nil as in `if ctx == nil { ctx = context.Background() }`, only stored, or
only handed on to functions that tolerate nil in turn): the `context` package
says never to pass a nil context, even if a function permits it, and the next
change to the callee (a `ctx.Done()`, a `context.WithTimeout(ctx, ...)`)
turns the call into a panic. The message says when the callee tolerates nil
today. This matches staticcheck's SA1012. Functions of packages outside the
module and outside the tables are not known and not reported (SA1012, with type
information, sees those too).

## Across packages
A function or method of another package of the module whose first parameter
is a `context.Context` is known from that package's facts: `nil` passed to it
is reported too (whether it tolerates nil today is not worked out there). Calls
through interfaces and function values, and packages outside the module, are
not followed.

## Why it matters
A nil context is not an empty one: the `context.With*` functions panic on a
nil parent, `http.NewRequestWithContext` fails, `exec.CommandContext` and
`Request.WithContext` panic, and any callee that selects on `ctx.Done()` or
reads `ctx.Value` dereferences nil in the middle of the work. Even where
nothing crashes today, the call has no deadline and no cancellation, and the
next refactor of the callee turns it into a panic in production.

## Bad
```go
func audit(ctx context.Context, msg string) { log.Print(msg) } // ctx unused, for now

req, err := http.NewRequestWithContext(nil, http.MethodGet, url, nil)
audit(nil, "started") // harmless today, a panic once audit reads ctx
```

## Good
```go
req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
audit(ctx, "started")
```
or `context.TODO()` where no context is at hand yet.

## Fix
`--fix` replaces `nil` with `context.TODO()` when the file imports `context`
under a name that is not shadowed at that point; TODO marks the place that
still needs a real context.
"""

ERRGROUP = "golang.org/x/sync/errgroup"
METADATA = "google.golang.org/grpc/metadata"

# (import path, function) whose first parameter is a context
_FUNCS: frozenset[tuple[str, str]] = frozenset(
    {
        *(
            ("context", f)
            for f in (
                "WithCancel",
                "WithTimeout",
                "WithDeadline",
                "WithValue",
                "WithCancelCause",
                "WithTimeoutCause",
                "WithDeadlineCause",
                "WithoutCancel",
                "AfterFunc",
                "Cause",
            )
        ),
        ("net/http", "NewRequestWithContext"),
        ("net/http/httptrace", "WithClientTrace"),
        ("net/http/httptrace", "ContextClientTrace"),
        ("os/exec", "CommandContext"),
        ("os/signal", "NotifyContext"),
        ("runtime/trace", "NewTask"),
        ("runtime/trace", "WithRegion"),
        ("runtime/trace", "StartRegion"),
        ("runtime/trace", "Log"),
        ("runtime/trace", "Logf"),
        ("runtime/pprof", "Do"),
        ("runtime/pprof", "WithLabels"),
        ("runtime/pprof", "Label"),
        ("runtime/pprof", "ForLabels"),
        ("runtime/pprof", "SetGoroutineLabels"),
        (ERRGROUP, "WithContext"),
        (GRPC, "DialContext"),
        (GRPC, "Invoke"),
        (METADATA, "NewOutgoingContext"),
        (METADATA, "NewIncomingContext"),
        (METADATA, "AppendToOutgoingContext"),
        (METADATA, "FromIncomingContext"),
        (METADATA, "FromOutgoingContext"),
        (METADATA, "ValueFromIncomingContext"),
    }
)

_SQL_CTX = ("QueryContext", "QueryRowContext", "ExecContext", "PrepareContext")
_SQLX_CTX = (
    "GetContext",
    "SelectContext",
    "QueryxContext",
    "QueryRowxContext",
    "NamedExecContext",
    "NamedQueryContext",
    "PreparexContext",
    "PrepareNamedContext",
    "MustExecContext",
)

# (receiver type without "*", method) whose first parameter is a context
_METHODS: frozenset[tuple[str, str]] = frozenset(
    {
        *((f"{SQL}.{recv}", m) for recv in ("DB", "Conn", "Tx") for m in _SQL_CTX),
        *((f"{SQL}.{recv}", m) for recv in ("DB", "Conn") for m in ("BeginTx", "PingContext")),
        (f"{SQL}.DB", "Conn"),
        (f"{SQL}.Tx", "StmtContext"),
        *((f"{SQL}.Stmt", m) for m in ("QueryContext", "QueryRowContext", "ExecContext")),
        *((f"{SQLX}.{recv}", m) for recv in ("DB", "Tx", "Conn") for m in (*_SQL_CTX, *_SQLX_CTX)),
        (f"{SQLX}.DB", "BeginTxx"),
        (f"{SQLX}.DB", "Connx"),
        ("net.Dialer", "DialContext"),
        ("net.ListenConfig", "Listen"),
        ("net.ListenConfig", "ListenPacket"),
        *(
            ("net.Resolver", m)
            for m in (
                "LookupAddr",
                "LookupCNAME",
                "LookupHost",
                "LookupIP",
                "LookupIPAddr",
                "LookupMX",
                "LookupNS",
                "LookupNetIP",
                "LookupPort",
                "LookupSRV",
                "LookupTXT",
            )
        ),
        ("net/http.Request", "WithContext"),
        ("net/http.Request", "Clone"),
        ("net/http.Server", "Shutdown"),
        (f"{GRPC}.ClientConn", "Invoke"),
        (f"{GRPC}.ClientConn", "NewStream"),
    }
)

_NIL_FIRST = re.compile(rb"\(\s*nil\b")


def check(p: Pass) -> None:
    file = p.file
    for m in _NIL_FIRST.finditer(file.source):
        start = m.end() - 3
        nil = file.root.descendant_for_byte_range(start, start + 3)
        if nil is None or nil.type != "nil":
            continue  # in a comment or a string
        call = _call_with_first_arg(nil)
        if call is None:
            continue
        callee = _context_callee(file, call) or _module_callee(p, call)
        if callee is None:
            continue
        avail = available_context(file, nil)
        remedy = f"pass {avail.expr}" if avail is not None else "pass the caller's context, or context.TODO()"
        todo = _todo_expr(file, nil)
        fix = Fix(f"replace nil with {todo}", (replace(nil, todo),)) if todo is not None else None
        if callee.elsewhere:
            why = "nil is never a valid context, and the callee may use it at any time"
        elif callee.decl is not None and _tolerates_nil(callee.file, callee.decl, 0):
            why = (
                f"{callee.shown} tolerates nil today, but nil is never a valid context: "
                "the first change that uses it panics"
            )
        else:
            why = "a nil context panics or fails as soon as it is used"
        p.report(nil, f"nil passed as the context of {callee.shown}: {why}; {remedy}", fix=fix)


@dataclass(frozen=True)
class _Callee:
    """A function or method whose first parameter is a context."""

    shown: str  # how the message names it: the call's function text
    file: GoFile  # where it is declared (the calling file for the tables)
    decl: Node | None  # its declaration when the package declares it with a body
    # another package's function, known from its fact (a context first) but not read here
    elsewhere: bool = False


def export_facts(fp: FactPass) -> None:
    """`{"context": 0}` for each function and method of the package whose first parameter is a
    context (whether it tolerates nil today is not worked out: that needs a scope table of every
    such function of the module, and nil is wrong either way)."""
    for file in fp.package.files:
        if not file.names_for("context"):
            continue
        for decl in file.root.named_children:
            if decl.type not in ("function_declaration", "method_declaration"):
                continue
            params = decl.child_by_field_name("parameters")
            if params is None or b"Context" not in file.source[params.start_byte : params.end_byte]:
                continue  # most functions: no context parameter to look at
            info = file.func_info(decl)
            if not info.params or not is_context_type_text(file, info.params[0].type):
                continue
            key = declared_key(file, decl)
            if key is not None:
                fp.export(file, key, {"context": 0})


def _module_callee(p: Pass, call: Node) -> _Callee | None:
    """A function or method of another package of the module whose first parameter is a context."""
    found = p.fact(call)
    if found is None or not isinstance(found[1], dict):
        return None
    fnode = unparen(call.child_by_field_name("function") or call)
    shown = text(fnode) if len(text(fnode)) <= 48 else call_name(call)[1]
    return _Callee(shown, p.file, None, elsewhere=True)


def _call_with_first_arg(arg: Node) -> Node | None:
    """The call of which `arg` is the first argument."""
    args = arg.parent
    call = args.parent if args is not None else None
    if args is None or call is None or args.type != "argument_list" or call.type != "call_expression":
        return None
    first = next((a for a in args.named_children if a.type != "comment"), None)
    return call if first is not None and first.id == arg.id else None


def _context_callee(file: GoFile, call: Node) -> _Callee | None:
    """The callee of `call` if its first parameter is a context, else None (also when unknown)."""
    fnode = call.child_by_field_name("function")
    if fnode is None:
        return None
    fnode = unparen(fnode)
    operand, name = call_name(call)
    if not name:
        return None
    shown = text(fnode) if len(text(fnode)) <= 48 else name
    if operand is None:
        return _plain_callee(file, fnode, name, shown)
    operand = unparen(operand)
    if operand.type == "identifier":
        path = file.import_path_of(text(operand))
        if path is not None and file.refers_to_import(operand, path):  # a package, not a local
            return _Callee(shown, file, None) if (path, name) in _FUNCS else None
    recv = expr_type(file, operand)
    if recv is None:
        return None  # unproven receiver; also keeps method expressions like (*T).M(nil, ctx) out
    base = strip_pointer(recv)
    if (base, name) in _METHODS:
        return _Callee(shown, file, None)
    base = base.split("[")[0]
    if "." in base or file.package is None:
        return None
    for m in file.package.methods(name):
        if m.receiver_type == base:
            return _declared(m.file, m.node, shown)
    for f in file.package.files:
        first = _interface_methods(f).get((base, name))
        if first is not None:
            return _Callee(shown, f, None) if is_context_type_text(f, first) else None
    return None


def _plain_callee(file: GoFile, fnode: Node, name: str, shown: str) -> _Callee | None:
    """`f(nil, ...)`: a local function value, a package function, or a dot-imported function."""
    ident = fnode if fnode.type == "identifier" else (fnode.named_children[0] if fnode.named_child_count else None)
    if ident is None or ident.type != "identifier":
        return None
    decl = file.decl_of(ident)
    if decl is not None:
        if decl.type_node is not None and decl.type_node.type == "function_type":
            params = file.params(decl.type_node.child_by_field_name("parameters"))
            return _Callee(shown, file, None) if params and is_context_type_text(file, params[0].type) else None
        if decl.type_node is None and decl.value is not None and decl.value_index == 0:
            lit = unparen(decl.value)
            if lit.type == "func_literal":
                return _declared(file, lit, shown)
        return None
    scope = file.scope_for(ident)
    if scope is not None and scope.is_local(ident):
        return None
    if file.package is not None:
        fn = file.package.function(name)
        if fn is not None:
            return _declared(fn.file, fn.node, shown)
    if any(imp.name == "." and (imp.path, name) in _FUNCS for imp in file.imports):
        return _Callee(shown, file, None)
    return None


def _declared(file: GoFile, fn: Node, shown: str) -> _Callee | None:
    params = file.func_info(fn).params
    return _Callee(shown, file, fn) if params and is_context_type_text(file, params[0].type) else None


def _tolerates_nil(file: GoFile, fn: Node, depth: int) -> bool:
    """The function's own code shows that a nil context is harmless today (reported all the same,
    with another reason): the parameter is unnamed
    or unused, compared with nil (`if ctx == nil { ctx = context.Background() }`), only stored
    in a composite literal, or only handed on as the first argument of functions of the package
    that tolerate nil in turn. A method call on it, or any other use, is taken as needing it."""
    # keyed by the depth too: an answer cut short by the depth limit must not stand for a full one
    memo = file.memo("cg204.tolerant", dict[tuple[int, int], bool])
    key = (fn.id, depth)
    if key in memo:
        return memo[key]
    memo[key] = False  # a cycle proves nothing: assume the context is needed
    memo[key] = result = _tolerance(file, fn, depth)
    return result


def _tolerance(file: GoFile, fn: Node, depth: int) -> bool:
    param = file.func_info(fn).params[0]
    body = fn.child_by_field_name("body")
    if not param.name or param.name == "_" or param.node is None:
        return True
    if body is None or depth > 3:
        return False
    if compares_with_nil(param.name, text(body)):
        return True
    scope = file.scope_for(fn)
    decl = scope.declared_at(param.node) if scope is not None else None
    if scope is None or decl is None:
        return False
    for ref in scope.refs(decl):
        parent = ref.parent
        if parent is not None and parent.type in ("keyed_element", "literal_element"):
            continue  # stored in a struct or slice literal: whoever reads it decides
        call = _call_with_first_arg(ref)
        if call is None:
            return False
        callee = _context_callee(file, call)
        if callee is None or callee.decl is None or not _tolerates_nil(callee.file, callee.decl, depth + 1):
            return False
    return True


def _interface_methods(file: GoFile) -> dict[tuple[str, str], str]:
    """(interface type, method) -> type text of the method's first parameter, for the
    interfaces declared at package level in `file`."""

    def compute() -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for decl in file.root.named_children:
            if decl.type != "type_declaration":
                continue
            for spec in decl.named_children:
                body = spec.child_by_field_name("type") if spec.type == "type_spec" else None
                if body is None or body.type != "interface_type":
                    continue
                iface = text(spec.child_by_field_name("name"))
                for elem in body.named_children:
                    if elem.type != "method_elem":
                        continue
                    params = file.params(elem.child_by_field_name("parameters"))
                    if params:
                        out[(iface, text(elem.child_by_field_name("name")))] = params[0].type
        return out

    return file.memo("cg204.interfaces", compute)


def _todo_expr(file: GoFile, at: Node) -> str | None:
    """`context.TODO()` spelled with a name under which `context` is visible at `at`."""
    scope = file.scope_for(at)
    pos = at.start_byte
    for name in sorted(file.names_for("context"), key=lambda n: (n != "context", n)):
        if name == "_":
            continue
        local = "TODO" if name == "." else name
        if scope is not None and any(
            d.name == local and d.scope_start <= pos < d.scope_end and d.visible_from <= pos for d in scope.decls
        ):
            continue  # shadowed by a local variable
        if name == "." and file.package is not None and file.package.function("TODO") is not None:
            continue
        return "TODO()" if name == "." else f"{name}.TODO()"
    return None


RULE = Rule(
    code="CG204",
    name="nil-context",
    severity=Severity.ERROR,
    summary="nil passed where a context.Context is expected",
    doc=DOC,
    check=check,
    # no import fast path: a call into the package or to http.NewRequestWithContext needs no "context" import
    needs_text=(b"nil",),
    export_facts=export_facts,
)
