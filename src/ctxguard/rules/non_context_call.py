"""CG202 non-context-call: call without context that has a context-aware twin."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tree_sitter import Node

from ctxguard.findings import Fix, Severity
from ctxguard.gosrc.ctxfacts import AvailableContext, is_context_type_text, is_write
from ctxguard.gosrc.detach import runs_detached
from ctxguard.gosrc.facts import declared_key, short_name
from ctxguard.gosrc.model import GoFile, default_import_name
from ctxguard.gosrc.nochange import ignores_parameter
from ctxguard.gosrc.syntax import (
    call_args,
    call_name,
    call_of_callee,
    contains,
    enclosing,
    enclosing_function,
    expression_list,
    text,
    unparen,
)
from ctxguard.gosrc.testcode import in_test_code
from ctxguard.gosrc.types import EMBEDDED, SQLX, expr_type, short_type, strip_pointer
from ctxguard.rules.background_in_scope import passable_context
from ctxguard.rules.base import FactPass, Pass, Rule, insert, replace
from ctxguard.rules.callfacts import NAMED_FUNCS, calls_with_facts, every_call_runs, export_relayed, via_text, where
from ctxguard.rules.context_twin_exemptions import (
    DIALS,
    REQUEST_LIKE,
    SOCKET_CALLS,
    blocking_dial,
    borrowed,
    bounded_by_timeout,
    closed_on_done,
    deadline_carried,
    handled_later,
    local_network,
    not_for_http,
    raced_against_done,
    runs_late,
)
from ctxguard.rules.context_twins import (
    ADVICE,
    BASE_NAMES,
    EXT,
    METHODS,
    NIL_OPTS,
    PACKAGE_FUNCS,
    ExtraApis,
    Twin,
    everywhere_packages,
    parse_extra_apis,
)

DOC = """\
## What it finds
A call that has a context-aware twin, made where a context is at hand (a
`context.Context` variable or parameter, or the `Context()` of the function's
own `*http.Request` parameter):

- `net/http`: `http.Get`, `Head`, `Post`, `PostForm` and the same methods on an
  `*http.Client` (use `http.NewRequestWithContext` and `Do`); `http.NewRequest` and
  `httptest.NewRequest`, unless the request gets a context afterwards
  (`req.WithContext(ctx)`, `req.Clone(ctx)`, or handed to a call together with a context),
  or is written to a connection by hand (`req.Write(conn)`: nothing reads its context),
  or its URL's scheme is not http or https (`url.URL{Scheme: "kafka"}`: built to be
  signed, never sent);
- `database/sql`: `Query`, `QueryRow`, `Exec`, `Prepare`, `Begin`, `Ping` on
  `*sql.DB`, `*sql.Tx` (also `Stmt`) and `*sql.Stmt`;
- `github.com/jmoiron/sqlx`: `Get`, `Select`, `Queryx`, `QueryRowx`, `NamedExec`,
  `NamedQuery`, `MustExec`, `Preparex`, `PrepareNamed`, `Beginx`, `MustBegin`, ... on
  `*sqlx.DB`, `*sqlx.Tx`, `*sqlx.Stmt`, `*sqlx.NamedStmt` (and the promoted
  `database/sql` methods), and the package functions `sqlx.Get`, `sqlx.Select`,
  `sqlx.Connect`, ...;
