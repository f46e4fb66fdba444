"""CG301 builtin-context-key: context.WithValue key of a built-in type."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ctxguard.findings import Severity
from ctxguard.gosrc.ctxfacts import stored_values
from ctxguard.gosrc.model import GoFile
from ctxguard.gosrc.syntax import call_args, call_name, expression_list, specs, text, unparen
from ctxguard.gosrc.types import expr_type
from ctxguard.rules.base import Pass, Rule

DOC = """\
## What it finds
A `context.WithValue` call whose key has a built-in type: a string, number or
rune literal, a conversion like `string(x)`, or a constant, variable or struct
field whose type is `string`, `int` or another predeclared type (untyped
constants included, since they become `string`, `int`, ... in the interface).
Constants and variables are followed through local and package-level
declarations, `iota` blocks included. An alias of a built-in type
(`type key = string`) is the built-in type itself. An empty anonymous struct
(`struct{}{}`) is the same type in every package and collides the same way.
A key that is not comparable (a slice, map or function, or a package struct
holding one) is reported too: `WithValue` panics on it.

A key of a named type declared in the package, even one whose underlying type
is built-in (`type ctxKey string`), is the recommended pattern and is not
reported; nor are keys whose type cannot be established (another package's
exported key, an `any` variable). Reads (`ctx.Value("k")`) are not reported:
the write decides the key's type, and fixing it forces the reads to follow.

## Why it matters
All packages share one key space per context chain. Two packages that both
store under `"user"` (or `1`) silently overwrite each other's value, and the
reader's type assertion fails or, worse, succeeds on a foreign value. A key of
an unexported type can only be produced by its own package, so it cannot
collide.

Opt-in (`--select CG301` or `extend-select`): a collision, not a leak. On
mature repositories the instances found were unique strings used inside one
package, which two of the three independent reviewers judged harmless in
practice. staticcheck's SA1029 reports the same keys by default, so a
golangci-lint user already sees them.

## Bad
```go
ctx = context.WithValue(ctx, "user", u)
```

