"""CG202 non-context-call: call without context that has a context-aware twin."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.findings import Fix, Severity
from ctxguard.gosrc.ctxfacts import AvailableContext
from ctxguard.gosrc.detach import runs_detached
from ctxguard.gosrc.facts import declared_key, short_name
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import (
    call_args,
    call_name,
    contains,
    enclosing,
    text,
)
from ctxguard.gosrc.testcode import in_test_code
from ctxguard.gosrc.types import SQL, SQLX, expr_type, strip_pointer
from ctxguard.rules.background_in_scope import passable_context
from ctxguard.rules.base import FactPass, Pass, Rule, insert, replace
from ctxguard.rules.callfacts import NAMED_FUNCS, calls_with_facts, every_call_runs, export_relayed, via_text, where
from ctxguard.rules.context_twin_exemptions import (
    DIALS,
    SOCKET_CALLS,
    blocking_dial,
    borrowed,
    bounded_by_timeout,
    closed_on_done,
    deadline_carried,
    local_network,
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
    everywhere_packages,
    parse_extra_apis,
)
from ctxguard.rules.request_exemptions import REQUEST_LIKE, request_needs_no_context
from ctxguard.rules.twin_calls import Match, candidates, indirect_calls, local_twins, match_call

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
  signed, never sent), or it is only taken apart (its fields and accessors read, or
  handed to a `fill...`/`sign...` function) and never reaches a client (its URL and
  headers go to another transport);
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
call such as `closeConnection`), of a package followed through helpers
(`relay-packages`: by default every package but `database/sql` and `sqlx`,
below). One finding per calling function and callee;
and the methods of one type are one finding per package, at the first such
call, which counts the others (`... (and 37 more methods of storage.Storage
called so in this package: Category, UpdateCategory, ...)`): a storage layer
whose methods take no context is one change to that type's API, not one fix
per handler.

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

`relay-packages`: import paths whose calls are followed through the helpers
that make them and reported where a helper is called with a context at hand
(`fetch.Page calls http.Get without a context`). By default every package this
rule knows but `database/sql` and `github.com/jmoiron/sqlx`: a helper that
queries without a context is, on mature code, a storage layer built without
contexts (its queries quick, its fix a redesign of the layer), and independent
triages judged 3 of 33 such findings worth fixing. `["*"]` follows them too; a
direct call, where the function itself has a context, is reported either way,
and `report-everywhere = ["database/sql"]` reports the storage layer's own
calls where they are made.

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
    local = local_twins(file)
    dotted = any(file.names_for(path) and "." in file.names_for(path) for path in (*PACKAGE_FUNCS, *extras.funcs))
    names = BASE_NAMES | extras.names
    calls = [(c, None) for c in candidates(file, names, local.names, dotted)]
    for call, callee in sorted([*calls, *indirect_calls(file, names)], key=lambda c: c[0].start_byte):
        sees = _may_see_context(file, call)
        if not sees and not everywhere:
            continue
        found = match_call(file, call, extras, local, callee)
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
            if not wide and found.what in REQUEST_LIKE and request_needs_no_context(file, call):
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
    relayed = _relayed_packages(fp.options, extras)
    by_file: dict[int, dict[int, dict[str, object]]] = {}

    def direct(file: GoFile, decl: Node) -> dict[str, object] | None:
        if id(file) not in by_file:
            by_file[id(file)] = _uncontexted_calls(file, extras, relayed)
        return by_file[id(file)].get(decl.id)

    export_relayed(fp, direct, _relays)


# A helper that queries a database without a context is, in the triages, a storage layer built
# without contexts (quick queries, changed only by redesigning the layer): 3 of 33 such findings
# were judged worth fixing, against most of those through an HTTP or network call
NOT_RELAYED_BY_DEFAULT = frozenset({SQL, SQLX})


def _relayed_packages(options: Mapping[str, tuple[str, ...]], extras: ExtraApis) -> frozenset[str]:
    """The import paths whose calls are followed through helpers that take no context."""
    chosen = options.get("relay-packages")
    known = everywhere_packages(extras)
    if chosen is None:
        return known - NOT_RELAYED_BY_DEFAULT
    return known if EVERYWHERE_ALL in chosen else frozenset(chosen)


def _uncontexted_calls(file: GoFile, extras: ExtraApis, relayed: frozenset[str]) -> dict[int, dict[str, object]]:
    """Per top-level function (by node id), the first call in it of a library API with a twin
    that CG202 would report had the function a context: not a request or command built for the
    caller to finish (it may add the context itself), nor the calls the default leaves out, nor
    those of a package not followed through helpers (`relayed`)."""
    local = local_twins(file)
    out: dict[int, dict[str, object]] = {}
    dotted = any(file.names_for(path) and "." in file.names_for(path) for path in (*PACKAGE_FUNCS, *extras.funcs))
    # a method of net/http's, database/sql's... types is called on a value whose type the file
    # names (a parameter, a variable, a composite literal): without one of those imports,
    # `x.Get(k)` is some other Get, and proving it costs a scope table per function
    methods = file.imports_any({t.rpartition(".")[0] for t in (*METHODS, *extras.methods)})
    for call in candidates(file, BASE_NAMES | extras.names, local.names, dotted):
        decl = file.root_function(call)
        if decl is None or decl.id in out or not every_call_runs(call, decl):
            continue
        if not methods and not _package_call(file, call):
            continue
        found = match_call(file, call, extras, local)
        if found is None or found.path not in relayed or found.what in REQUEST_LIKE or not _relays(file, call, decl):
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
    """Calls, where a caller context is at hand, of functions that call an API without its twin.
    The methods of one type are one finding per package, at the first such call: the remedy is
    one change to that type's API (a storage layer whose methods take no context), not one per
    call (miniflux: 282 findings, one per handler's call of a storage method, without this)."""
    file = p.file
    pkg = file.package
    if pkg is None:
        sites = _wrapper_sites((file,), p)
    else:
        sites = pkg.memo("cg202.wrapper_sites", lambda: _wrapper_sites(pkg.files, p))
    for site in sites:
        if site.file is file:
            p.report(site.node, site.message)


@dataclass(frozen=True)
class _WrapperSite:
    file: GoFile
    node: Node
    message: str


def _wrapper_sites(files: tuple[GoFile, ...], p: Pass) -> list[_WrapperSite]:
    """Every call a wrapper finding is due for, in file order; the calls of one type's methods
    folded into the first, which counts the rest."""
    sites: list[tuple[GoFile, Node, str, str, str]] = []  # file, node, callee key, caller key, message
    for file in files:
        seen: set[tuple[int, str]] = set()
        for call in calls_with_facts(file, frozenset(p.facts)):
            key, fact = p.fact(call, file) or ("", None)
            outer = enclosing(call, NAMED_FUNCS)
            if not isinstance(fact, dict) or outer is None or in_test_code(file, call):
                continue
            own_key = declared_key(file, outer) or ""
            if key == own_key or (outer.id, key) in seen:
                continue  # one finding per calling function and callee: the fix is one parameter
            seen.add((outer.id, key))
            avail = passable_context(file, call)
            if avail is None or avail.decl.kind != "param" or borrowed(file, avail) or runs_late(call, avail):
                continue  # the function's own context: a local one may be spent or bounded already
            if runs_detached(file, call, outer):
                continue  # deferred, cleanup, or once the caller's context is done
            message = (
                f"{short_name(key, own_key)} calls {fact['api']} without a context{via_text(fact, own_key)} "
                f"({fact['at']}): give it a context parameter, pass {avail.expr} and use the context twin there"
            )
            sites.append((file, call.child_by_field_name("function") or call, key, own_key, message))
    by_type: dict[str, list[str]] = {}
    for _, _, key, _, _ in sites:
        owner = _method_owner(key)
        if owner is not None and key not in by_type.setdefault(owner, []):
            by_type[owner].append(key)
    out: list[_WrapperSite] = []
    reported: set[str] = set()
    for file, node, key, own_key, message in sites:
        owner = _method_owner(key)
        if owner is None:
            out.append(_WrapperSite(file, node, message))
            continue
        if owner in reported:
            continue
        reported.add(owner)
        others = [k.rpartition(".")[2] for k in by_type[owner] if k != key]
        if others:
            shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            more = f"{len(others)} more method{'s' if len(others) > 1 else ''} of {short_name(owner, own_key)}"
            message += f" (and {more} called so in this package: {shown})"
        out.append(_WrapperSite(file, node, message))
    return out


def _method_owner(key: str) -> str | None:
    """`path#Type` for the key of a method (`path#Type.Method`); None for a function."""
    path, _, name = key.partition("#")
    type_name, dot, _ = name.rpartition(".")
    return f"{path}#{type_name}" if dot else None


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
    for name in ("report-everywhere", "relay-packages"):
        for entry in options.get(name, ()):
            if entry != EVERYWHERE_ALL and entry not in known:
                raise ValueError(
                    f"{name}: {entry!r} is not a package this rule knows "
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
        "relay-packages": "import paths whose calls are reported through the helpers that make them, at the call "
        'of the helper (default: all but database/sql and sqlx; "*": all)',
    },
    validate_options=_validate_options,
    export_facts=export_facts,
)