- `tls.Dial`, `tls.DialWithDialer`, `(*tls.Dialer).Dial`, `(*tls.Conn).Handshake`:
  a TLS handshake waits on the peer with no limit of its own (not for a call
  made in a goroutine of its own whose result the caller races against
  `ctx.Done()` in a `select`: the caller already gives up, and closing the
  connection ends the call; nor a handshake on a connection closed when the
  context ends, by `context.AfterFunc(ctx, func() { conn.Close() })` or a
  goroutine waiting on `ctx.Done()`, set up before it; nor a dial in a function
  that reads the context's deadline itself, `dialer.Deadline, _ =
  ctx.Deadline()`). Nor a call with a time limit of its own: a method of an
  `http.Client` or a `net.Dialer` built with a `Timeout` (in place, in a
  variable or in a package variable: `&http.Client{Timeout: 10 * time.Second}`),
  or given one before the call (`d.Timeout = timeout`), or `tls.DialWithDialer`
  given such a dialer; it ends by itself;
- `grpc.Dial(target, grpc.WithBlock())`: a dial that waits for the connection
  with no context to stop it; use `grpc.NewClient` and pass the context to each
  RPC. A non-blocking `grpc.Dial` and `grpc.DialContext` (deprecated, but they
  wait for nothing, or already take the context) are left to staticcheck's
  SA1019, and reported here only under `report-everywhere`;
- under `report-everywhere` only: `net.Dial` and `(*net.Dialer).Dial` (a connect
  is bounded by the kernel's SYN retries, about two minutes on Linux, and a
  name by the resolver's timeouts: the triages found 2 of 10 such findings
  worth fixing), `net.DialTimeout` (bounded by its timeout), the `net.Lookup*`
  functions (bounded by the resolver's timeouts and attempts), `net.Listen`,
  `ListenPacket` and `LookupPort` (binding a socket and reading
  `/etc/services` do not wait), and `exec.Command` (whether a command should be
  killed with the request is a design choice: none of 13 such findings was
  judged worth fixing). A Unix or raw IP socket named by a literal is never
  reported: nothing to resolve or wait for;
- the package's own functions and methods with a twin declared next to them:
  `Fetch(key)` when the package also has `FetchContext(ctx, key)` (or
  `FetchWithContext`, `FetchCtx`) taking a context and then the same parameters.
  A call inside the twin itself (built on its plain variant) is left alone, and
  so is a twin that declares it ignores its context (named `_`, or unnamed):
  passing one would change nothing.

Calls through a local variable holding one of these functions or methods
(`get := http.Get` then `get(u)`, `fetch := client.Get`) count too, when the
variable is never re-assigned; they get no fix.

Methods are reported only when the receiver's type is proven from the
package's source (a parameter, local, struct field, package variable, slice or
map element, constructor result, or a method promoted from an embedded field):
a `Get` or `Query` on a value of unknown type (a cache, a map, `url.Values`) is
never reported.

Not reported (unless `report-everywhere` names the call's package, below):
calls in a deferred call, a deferred function literal, a `Cleanup` callback or
a `context.AfterFunc` callback (they run when the context may already be done,
and passing it would make the cleanup fail); calls where the only context is a
test's (`t.Context()`, directly or derived): test code runs under the test
binary's deadline and `t.Context()` is cancelled before `Cleanup` runs; calls
where the only context at hand is a local `context.Background()` or `TODO()`
(`ctx := context.Background()`, or values added to one with `WithValue`): it
is never done, so passing it would change nothing (the check looks past it, at
what was in scope where it was declared; a `WithTimeout` or `WithCancel` of one
does count); and calls where no context is at hand at all.

## Across functions and packages
A call, where a context is at hand, of a function of the module that takes
no context and calls one of the APIs above (or relays to one that does, at most
two calls deep) is reported at the call: `fetch.Page calls http.Get without a
context (fetch.go:13): give it a context parameter, pass r.Context() and use the
context twin there`. The wrapped call must be one this rule reports by default
(not a request or command built for the caller to finish, not `net.Listen` and
the other bounded calls, not in a `defer`, a goroutine of its own or a cleanup
call such as `closeConnection`). One finding per calling function and callee.

What crosses function and package boundaries is learnt from the module's own
source (see `ctxguard rules` and the README's "Across packages"): packages of
the module being linted (found from `go.mod`), analysed after the packages they
import. Calls the source does not pin to one function are not followed:
interface methods, function values (in variables, maps or struct fields),
reflection, and packages outside the run (the standard library and other
modules, beyond the tables above).

## Why it leaks
The call cannot be cancelled. When the caller gives up (the client went away,
the deadline passed, the service is shutting down), the query, request, dial or
child process goes on, and so does the goroutine waiting for it, holding a
connection, a transaction or a request's memory until the other side answers.
Under load these pile up.

## Bad
```go
func (s *server) checkout(w http.ResponseWriter, r *http.Request) {
	row := s.db.QueryRow("SELECT stock FROM orders WHERE id = ?", id)
	resp, err := http.Get(s.pricing + "/price")
	// ...
}
```

## Good
```go
func (s *server) checkout(w http.ResponseWriter, r *http.Request) {
	row := s.db.QueryRowContext(r.Context(), "SELECT stock FROM orders WHERE id = ?", id)
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, s.pricing+"/price", nil)
	// ... http.DefaultClient.Do(req)
}
```

## Options
`extra-apis`: more functions and methods with a context-aware twin, each
`"<qualifier>.<name>=<twin>"`:

- a package function: `"example.com/store.Fetch=FetchContext"` (import path, function);
- a method: `"example.com/store.*Client.Fetch=FetchContext"` (import path, type with or
  without `*`, method). The receiver's type must be proven, as above; a type is also
  matched by its bare name inside its own package (whose name is the path's last element).

The twin must take the context as its first parameter followed by the original
arguments: the fix relies on it.

`report-everywhere`: import paths whose calls are reported even where no
context is at hand, as noctx does (the default stance is that a finding needs a
context in scope: a maintainer can act on "use ctx" at once, while "there is no
context here" means plumbing one through the callers). `"*"` means every
package this rule knows (`net/http`, `net/http/httptest`, `database/sql`,
`github.com/jmoiron/sqlx`, `net`, `crypto/tls`, `os/exec`,
`google.golang.org/grpc`) and those of `extra-apis`; the package's own twins
are never reported without a context. For those packages the call itself is
the finding: it is reported in deferred calls, cleanups and tests too, and
whatever the code does with the result afterwards (a request given a context
with `req.WithContext(ctx)` later, a command started and never waited for).
Without a context that can be passed, the message says `ctx` and there is no fix.

```toml
[lint.options.non-context-call]
report-everywhere = ["net/http", "net/http/httptest"]   # or ["*"]
```

## Fix
Where the rewrite is mechanical, the fix renames the call to its twin and
passes the available context first: `db.Query(q, a)` becomes
`db.QueryContext(ctx, q, a)`, `db.Begin()` becomes `db.BeginTx(ctx, nil)`,
`http.NewRequest(m, u, b)` becomes `http.NewRequestWithContext(ctx, m, u, b)`,
`exec.Command(...)` becomes `exec.CommandContext(ctx, ...)`, `tx.Get(...)`
becomes `tx.GetContext(ctx, ...)`, `sqlx.Get(db, ...)` becomes
`sqlx.GetContext(ctx, db, ...)` when `db` is a proven `*sqlx.DB` or `*sqlx.Tx`.
`http.Get`, `net.Dial`, `grpc.Dial`, `(*sqlx.Tx).NamedQuery` and the like need a
different shape of code and get no fix. The fix changes only the call; if it
lengthens a line in a block of aligned trailing comments, run gofmt afterwards.
"""

# sqlx's package functions take an interface; the Context variant a wider one that these implement
_SQLX_EXT_TYPES = frozenset({f"{SQLX}.DB", f"{SQLX}.Tx"})


@dataclass(frozen=True)
class Match:
    what: str  # how the message names the callee: "http.Get", "(*sql.DB).Query"
    twin: Twin
    name_node: Node  # the identifier the fix renames
    recv: Node | None  # the receiver expression of a method call
    qualifier: str = ""  # what the twin is written with in the message: "http." for http.NewRequestWithContext
    path: str = ""  # the import path declaring the function or the receiver's type; "" for the package's own
    via: str = ""  # called through a local variable holding the function (`get := http.Get; get(u)`)


@dataclass(frozen=True)
class LocalTwins:
    """Functions and methods of the linted package with a twin declared next to them:
    `Fetch(key)` and `FetchContext(ctx, key)`, the same parameters after the context."""

    funcs: dict[str, Twin] = field(default_factory=dict)
    methods: dict[str, dict[str, tuple[str, Twin]]] = field(default_factory=dict)  # type -> method -> (shown, twin)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.funcs) | frozenset(n for by_name in self.methods.values() for n in by_name)


_NO_LOCAL_TWINS = LocalTwins()
_TWIN_SUFFIXES = ("WithContext", "Context", "Ctx")
_TWIN_DECL = re.compile(rb"^func\b[^\n{]*?\w(?:Context|Ctx)\s*[\[(]", re.MULTILINE)


def _local_twins(file: GoFile) -> LocalTwins:
    pkg = file.package
    if pkg is None or not pkg.files:
        return _NO_LOCAL_TWINS
    return pkg.files[0].memo("cg202.local_twins", lambda: _collect_local_twins(pkg.files))


def _collect_local_twins(files: tuple[GoFile, ...]) -> LocalTwins:
    pkg = files[0].package
    assert pkg is not None
    funcs: dict[str, Twin] = {}
    methods: dict[str, dict[str, tuple[str, Twin]]] = {}
    for f in files:
        if (b"Context" not in f.source and b"Ctx" not in f.source) or not _TWIN_DECL.search(f.source):
            continue
        for decl in f.root.named_children:
            if decl.type not in ("function_declaration", "method_declaration"):
                continue
            name = text(decl.child_by_field_name("name"))
            suffix = next((x for x in _TWIN_SUFFIXES if name.endswith(x) and len(name) > len(x)), None)
            if suffix is None:
                continue
            twin = f.func_info(decl)
            if not twin.params or not is_context_type_text(f, twin.params[0].type):
                continue
            if ignores_parameter(f, twin, twin.params[0].name):
                continue  # `FetchContext(_ context.Context, ...)`: passing a context would change nothing
            base = name[: -len(suffix)]
            wanted = [p.type for p in twin.params[1:]]
            if twin.receiver is None:
                top = pkg.function(base)
                if top is not None and [p.type for p in top.file.func_info(top.node).params] == wanted:
                    funcs[base] = Twin(name)
                continue
            recv = twin.receiver.type.lstrip("*").split("[", 1)[0]
            for m in pkg.methods(base):
                info = m.file.func_info(m.node)
                if m.receiver_type == recv and [p.type for p in info.params] == wanted:
                    assert info.receiver is not None
                    shown = f"(*{recv})" if info.receiver.type.startswith("*") else recv
                    methods.setdefault(recv, {})[base] = (shown, Twin(name))
    return LocalTwins(funcs, methods) if funcs or methods else _NO_LOCAL_TWINS


# a context can be at hand only through a context.Context, an *http.Request or a *testing.T
_CONTEXT_IMPORTS = frozenset({"context", "net/http", "testing"})
EVERYWHERE_ALL = "*"


def check(p: Pass) -> None:
    file = p.file
    extras = parse_extra_apis(tuple(p.options.get("extra-apis", ())))
    everywhere = frozenset(p.options.get("report-everywhere", ()))
    if not file.imports_any(_CONTEXT_IMPORTS) and not (
        everywhere and (EVERYWHERE_ALL in everywhere or file.imports_any(everywhere))
    ):
        return
    local = _local_twins(file)
    dotted = any(file.names_for(path) and "." in file.names_for(path) for path in (*PACKAGE_FUNCS, *extras.funcs))
    names = BASE_NAMES | extras.names
    calls = [(c, None) for c in _candidates(file, names, local.names, dotted)]
    for call, callee in sorted([*calls, *_indirect_calls(file, names)], key=lambda c: c[0].start_byte):
        sees = _may_see_context(file, call)
        if not sees and not everywhere:
            continue
        found = _match(file, call, extras, local, callee)
        if found is None:
            continue
        wide = bool(found.path) and (EVERYWHERE_ALL in everywhere or found.path in everywhere)
        if not sees and not wide:
            continue
        avail = passable_context(file, call) if sees else None
        usable = avail is not None and not borrowed(file, avail) and not runs_late(call, avail)
        if not usable and not wide:
            continue
        if found.what in SOCKET_CALLS and local_network(call):
            continue
        if not wide and found.what in DIALS and avail is not None and deadline_carried(file, call, avail):
            continue
        if not wide and bounded_by_timeout(file, found.what, call, found.recv):
            continue
        if not wide and not found.twin.by_default and not blocking_dial(call):
            continue
        if not wide and (raced_against_done(file, call) or closed_on_done(file, call, found.what)):
            continue
        if avail is not None and usable:
            # with report-everywhere the call itself is the problem, whatever is done with its result
            if not wide and found.what in REQUEST_LIKE and (handled_later(file, call) or not_for_http(file, call)):
                continue
            message, fix = _message(found, avail.expr, call), _fix(file, found, avail, call)
        else:
            message, fix = _message(found, "ctx", call), None
            if avail is None:
                message += " (no context in scope: take one from the caller)"
        p.report(call.child_by_field_name("function") or call, message, fix=fix)
    _check_wrappers(p)


def export_facts(fp: FactPass) -> None:
    """`{"api": "http.Get", "at": "fetch.go:12", "via": [...]}` for each function without a context
    of its own that calls an API with a context twin (through `via`, the relaying callees)."""
    extras = parse_extra_apis(tuple(fp.options.get("extra-apis", ())))
    by_file: dict[int, dict[int, dict[str, object]]] = {}

    def direct(file: GoFile, decl: Node) -> dict[str, object] | None:
        if id(file) not in by_file:
            by_file[id(file)] = _uncontexted_calls(file, extras)
        return by_file[id(file)].get(decl.id)

    export_relayed(fp, direct, _relays)


def _uncontexted_calls(file: GoFile, extras: ExtraApis) -> dict[int, dict[str, object]]:
    """Per top-level function (by node id), the first call in it of a library API with a twin
    that CG202 would report had the function a context: not a request or command built for the
    caller to finish (it may add the context itself), nor the calls the default leaves out."""
    local = _local_twins(file)
    out: dict[int, dict[str, object]] = {}
    dotted = any(file.names_for(path) and "." in file.names_for(path) for path in (*PACKAGE_FUNCS, *extras.funcs))
    # a method of net/http's, database/sql's... types is called on a value whose type the file
    # names (a parameter, a variable, a composite literal): without one of those imports,
    # `x.Get(k)` is some other Get, and proving it costs a scope table per function
    methods = file.imports_any({t.rpartition(".")[0] for t in (*METHODS, *extras.methods)})
    for call in _candidates(file, BASE_NAMES | extras.names, local.names, dotted):
        decl = file.root_function(call)
        if decl is None or decl.id in out or not every_call_runs(call, decl):
            continue
        if not methods and not _package_call(file, call):
            continue
        found = _match(file, call, extras, local)
        if found is None or not found.path or found.what in REQUEST_LIKE or not _relays(file, call, decl):
            continue
        if found.what in SOCKET_CALLS and local_network(call):
            continue
        if bounded_by_timeout(file, found.what, call, found.recv):
            continue
        if (not found.twin.by_default and not blocking_dial(call)) or raced_against_done(file, call):
            continue
        if closed_on_done(file, call, found.what):
            continue
        out[decl.id] = {"api": found.what, "at": where(file, call)}
    return out


def _package_call(file: GoFile, call: Node) -> bool:
    """`pkg.F(...)` with `pkg` an import's name: no receiver whose type needs proving."""
    operand = call_name(call)[0]
    return operand is None or (operand.type == "identifier" and file.import_path_of(text(operand)) is not None)


def _relays(file: GoFile, call: Node, decl: Node) -> bool:
    """The call runs for the function's caller: not deferred, not in a goroutine of its own, not
    cleanup (`closeConnection`, `Release`) nor once a context is done."""
    held = enclosing(call, _DETACHED_FROM_CALLER)
    return (held is None or not contains(decl, held)) and not runs_detached(file, call, decl)


_DETACHED_FROM_CALLER = frozenset({"defer_statement", "go_statement"})


def _check_wrappers(p: Pass) -> None:
    """Calls, where a caller context is at hand, of functions that call an API without its twin."""
    file = p.file
    seen: set[tuple[int, str]] = set()
    for call in calls_with_facts(file, frozenset(p.facts)):
        found = p.fact(call)
        outer = enclosing(call, NAMED_FUNCS)
        if found is None or outer is None or in_test_code(file, call):
            continue
        key, fact = found
        own_key = declared_key(file, outer) or ""
        if key == own_key:
            continue
        if (outer.id, key) in seen:
            continue  # one finding per calling function and callee: the fix is one parameter
        seen.add((outer.id, key))
        avail = passable_context(file, call)
        if avail is None or avail.decl.kind != "param" or borrowed(file, avail) or runs_late(call, avail):
            continue  # the function's own context: a local one may be spent or bounded already
        if runs_detached(file, call, outer):
            continue  # deferred, cleanup, or once the caller's context is done
        assert isinstance(fact, dict)
        p.report(
            call.child_by_field_name("function") or call,
            f"{short_name(key, own_key)} calls {fact['api']} without a context{via_text(fact, own_key)} "
            f"({fact['at']}): "
            f"give it a context parameter, pass {avail.expr} and use the context twin there",
        )


_CONTEXT_HINTS = (b"Context", b"context", b"Request", b"testing.")


def _may_see_context(file: GoFile, call: Node) -> bool:
    """A cheap look at the bytes of the outermost function around `call`: no context can be at
    hand without one of these words, and ruling that out spares building its scope table."""
    root = file.root_function(call)
    if root is None:
        return False
    seen: dict[int, bool] = file.memo("cg202.context_hints", dict)
    if root.id not in seen:
        body = file.source[root.start_byte : root.end_byte]
        seen[root.id] = any(h in body for h in _CONTEXT_HINTS)
    return seen[root.id]


def _candidates(file: GoFile, names: frozenset[str], local_names: frozenset[str], dotted: bool) -> list[Node]:
    """The calls by one of `names` (`x.Name(` or `pkg.Name(`; also a bare `Name(` when `dotted`,
    the file dot-importing a package whose functions count) or by one of the package's own
    `local_names` (bare or not). A regular expression over the bytes finds them, the tree at
    each hit confirms them: much cheaper than a query walking the whole tree."""
    found: dict[int, Node] = {}
    patterns = [_pattern(names, not dotted)]
    if local_names:
        patterns.append(_pattern(local_names, False))
    root = file.root
    for pattern in patterns:
        for m in pattern.finditer(file.source):
            start, end = m.span("name")
            node = root.descendant_for_byte_range(start, end)
            call = call_of_callee(node) if node is not None else None
            if call is not None:
                found[call.id] = call
    return sorted(found.values(), key=lambda n: n.start_byte)


@functools.lru_cache(maxsize=256)
def _pattern(names: frozenset[str], selected_only: bool) -> re.Pattern[bytes]:
    # a leading "." lets the engine skip ahead to candidate positions: ten times faster than \b
    alternatives = b"|".join(re.escape(n.encode()) for n in sorted(names, key=lambda n: (-len(n), n)))
    lead = rb"\.\s*" if selected_only else rb"\b"
    return re.compile(lead + rb"(?P<name>" + alternatives + rb")\s*\(")


def _match(
    file: GoFile, call: Node, extras: ExtraApis, local: LocalTwins, callee: tuple[Node, str] | None = None
) -> Match | None:
    """What `call` calls, when it is one of the APIs with a twin. `callee` is, for a call through a
    local variable, the selector the variable was bound to (`http.Get`) and the variable's name."""
    fn = unparen(call.child_by_field_name("function") if callee is None else callee[0])  # type: ignore[arg-type]
    via = "" if callee is None else callee[1]
    if fn.type == "selector_expression":
        operand: Node | None = fn.child_by_field_name("operand")
        name = text(fn.child_by_field_name("field"))
    else:
        operand, name = call_name(call)
    if operand is None:  # a dot-imported function, or one of this package's own
        if callee is not None:
            return None
        for path, table in (*PACKAGE_FUNCS.items(), *extras.funcs.items()):
            twin = table.get(name)
            if twin is not None and "." in file.names_for(path) and file.pkg_call(call, path) == name:
                shown = f"{default_import_name(path)}."
                return Match(f"{shown}{name}", twin, fn, None, shown, path)
        for path, table in extras.funcs.items():
            twin = table.get(name)
            if twin is not None and _declared_here(file, path, fn) and not _twin_ignores_context(file, None, twin):
                return Match(name, twin, fn, None, path=path)
        twin = local.funcs.get(name)
        if twin is not None and fn.type == "identifier" and not _is_local(file, fn) and not _inside(call, twin.name):
            return Match(name, twin, fn, None)
        return None
    name_node = fn.child_by_field_name("field")
    if name_node is None:
        return None
    written = operand  # as the message repeats it: `(&http.Client{}).Do`
    operand = unparen(operand)
    is_method = _has_method_named(name, extras, local)
    if operand.type == "identifier":
        path = file.import_path_of(text(operand)) or ""
        twin = (extras.funcs.get(path, {}).get(name) or PACKAGE_FUNCS.get(path, {}).get(name)) if path else None
        if twin is not None and file.refers_to_import(operand, path):
            shown = f"{default_import_name(path)}."
            return Match(f"{shown}{name}", twin, name_node, None, shown, path, via)
        if path:
            return None  # another package's function (a variable shadowing an import is not worth a scope table)
    if not is_method or _known_other_receiver(operand) or _passes_context(call):
        return None
    recv_type = expr_type(file, operand)
    if recv_type is None:
        return None
    found = _method_twin(file, strip_pointer(recv_type), name, extras, local, 0)
    if found is None or _inside(call, found[1].name):
        return None
    shown, twin, path = found
    return Match(f"{shown}.{name}", twin, name_node, written, path=path, via=via)


def _twin_ignores_context(file: GoFile, recv: str | None, twin: Twin) -> bool:
    """The twin is this package's own and declares it ignores its context (`_ context.Context`, unnamed)."""
    pkg = file.package
    if pkg is None:
        return False
    if recv is None:
        top = pkg.function(twin.name)
        tops = [top] if top is not None else []
    else:
        tops = [m for m in pkg.methods(twin.name) if m.receiver_type == recv]
    for top in tops:
        info = top.file.func_info(top.node)
        if info.params and is_context_type_text(top.file, info.params[0].type):
            return ignores_parameter(top.file, info, info.params[0].name)
    return False


def _indirect_calls(file: GoFile, names: frozenset[str]) -> list[tuple[Node, tuple[Node, str]]]:
    """Calls through a local variable declared to hold one of the APIs and never re-assigned:
    `get := http.Get` then `get(u)`, `fetch := client.Get` then `fetch(u)`; each with the selector
    and the variable's name."""
    out: list[tuple[Node, tuple[Node, str]]] = []
    for m in _value_pattern(names).finditer(file.source):
        start, end = m.span("name")
        field = file.root.descendant_for_byte_range(start, end)
        sel = field.parent if field is not None else None
        if sel is None or sel.type != "selector_expression" or sel.child_by_field_name("field") != field:
            continue
        values = sel.parent
        stmt = values.parent if values is not None and values.type == "expression_list" else None
        if stmt is None or len(expression_list(values)) != 1:
            continue
        if stmt.type == "short_var_declaration" and stmt.child_by_field_name("right") == values:
            left = expression_list(stmt.child_by_field_name("left"))
        elif stmt.type == "var_spec":
            left = stmt.children_by_field_name("name")
        else:
            continue
        decl = file.decl_of(left[0]) if len(left) == 1 and left[0].type == "identifier" else None
        scope = file.scope_for(sel)
        if decl is None or scope is None or decl.value != sel:
            continue
        refs = scope.refs(decl)
        if any(is_write(r) for r in refs):
            continue
        for ref in refs:
            call = ref.parent
            if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == ref:
                out.append((call, (sel, decl.name)))
    return out


@functools.lru_cache(maxsize=256)
def _value_pattern(names: frozenset[str]) -> re.Pattern[bytes]:
    """`x.Name` not called on the spot: a method value or a function value."""
    alternatives = b"|".join(re.escape(n.encode()) for n in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(rb"\.\s*(?P<name>" + alternatives + rb")\b(?!\s*[(\[])")


# `r.Header.Get`, `r.URL.Query().Get`, `r.Form.Get`, `req.URL.Query()`: http.Header, url.Values and
# url.URL, the most common `Get`s and `Query`s by far; recognised by shape so that no scope table
# is built to rule them out
_HEADER_FIELDS = frozenset({"Header", "Trailer", "Form", "PostForm", "URL"})
_VALUES_CALLS = frozenset({"Query", "Header"})


def _known_other_receiver(operand: Node) -> bool:
    if operand.type == "selector_expression":
        return text(operand.child_by_field_name("field")) in _HEADER_FIELDS
    if operand.type == "call_expression":
        return not call_args(operand) and call_name(operand)[1] in _VALUES_CALLS
    return False


_CTX_NAME = re.compile(r"(?i)ctx\w*|\w*ctx|.*\.Context\(\)|context\.\w+\(.*", re.DOTALL)


def _passes_context(call: Node) -> bool:
    """The first argument looks like a context (`kv.Get(ctx, key)`): none of the calls this rule
    knows takes one, and the look is cheaper than resolving the receiver's type."""
    args = call_args(call)
    return bool(args) and _CTX_NAME.fullmatch(text(args[0])) is not None


def _inside(call: Node, function_name: str) -> bool:
    """The call sits in the function of that name: a twin implemented with its plain variant
    (`FetchContext` running `Fetch` in a goroutine) is not to be sent back to itself."""
    fn = enclosing_function(call)
    while fn is not None and fn.type == "func_literal":
        fn = enclosing_function(fn)
    return fn is not None and text(fn.child_by_field_name("name")) == function_name


def _declared_here(file: GoFile, path: str, ident: Node) -> bool:
    """`ident` names a package-level function of the package `path`, and this is that package."""
    if _is_local(file, ident) or default_import_name(path) != file.package_name or file.package is None:
        return False
    return file.package.function(text(ident)) is not None


def _is_local(file: GoFile, ident: Node) -> bool:
    scope = file.scope_for(ident)
    return scope is not None and scope.is_local(ident)


def _has_method_named(name: str, extras: ExtraApis, local: LocalTwins) -> bool:
    return (
        any(name in t for t in METHODS.values())
        or any(name in t for t in extras.methods.values())
        or any(name in t for t in local.methods.values())
    )


def _method_twin(
    file: GoFile, recv: str, name: str, extras: ExtraApis, local: LocalTwins, depth: int
) -> tuple[str, Twin, str] | None:
    """How to show the type declaring method `name` of `recv` (following embedding), the twin, and
    the import path of that type ("" for one of the package's own twins)."""
    if depth > 4:
        return None
    recv = recv.split("[", 1)[0]  # a generic type's instantiation
    for key, table in extras.methods.items():
        if name in table and _same_type(file, recv, key):
            if recv != key and _twin_ignores_context(file, recv, table[name]):
                return None
            return f"(*{short_type(key)})", table[name], key.rpartition(".")[0]
    twin = METHODS.get(recv, {}).get(name)
    if twin is not None:
        return f"(*{short_type(recv)})", twin, recv.rpartition(".")[0]
    if recv in EMBEDDED:
        return _method_twin(file, EMBEDDED[recv], name, extras, local, depth + 1)
    pkg = file.package
    if "." in recv or pkg is None:
        return None  # another package's type we know nothing of
    if name in local.methods.get(recv, {}):
        shown, twin = local.methods[recv][name]
        return shown, twin, ""
    if any(m.receiver_type == recv for m in pkg.methods(name)):
        return None  # a method declared here, without a twin
    # promoted from an embedded field: the model names an embedded field after its type
    promoted = [
        found
        for fname, ftype in pkg.struct_fields(recv).items()
        if fname == strip_pointer(ftype).split("[", 1)[0].rsplit(".", 1)[-1]
        and (found := _method_twin(file, strip_pointer(ftype), name, extras, local, depth + 1)) is not None
    ]
    return promoted[0] if len(promoted) == 1 else None


def _same_type(file: GoFile, recv: str, key: str) -> bool:
    if recv == key:
        return True
    path, _, type_name = key.rpartition(".")
    # inside its own package a type is written without its path
    return recv == type_name and default_import_name(path) == file.package_name


def _message(m: Match, ctx: str, call: Node) -> str:
    twin = m.twin
    if twin.form == ADVICE:
        # not str.format: remedies hold composite literals' braces
        remedy = twin.name.replace("{ctx}", ctx).replace("{recv}", text(m.recv) if m.recv is not None else "")
    elif twin.form == NIL_OPTS:
        remedy = f"{twin.name}({ctx}, nil)"
    else:
        more = ", ..." if call_args(call) or twin.form == EXT else ""
        remedy = f"{m.qualifier}{twin.name}({ctx}{more})"
    what = f"{m.what} (called as {m.via})" if m.via else m.what
    return f"{what} {twin.problem}: use {remedy}"


def _fix(file: GoFile, m: Match, avail: AvailableContext, call: Node) -> Fix | None:
    twin = m.twin
    args_node = call.child_by_field_name("arguments")
    if twin.form == ADVICE or args_node is None or m.via:
        return None
    args = call_args(call)
    if twin.form == EXT and (not args or not _proven_ext(file, args[0])):
        return None  # the Context variant needs more methods than an arbitrary Queryer has
    ctx = avail.expr
    if twin.form == NIL_OPTS:
        if args:
            return None
        added = insert(args_node.end_byte - 1, f"{ctx}, nil")
    elif args:
        added = insert(args[0].start_byte, f"{ctx}, ")
    else:
        added = insert(args_node.end_byte - 1, ctx)
    return Fix(f"use {twin.name} with {ctx}", (replace(m.name_node, twin.name), added))


def _proven_ext(file: GoFile, arg: Node) -> bool:
    t = expr_type(file, arg)
    return t is not None and strip_pointer(t) in _SQLX_EXT_TYPES


def _validate_options(options: Mapping[str, tuple[str, ...]]) -> None:
    extras = parse_extra_apis(options.get("extra-apis", ()))
    known = everywhere_packages(extras)
    for entry in options.get("report-everywhere", ()):
        if entry != EVERYWHERE_ALL and entry not in known:
            raise ValueError(
                f"report-everywhere: {entry!r} is not a package this rule knows "
                f'(use "*" or one of: {", ".join(sorted(known))})'
            )


RULE = Rule(
    code="CG202",
    name="non-context-call",
    severity=Severity.WARNING,
    summary="call without context where a context-aware twin exists and a context is available",
    doc=DOC,
    check=check,
    # no needs_imports: which imports matter depends on report-everywhere; check() looks itself
    options={
        "extra-apis": 'more calls with a context-aware twin: "import/path.Func=Twin" or '
        '"import/path.*Type.Method=Twin" (the twin takes the context first)',
        "report-everywhere": 'import paths whose calls are reported even with no context in scope, as noctx does ("*": '
        'all of them, e.g. ["net/http", "database/sql"])',
    },
    validate_options=_validate_options,
    export_facts=export_facts,
)
