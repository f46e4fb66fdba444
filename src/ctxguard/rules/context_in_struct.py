"""CG303 context-in-struct: context.Context stored in a struct field."""

from __future__ import annotations

import re
from collections.abc import Callable

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc.model import TESTING_TYPES, FuncInfo, GoFile, base_type_name
from ctxguard.gosrc.syntax import (
    enclosing_function,
    expression_list,
    has_token,
    text,
    unparen,
    walk,
)
from ctxguard.rules.base import Pass, Rule
from ctxguard.rules.one_shot_structs import first_named, local_one_shot, methods_of

DOC = """\
## What it finds
A struct field of type `context.Context`, named (`ctx context.Context`) or
embedded (`context.Context`), in a type declaration or in an anonymous struct
type (package-level variables, function bodies, nested structs).

## Why it matters
A context belongs to one call: its deadline, its cancellation and its values
describe that call. Stored in a struct, it outlives the call (see the Go blog,
"Contexts and structs"): methods run under a caller's context they never saw,
so the caller's cancellation and deadline are ignored, and a long-lived struct
keeps the stored context, everything hung on it with `WithValue`, and the
parent chain reachable for its own lifetime.

Not reported, because the struct's lifetime is the context's on purpose:
- **context implementations**: a type with a `Deadline`, `Done`, `Err` or `Value`
  method (a wrapper overriding what it embeds, or a detached context delegating
  `Value` to a stored parent), or a struct that is nothing but an embedded
  `context.Context` (`struct{ context.Context }` with, say, a `String` method);
- **call-scoped objects**: a type with a `Context()` or `WithContext` method
  (the `net/http.Request` pattern the Go blog recommends for backwards
  compatibility, gRPC stream wrappers), or an adapter to an interface whose
  methods take no context (`Read`, `Write`, `RecvMsg`, `SendMsg`);
- **lifecycle owners**: a struct that also holds the context's cancel function
  (`context.CancelFunc`/`CancelCauseFunc`, or a `func()` field named `cancel...`
  or `stop...`): it created the context and ends it in `Close`/`Stop`;
- **messages**: a type (or anonymous struct) sent over a channel, carrying a
  request's context to the worker that handles the request;
- **parameter objects**: types named `...Options`, `...Opts`, `...Config`,
  `...Cfg`, `...Params`, `...Args`, `...Request` or `...Req`, built for one call,
  and call-context objects named `...Context` or `...Ctx` (`sendBatchContext`);
- **anonymous struct literals**: `[]struct{ ctx context.Context; ... }{...}`
  tables and one-off `struct{...}{...}` values, which live in a local variable;
- **one-shot builders**: a type with a chain method returning its own receiver
  (`func (t *txn) If(...) Txn { ...; return t }`) and a terminal `Build`,
  `Commit`, `Do`, `Exec`, `Execute` or `Send` method that runs what the chain
  built: each value serves one operation, as etcd's
  `kv.Txn(ctx).If(...).Then(...).Commit()`;
- **local one-shot values**: an unexported type whose every value is built
  with the context inside a function and never leaves it: kept in local
  variables (and in slices, maps or structs built there), used through its
  fields and methods, or handed as an argument to a call (a function of the
  package is checked in turn; another package's is taken to use it during the
  call); never returned, stored in a field or a global, sent on a channel, run
  by a goroutine or captured by a callback; its methods do not let the
  receiver go either, nor set the context field. The value dies with the call
  whose context it holds (a download descriptor built for one `Download`);
- **test code**: `_test.go` files, and structs holding a `*testing.T`/`B`/`F` or
  `testing.TB` (test tables, suites and harnesses live for one test).

A struct that embeds `context.Context` next to other fields without overriding
any context method is reported: it carries a context, it does not implement one.
Outside these, a struct returned by its constructor (`newHandler(ctx)`),
stored in a long-lived one, run by a goroutine, or given its context by a
method (`Start(ctx)`) is reported: it outlives the call its context belongs to.

## Bad
```go
type Carts struct {
	db  *sql.DB
	ctx context.Context // captured once, used by every request
}

func (c *Carts) Add(item string) error {
	_, err := c.db.ExecContext(c.ctx, "INSERT ...", item)
	return err
}
```

## Good
```go
type Carts struct {
	db *sql.DB
}

func (c *Carts) Add(ctx context.Context, item string) error {
	_, err := c.db.ExecContext(ctx, "INSERT ...", item)
	return err
}
```
"""

