"""Which calls reach an API with a context-aware twin (CG202): found in the bytes, confirmed on
the tree, resolved to the function or method they call (the known APIs, `extra-apis`, and the
linted package's own `Fetch`/`FetchContext` pairs)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from tree_sitter import Node

from ctxguard.gosrc.ctxfacts import is_context_type_text, is_write
from ctxguard.gosrc.model import GoFile, default_import_name
from ctxguard.gosrc.nochange import ignores_parameter
from ctxguard.gosrc.syntax import (
    call_args,
    call_name,
    call_of_callee,
    enclosing_function,
    expression_list,
    text,
    unparen,
)
from ctxguard.gosrc.types import EMBEDDED, expr_type, short_type, strip_pointer
from ctxguard.rules.context_twins import METHODS, PACKAGE_FUNCS, ExtraApis, Twin


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


def local_twins(file: GoFile) -> LocalTwins:
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


def candidates(file: GoFile, names: frozenset[str], local_names: frozenset[str], dotted: bool) -> list[Node]:
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


def match_call(
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


def indirect_calls(file: GoFile, names: frozenset[str]) -> list[tuple[Node, tuple[Node, str]]]:
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