## Good
```go
type userKey struct{}

ctx = context.WithValue(ctx, userKey{}, u)
```
"""

BUILTIN_TYPES = frozenset(
    {
        "bool",
        "string",
        "int",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "uintptr",
        "float32",
        "float64",
        "complex64",
        "complex128",
        "byte",
        "rune",
    }
)

# the type an untyped constant of each literal kind takes when stored in an interface
_LITERALS = {
    "interpreted_string_literal": "string",
    "raw_string_literal": "string",
    "int_literal": "int",
    "float_literal": "float64",
    "imaginary_literal": "complex128",
    "rune_literal": "rune",
    "true": "bool",
    "false": "bool",
    "iota": "int",
}

_MAX_DEPTH = 8


@dataclass(frozen=True)
class _TopValue:
    """A package-level constant or variable: its declared type and initialiser, as written."""

    file: GoFile
    type_node: Node | None
    value: Node | None


@dataclass(frozen=True)
class _TopDecls:
    values: dict[str, _TopValue]
    builtin_aliases: dict[str, str]  # `type key = string` -> {"key": "string"}


def check(p: Pass) -> None:
    file = p.file
    for stored in stored_values(file):
        d, key = stored.derivation, stored.key
        shown = text(key) if len(text(key)) <= 40 else text(key)[:37] + "..."
        fn = unparen(d.call.child_by_field_name("function"))  # type: ignore[arg-type]
        bad = _incomparable(file, key)
        if bad is not None:
            p.report(key, f"{text(fn)} key {shown} has type {bad}, which is not comparable: WithValue panics")
            continue
        builtin = _builtin_type(file, key, 0)
        if builtin is None:
            continue
        if builtin == "struct{}":
            why = "is an empty anonymous struct, the same type in every package, so every such key collides"
        else:
            why = f"has built-in type {builtin}: any package storing the same {builtin} value collides with it"
        p.report(key, f"{text(fn)} key {shown} {why}; use a value of an unexported key type (type ctxKey struct{{}})")


_INCOMPARABLE = ("[]", "map[", "func(")


def _incomparable(file: GoFile, key: Node) -> str | None:
    """The key's type when it is a slice, map or function, or a package struct holding one
    directly: `context.WithValue` panics on a key that is not comparable."""
    kt = expr_type(file, key)
    if kt is None or kt.startswith("untyped"):
        return None
    if kt.startswith(_INCOMPARABLE):
        return kt
    if file.package is not None and not kt.startswith("*") and "." not in kt:
        fields = file.package.struct_fields(kt)
        if any(t.startswith(_INCOMPARABLE) for t in fields.values()):
            return kt
    return None


def _builtin_type(file: GoFile, expr: Node, depth: int) -> str | None:
    """The predeclared type `expr` has once stored in an interface, or None when it has another
    type or the type cannot be established."""
    if depth > _MAX_DEPTH:
        return None
    expr = unparen(expr)
    t = expr.type
    if t in _LITERALS:
        return _LITERALS[t]
    if t == "identifier":
        return _ident_builtin(file, expr, depth)
    if t == "call_expression":
        return _conversion_builtin(file, expr)
    if t == "binary_expression":
        op = expr.child_by_field_name("operator")
        if op is not None and text(op) in ("==", "!=", "<", "<=", ">", ">=", "&&", "||"):
            return "bool"
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        if op is None or left is None or right is None or text(op) in ("<<", ">>"):
            return None
        # both operands have the same type; an untyped literal side takes the other's
        lt, rt = _builtin_type(file, left, depth + 1), _builtin_type(file, right, depth + 1)
        if lt is None or rt is None:
            return None
        return lt if unparen(left).type not in _LITERALS else rt
    if t == "selector_expression":
        return _type_builtin(file, expr_type(file, expr))
    if t == "composite_literal":
        kind = expr.child_by_field_name("type")
        return "struct{}" if kind is not None and _empty_struct(kind) else None
    return None


def _empty_struct(type_node: Node) -> bool:
    """`struct{}` written in place: identical in every package, so it collides like a built-in."""
    if type_node.type != "struct_type":
        return False
    fields = next((c for c in type_node.named_children if c.type == "field_declaration_list"), None)
    return fields is None or not any(c.type == "field_declaration" for c in fields.named_children)


def _ident_builtin(file: GoFile, ident: Node, depth: int) -> str | None:
    decl = file.decl_of(ident)
    if decl is not None:
        if decl.kind not in ("var", "const", "param", "receiver", "result"):
            return None
        if decl.type_node is not None:
            return _type_node_builtin(file, decl.type_node)
        if decl.value is None or decl.value_index != 0:
            return None
        return _builtin_type(file, decl.value, depth + 1)
    scope = file.scope_for(ident)
    if scope is not None and scope.is_local(ident):
        return None
    pkg = file.package
    name = text(ident)
    if pkg is not None:
        for f in pkg.files:
            top = _top_decls(f).values.get(name)
            if top is not None:
                if top.type_node is not None:
                    return _type_node_builtin(top.file, top.type_node)
                return None if top.value is None else _builtin_type(top.file, top.value, depth + 1)
    return None


def _conversion_builtin(file: GoFile, call: Node) -> str | None:
    """`string(b)`, `int64(n)`, `key("x")` for `type key = string`: a conversion to a built-in type."""
    operand, name = call_name(call)
    fn = unparen(call.child_by_field_name("function"))  # type: ignore[arg-type]
    if operand is not None or fn.type != "identifier" or len(call_args(call)) != 1:
        return None
    scope = file.scope_for(fn)
    if scope is not None and scope.is_local(fn):
        return None
    return _type_builtin(file, name)


def _type_node_builtin(file: GoFile, type_node: Node) -> str | None:
    if _empty_struct(type_node):
        return "struct{}"
    if type_node.type != "type_identifier":
        return None
    return _type_builtin(file, text(type_node))


def _type_builtin(file: GoFile, type_text: str | None) -> str | None:
    """`type_text` names a predeclared type (directly or through a package alias)."""
    if type_text is None:
        return None
    if type_text.startswith("untyped "):
        type_text = type_text.removeprefix("untyped ")
        return {"float": "float64", "rune": "rune"}.get(type_text, type_text)
    pkg = file.package
    files = pkg.files if pkg is not None else (file,)
    for f in files:
        aliased = _top_decls(f).builtin_aliases.get(type_text)
        if aliased is not None:
            return aliased
    if type_text in BUILTIN_TYPES:
        if pkg is not None and any(_declares_type(f, type_text) for f in files):
            return None  # a package type shadowing the predeclared name
        return type_text
    return None


def _declares_type(file: GoFile, name: str) -> bool:
    return name in file.memo("cg301.types", lambda: _type_names(file))


def _type_names(file: GoFile) -> frozenset[str]:
    names: set[str] = set()
    for decl in file.root.named_children:
        if decl.type == "type_declaration":
            for spec in decl.named_children:
                if spec.type in ("type_spec", "type_alias"):
                    names.add(text(spec.child_by_field_name("name")))
    return frozenset(names)


def _top_decls(file: GoFile) -> _TopDecls:
    return file.memo("cg301.toplevel", lambda: _read_top_decls(file))


def _read_top_decls(file: GoFile) -> _TopDecls:
    values: dict[str, _TopValue] = {}
    aliases: dict[str, str] = {}
    for decl in file.root.named_children:
        if decl.type == "type_declaration":
            for spec in decl.named_children:
                target = spec.child_by_field_name("type") if spec.type == "type_alias" else None
                if target is not None and target.type == "type_identifier" and text(target) in BUILTIN_TYPES:
                    aliases[text(spec.child_by_field_name("name"))] = text(target)
        elif decl.type in ("const_declaration", "var_declaration"):
            kind = decl.type.removesuffix("_declaration") + "_spec"
            # an untyped, valueless const spec repeats the previous spec's type and expressions
            prev_type: Node | None = None
            prev_values: list[Node] = []
            for spec in specs(decl, kind):
                type_node = spec.child_by_field_name("type")
                vals = expression_list(spec.child_by_field_name("value"))
                if kind == "const_spec" and type_node is None and not vals:
                    type_node, vals = prev_type, prev_values
                prev_type, prev_values = type_node, vals
                names = spec.children_by_field_name("name")
                for i, n in enumerate(names):
                    value = vals[i] if len(vals) == len(names) else None
                    values[text(n)] = _TopValue(file, type_node, value)
    return _TopDecls(values, aliases)


RULE = Rule(
    code="CG301",
    name="builtin-context-key",
    severity=Severity.WARNING,
    summary="context.WithValue key of a built-in type",
    doc=DOC,
    check=check,
    needs_imports=frozenset({"context"}),
    # a key that can collide, not a leak: the triages found every instance on mature code
    # harmless (a unique string used in one package), and staticcheck's SA1029 reports it
    default=False,
)