# a method of context.Context makes a type a context implementation; the others make it a call-scoped object:
# net/http.Request's WithContext/Context pair, or an adapter to an interface whose methods take no context
# (io.Reader, io.Writer, gRPC streams)
CONTEXT_METHODS = ("Deadline", "Done", "Err", "Value")
CALL_SCOPED_METHODS = ("WithContext", "Context", "Read", "Write", "RecvMsg", "SendMsg")
CANCEL_TYPES = frozenset({"context.CancelFunc", "context.CancelCauseFunc"})
_CANCEL_NAME = re.compile(r"(?i)cancel|stop")
_PARAM_OBJECT = re.compile(
    r"(?:^|(?<=[a-z0-9_]))(?:Options|Opts|Config|Cfg|Params|Args|Request|Req|Context|Ctx)$"
    r"|^(?:options|opts|config|cfg|params|args|request|req)$"
)
# `chan T`, `chan<- *T`, `<-chan []T`: the element type's name
_CHAN_ELEM = re.compile(rb"\bchan\b\s*(?:<-\s*)?(?:[*\s]|\[\])*([A-Za-z_]\w*)")
# types whose values pass through to another struct type: climb through them to find the use
_WRAPPING_TYPES = frozenset({"slice_type", "array_type", "map_type", "pointer_type", "parenthesized_type"})


def check(p: Pass) -> None:
    file = p.file
    if file.path.endswith("_test.go"):
        return
    for field in _context_fields(file):
        struct = field.parent.parent if field.parent is not None else None
        if struct is None or struct.type != "struct_type":
            continue
        owner, anonymous = _owner(struct)
        if _exempt(file, struct, owner, anonymous):
            continue
        names = [text(n) for n in field.children_by_field_name("name")]
        where = "an anonymous struct" if anonymous else owner
        if not names:
            p.report(
                field,
                f"{where} embeds context.Context without overriding any of its methods, carrying a context beyond "
                "the call it belongs to: pass ctx as the first parameter of the methods that need it",
            )
            continue
        label = (
            f"fields {', '.join(names)} of {where} store" if len(names) > 1 else f"field {names[0]} of {where} stores"
        )
        p.report(
            field,
            f"{label} a context.Context beyond the call it belongs to (stale cancellation and values, "
            "a context chain kept reachable): pass ctx as the first parameter of the methods that need it",
        )


def _context_fields(file: GoFile) -> list[Node]:
    """Field declarations whose type is context.Context: found from the bytes, confirmed on the tree."""
    names = file.names_for("context")
    patterns = [re.escape(n.encode()) + rb"\s*\.\s*Context\b" for n in names if n not in (".", "_")]
    if "." in names:
        patterns.append(rb"(?<![.\w])Context\b")
    if not patterns:
        return []
    found: list[Node] = []
    seen: set[int] = set()
    for m in re.finditer(b"|".join(patterns), file.source):
        node = file.root.descendant_for_byte_range(m.start(), m.end())
        if node is None or node.type not in ("qualified_type", "type_identifier"):
            continue  # a comment, a string, a selector expression: not a type
        field = node.parent
        if (
            field is None
            or field.type != "field_declaration"
            or field.child_by_field_name("type") != node
            or has_token(field, "*")
            or field.id in seen
        ):
            continue
        if node.type == "qualified_type" and text(node.child_by_field_name("name")) != "Context":
            continue
        seen.add(field.id)
        found.append(field)
    return found


def _owner(struct: Node) -> tuple[str, bool]:
    """The name the struct is known by ("T", "T.inner") and whether no type declaration names it."""
    parent = struct.parent
    if parent is not None and parent.type in ("type_spec", "type_alias"):
        return text(parent.child_by_field_name("name")), False
    if parent is not None and parent.type == "field_declaration":
        outer = parent.parent.parent if parent.parent is not None else None
        names = parent.children_by_field_name("name")
        if outer is not None and outer.type == "struct_type" and names:
            base, anonymous = _owner(outer)
            if not anonymous:
                return f"{base}.{text(names[0])}", False
    return "", True


def _exempt(file: GoFile, struct: Node, owner: str, anonymous: bool) -> bool:
    if _owns_cancel_or_test(file, struct):
        return True
    if anonymous:
        return _literal_or_message(struct)
    type_name = owner.split(".", 1)[0]
    if _PARAM_OBJECT.search(type_name):
        return True
    if type_name in _channel_elements(file):
        return True
    if _context_or_call_scoped(file, type_name) or _fluent_builder(file, type_name):
        return True
    return "." not in owner and local_one_shot(file, type_name, _context_field_names(file, struct))


def _owns_cancel_or_test(file: GoFile, struct: Node) -> bool:
    """The struct also keeps the context's cancel function (it owns the context's lifetime), or a
    *testing.T (it lives for one test), or it is nothing but an embedded context (a pure wrapper)."""
    fields = next((c for c in struct.named_children if c.type == "field_declaration_list"), None)
    decls = [fd for fd in (fields.named_children if fields is not None else []) if fd.type == "field_declaration"]
    if len(decls) == 1 and not decls[0].children_by_field_name("name"):
        return True
    for fd in decls:
        tt = file.type_text(fd.child_by_field_name("type"))
        if has_token(fd, "*"):
            tt = "*" + tt  # an embedded *testing.T
        if tt in TESTING_TYPES:
            return True
        if tt in CANCEL_TYPES or ("." in file.names_for("context") and tt in ("CancelFunc", "CancelCauseFunc")):
            return True
        if tt.startswith("func(") and any(_CANCEL_NAME.search(text(n)) for n in fd.children_by_field_name("name")):
            return True
    return False


