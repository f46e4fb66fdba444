"""Facts: what a rule learnt about the functions of one package, as plain data for the packages that import it.

As in go/analysis, facts belong to the rule that exports them and are keyed by the
function they describe: `example.com/m/store#fetchAll` for a function,
`example.com/m/store#Store.Get` for a method (value or pointer receiver alike; `#` because
import paths hold dots). A fact
value is JSON data (no parse trees), so it travels to worker processes and into the cache
with its package's result. A call is resolved to a key from the source alone; a call it
cannot resolve (an interface method, a function value, a type it cannot prove) has no fact,
and a missing fact means "unknown", never a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tree_sitter import Node

from ctxguard.gosrc.model import GoFile, base_type_name, default_import_name
from ctxguard.gosrc.syntax import text, unparen
from ctxguard.gosrc.types import expr_type, strip_pointer

# rule code -> function key -> the fact's value (JSON data)
FactTable = Mapping[str, Mapping[str, object]]
NO_FACTS: FactTable = MappingProxyType({})


def package_key(file: GoFile) -> str:
    """The prefix of this file's function keys: its package's import path, or, outside any
    module, a name for its directory (facts then stay within the package)."""
    pkg = file.package
    if pkg is None:
        return f"file:{file.path}"
    return pkg.import_path or f"dir:{pkg.directory}"


def declared_key(file: GoFile, decl: Node) -> str | None:
    """The key of a top-level function or method declaration (each rule with facts asks for
    every function's: computed once per file)."""
    keys: dict[int, str | None] = file.memo("facts.declared_keys", dict)
    if decl.id not in keys:
        keys[decl.id] = _declared_key(file, decl)
    return keys[decl.id]


def _declared_key(file: GoFile, decl: Node) -> str | None:
    name = text(decl.child_by_field_name("name"))
    if decl.type == "function_declaration":
        return f"{package_key(file)}#{name}"
    if decl.type == "method_declaration":
        # the receiver's type name from its text (`(s *Store[K])` -> Store): no FuncInfo needed
        receiver = decl.child_by_field_name("receiver")
        param = receiver.named_children[0] if receiver is not None and receiver.named_child_count else None
        kind = param.child_by_field_name("type") if param is not None else None
        if kind is None:
            return None
        return f"{package_key(file)}#{base_type_name(text(kind))}.{name}"
    return None


def callee_key(file: GoFile, call: Node) -> str | None:
    """The key of the function or method `call` calls, when the source proves which one it is:
    `f(...)` (a package-level function of this package, not a local variable), `pkg.F(...)`
    (an imported package's function) or `x.M(...)` with `x` of a named type the source shows."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    fn = unparen(fn)
    if fn.type == "generic_type":  # f[T](...)
        inner = fn.child_by_field_name("type")
        fn = inner if inner is not None else fn
    if fn.type == "identifier":
        scope = file.scope_for(fn)
        if scope is not None and scope.is_local(fn):
            return None
        return f"{package_key(file)}#{text(fn)}"
    if fn.type != "selector_expression":
        return None
    operand = fn.child_by_field_name("operand")
    field = fn.child_by_field_name("field")
    if operand is None or field is None:
        return None
    operand = unparen(operand)
    name = text(field)
    if operand.type == "identifier":
        path = file.import_path_of(text(operand))
        if path is not None and file.refers_to_import(operand, path):
            return f"{path}#{name}"
    t = expr_type(file, operand)
    if t is None:
        return None
    recv = base_type_name(strip_pointer(t))
    if not recv or not (recv[0].isalpha() or recv[0] == "_"):
        return None  # a map, slice, channel or function type: no methods of its own
    path, dot, type_name = recv.rpartition(".")
    return f"{path}#{type_name}.{name}" if dot else f"{package_key(file)}#{recv}.{name}"


def short_name(key: str, from_key: str = "") -> str:
    """How a message names a function: `fetchAll` within its own package (`from_key`'s),
    `store.fetchAll` or `store.Store.Get` from another."""
    path, _, name = key.partition("#")
    if path == from_key.partition("#")[0] or path.startswith(("dir:", "file:")):
        return name
    return f"{default_import_name(path)}.{name}"