def _literal_or_message(struct: Node) -> bool:
    """An anonymous struct that types a composite literal (a table, a one-off value) or a channel's elements."""
    node = struct
    while node.parent is not None and node.parent.type in _WRAPPING_TYPES:
        node = node.parent
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "composite_literal" and parent.child_by_field_name("type") == node:
        return True
    return parent.type == "channel_type"


def _channel_elements(file: GoFile) -> frozenset[str]:
    """Names of the types that the package sends over channels (`chan T`, `chan *T`, `<-chan []T`)."""
    files = file.package.files if file.package is not None else (file,)
    out: set[str] = set()
    for f in files:
        out |= f.memo("cg303.chan-elems", _chan_elements_of(f))
    return frozenset(out)


def _chan_elements_of(file: GoFile) -> Callable[[], frozenset[str]]:
    return lambda: frozenset(m.decode() for m in _CHAN_ELEM.findall(file.source))


def _context_or_call_scoped(file: GoFile, type_name: str) -> bool:
    """The type declares a method of context.Context, or is a call-scoped object (CALL_SCOPED_METHODS)."""
    methods: list[tuple[GoFile, Node]] = []
    if file.package is not None:
        for name in (*CONTEXT_METHODS, *CALL_SCOPED_METHODS):
            methods.extend((tf.file, tf.node) for tf in file.package.methods(name) if tf.receiver_type == type_name)
    else:
        for info in file.functions():
            recv = info.receiver
            if recv is not None and base_type_name(recv.type) == type_name:
                methods.append((file, info.node))
    return any(_context_signature(f.func_info(node)) for f, node in methods)


def _context_signature(info: FuncInfo) -> bool:
    """The method has the signature its name promises (a compactor's Write(dir) is no io.Writer)."""
    method = info.name.rsplit(".", 1)[-1]
    params = [p.type for p in info.params]
    if method in ("Deadline", "Done", "Err"):
        return not params
    if method == "Context":
        return not params and len(info.results) == 1 and info.results[0].type in ("context.Context", "Context")
    if method == "Value":
        return len(params) == 1
    if method in ("Read", "Write"):
        return params == ["[]byte"] and len(info.results) == 2
    if method in ("RecvMsg", "SendMsg"):
        return params in (["any"], ["interface{}"])
    if method == "WithContext":
        return bool(params) and params[0] in ("context.Context", "Context")
    return False


# the method that runs what a fluent builder's chain has built
TERMINAL_METHODS = frozenset({"Build", "Commit", "Do", "Exec", "Execute", "Send"})


def _fluent_builder(file: GoFile, type_name: str) -> bool:
    """A one-shot builder: a chain method hands back its own receiver (`return b`) and a terminal
    method (TERMINAL_METHODS) runs what the chain built, like etcd's `kv.Txn(ctx).If(...).Then(...).Commit()`."""
    methods = methods_of(file, type_name)
    names = {info.name.rsplit(".", 1)[-1] for _, info in methods}
    return bool(names & TERMINAL_METHODS) and any(_returns_receiver(info) for _, info in methods)


def _returns_receiver(info: FuncInfo) -> bool:
    """Every return statement of the method (a single result) returns its receiver."""
    recv = info.receiver
    if recv is None or recv.name in ("", "_") or len(info.results) != 1 or info.body is None:
        return False
    returns = [r for r in walk(info.body) if r.type == "return_statement" and enclosing_function(r) == info.node]
    return bool(returns) and all(
        [text(unparen(e)) for e in expression_list(first_named(r))] == [recv.name] for r in returns
    )


def _context_field_names(file: GoFile, struct: Node) -> frozenset[str]:
    """The names of the struct's context fields (an embedded one is named Context)."""
    names: set[str] = set()
    for field in _context_fields(file):
        if field.parent is not None and field.parent.parent == struct:
            names.update(text(n) for n in field.children_by_field_name("name"))
            if not field.children_by_field_name("name"):
                names.add("Context")
    return frozenset(names)


RULE = Rule(
    code="CG303",
    name="context-in-struct",
    severity=Severity.WARNING,
    summary="context.Context stored in a struct field",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
    needs_text=(b"struct",),
    # style: a long-lived server keeping its own lifetime context as a stop signal is common
    # and no leak; an independent triage on moby, etcd and prometheus judged most findings so
    default=False,
)
