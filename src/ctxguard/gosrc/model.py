"""The package model: files, imports, declarations and lazily built analyses.

Rules ask this model; they do not re-parse. Everything expensive (scope
tables, control-flow graphs, per-file facts) is computed at most once per
file, on first request, and only for the functions a rule asks about.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from tree_sitter import Node, Tree

from ctxguard.gosrc.cfg import CFG, build_cfg
from ctxguard.gosrc.parse import matches
from ctxguard.gosrc.scope import Decl, ScopeTable
from ctxguard.gosrc.syntax import FUNC_TYPES, call_name, has_token, specs, text, unparen

T = TypeVar("T")

TESTING_TYPES = frozenset({"*testing.T", "*testing.B", "*testing.F", "testing.TB"})
# Packages whose functions of these names are drop-in replacements for package context's: every rule
# treats a call of one as the context call it replaces (ctxguard's Go module tracks each derivation).
CONTEXT_DROP_INS: dict[str, frozenset[str]] = {
    "ctxguard.dev/go/ctxtrack": frozenset(
        {"WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause"}
    ),
}


@dataclass(frozen=True)
class Import:
    path: str
    name: str  # the local name: an alias, ".", "_" or the package's default name
    line: int


@dataclass(frozen=True)
class Param:
    name: str  # "" for an unnamed parameter
    type: str  # qualified type text, e.g. "context.Context", "*net/http.Request"
    node: Node | None


@dataclass(frozen=True)
class FuncInfo:
    node: Node
    name: str  # "F", "T.M", or "F.func1" for literals
    receiver: Param | None
    params: tuple[Param, ...]
    results: tuple[Param, ...]
    body: Node | None


def base_type_name(type_text: str) -> str:
    """The named type behind a receiver or variable type: `*Cache[K, V]` -> `Cache`."""
    return type_text.lstrip("*").split("[")[0]


@functools.lru_cache(maxsize=4096)
def default_import_name(path: str) -> str:
    parts = path.split("/")
    last = parts[-1]
    if re.fullmatch(r"v[0-9]+", last) and len(parts) > 1:
        last = parts[-2]
    last = re.sub(r"\.v[0-9]+$", "", last)
    last = re.sub(r"^go-|-go$", "", last)
    return re.sub(r"[^A-Za-z0-9_]", "_", last)


def _read_imports(root: Node) -> tuple[str, tuple[Import, ...]]:
    pkg = ""
    imports: list[Import] = []
    for decl in root.named_children:
        if decl.type == "package_clause":
            pkg = text(decl.named_children[0]) if decl.named_child_count else ""
        elif decl.type == "import_declaration":
            specs: list[Node] = []
            for c in decl.named_children:
                if c.type == "import_spec":
                    specs.append(c)
                elif c.type == "import_spec_list":
                    specs.extend(x for x in c.named_children if x.type == "import_spec")
            for spec in specs:
                path_node = spec.child_by_field_name("path")
                path = text(path_node).strip('"`')
                name_node = spec.child_by_field_name("name")
                name = text(name_node) if name_node is not None else default_import_name(path)
                imports.append(Import(path, name, spec.start_point[0] + 1))
        elif decl.type not in ("comment",):
            break  # imports precede every other declaration
    return pkg, tuple(imports)


class GoFile:
    """One parsed Go file and its lazily computed analyses."""

    def __init__(self, path: str, source: bytes, tree: Tree) -> None:
        self.path = path
        self.source = source
        self.tree = tree
        self.root = tree.root_node
        self.package_name, self.imports = _read_imports(self.root)
        self.package: Package | None = None
        self._names: dict[str, frozenset[str]] = {}
        for imp in self.imports:
            self._names[imp.path] = self._names.get(imp.path, frozenset()) | {imp.name}
        self._memo: dict[str, object] = {}
        self._scopes: dict[int, ScopeTable] = {}
        self._declarable: dict[tuple[int, str], bool] = {}
        self._funcs: dict[int, FuncInfo] = {}
        self._cfgs: dict[int, CFG] = {}

    # -- imports ---------------------------------------------------------
    def names_for(self, import_path: str) -> frozenset[str]:
        """Local names under which `import_path` is visible ("." for a dot import)."""
        return self._names.get(import_path, frozenset())

    def imports_any(self, paths: Iterable[str]) -> bool:
        return any(p in self._names for p in paths)

    def import_path_of(self, local_name: str) -> str | None:
        for imp in self.imports:
            if imp.name == local_name:
                return imp.path
        return None

    def refers_to_import(self, ident: Node, import_path: str) -> bool:
        """`ident` is the package name of `import_path`, not a local variable shadowing it."""
        name = text(ident)
        if name not in self.names_for(import_path):
            return False
        if not self._may_declare(ident, name):
            return True
        scope = self.scope_for(ident)
        return scope is None or not scope.is_local(ident)

    def _may_declare(self, node: Node, name: str) -> bool:
        """Whether the function holding `node` could declare a local `name`: every declaration
        writes the name without a `.` after it, so a function that only ever writes `name.`
        (a package's calls) cannot shadow the package, and needs no scope table to say so."""
        root = self.root_function(node)
        if root is None:
            return False
        key = (root.id, name)
        found = self._declarable.get(key)
        if found is None:
            body = self.source[root.start_byte : root.end_byte]
            pattern = rb"(?<![\w.])" + re.escape(name.encode()) + rb"\b(?!\s*\.)"
            found = self._declarable[key] = re.search(pattern, body) is not None
        return found

    def pkg_call(self, call: Node, import_path: str) -> str | None:
        """The function name if `call` calls `import_path`.F (qualified or dot-imported); for
        package context, also its drop-in replacements (CONTEXT_DROP_INS)."""
        name = self._pkg_call(call, import_path)
        if name is None and import_path == "context":
            for path, names in CONTEXT_DROP_INS.items():
                if path in self._names and (alt := self._pkg_call(call, path)) in names:
                    return alt
        return name

    def _pkg_call(self, call: Node, import_path: str) -> str | None:
        if call.type != "call_expression":
            return None
        operand, name = call_name(call)
        if operand is not None:
            operand = unparen(operand)
            if operand.type == "identifier" and self.refers_to_import(operand, import_path):
                return name
            return None
        if name and "." in self.names_for(import_path):
            fn = unparen(call.child_by_field_name("function"))  # type: ignore[arg-type]
            scope = self.scope_for(fn)
            if scope is None or not scope.is_local(fn):
                return name
        return None

    # -- memoised facts ----------------------------------------------------
    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a per-file fact once, whoever asks first."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    def query(self, source: str) -> list[tuple[int, dict[str, list[Node]]]]:
        return matches(source, self.root)

    # -- functions, scopes, control flow ------------------------------------
    def root_function(self, node: Node) -> Node | None:
        """The outermost function holding `node` (closures share its scope table)."""
        found = None
        cur: Node | None = node if node.type in FUNC_TYPES else node.parent
        while cur is not None:
            if cur.type in FUNC_TYPES:
                found = cur
            cur = cur.parent
        return found

    def scope_for(self, node: Node) -> ScopeTable | None:
        root = self.root_function(node)
        if root is None:
            return None
        table = self._scopes.get(root.id)
        if table is None:
            table = self._scopes[root.id] = ScopeTable(root)
        return table

    def decl_of(self, ident: Node) -> Decl | None:
        """The local declaration `ident` introduces or refers to; None for package-level
        names, imports and anything that is not a plain identifier."""
        ident = unparen(ident)
        if ident.type != "identifier":
            return None
        scope = self.scope_for(ident)
        return None if scope is None else scope.declared_at(ident) or scope.resolve(ident)

    def func_info(self, fn: Node) -> FuncInfo:
        info = self._funcs.get(fn.id)
        if info is None:
            info = self._funcs[fn.id] = self._make_func_info(fn)
        return info

    def cfg(self, fn: Node) -> CFG | None:
        body = fn.child_by_field_name("body")
        if body is None:
            return None
        graph = self._cfgs.get(fn.id)
        if graph is None:
            graph = self._cfgs[fn.id] = build_cfg(body, self.is_no_return)
        return graph

    def functions(self) -> Iterator[FuncInfo]:
        """Top-level functions and methods of the file."""
        for decl in self.root.named_children:
            if decl.type in ("function_declaration", "method_declaration"):
                yield self.func_info(decl)

    def _make_func_info(self, fn: Node) -> FuncInfo:
        recv = None
        if fn.type == "method_declaration":
            rl = self.params(fn.child_by_field_name("receiver"))
            recv = rl[0] if rl else None
        name_node = fn.child_by_field_name("name")
        if fn.type == "func_literal":
            outer = self.root_function(fn)
            base = self.func_info(outer).name if outer is not None and outer != fn else "func"
            name = base + ".func"
        else:
            name = text(name_node)
            if recv is not None:
                name = base_type_name(recv.type) + "." + name
        result = fn.child_by_field_name("result")
        if result is not None and result.type != "parameter_list":
            results: tuple[Param, ...] = (Param("", self.type_text(result), result),)
        else:
            results = self.params(result)
        return FuncInfo(
            fn, name, recv, self.params(fn.child_by_field_name("parameters")), results, fn.child_by_field_name("body")
        )

    def params(self, plist: Node | None) -> tuple[Param, ...]:
        if plist is None:
            return ()
        out: list[Param] = []
        for p in plist.named_children:
            if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                continue
            ptype = p.child_by_field_name("type")
            tt = self.type_text(ptype)
            if p.type == "variadic_parameter_declaration":
                tt = "..." + tt
            names = p.children_by_field_name("name")
            if not names:
                out.append(Param("", tt, p))
            for n in names:
                out.append(Param(text(n), tt, n))
        return tuple(out)

    def type_text(self, node: Node | None) -> str:
        """A type expression with package names replaced by import paths."""
        if node is None:
            return ""
        t = node.type
        if t == "qualified_type":
            pkg = text(node.child_by_field_name("package"))
            return f"{self.import_path_of(pkg) or pkg}.{text(node.child_by_field_name('name'))}"
        if t == "pointer_type":
            inner = node.named_children[0] if node.named_child_count else None
            return "*" + self.type_text(inner)
        if t == "parenthesized_type" and node.named_child_count:
            return self.type_text(node.named_children[0])
        if t == "generic_type":
            base = node.child_by_field_name("type")
            return self.type_text(base) + text(node)[len(text(base)) :]
        return text(node)

    # -- calls that never return ---------------------------------------------
    def is_no_return(self, stmt: Node) -> bool:
        """An expression statement calling panic, os.Exit, log.Fatal, t.FailNow, runtime.Goexit, ..."""
        expr = stmt.named_children[0] if stmt.named_child_count else None
        if expr is None or expr.type != "call_expression":
            return False
        operand, name = call_name(expr)
        if operand is None:
            if name == "panic":
                fn = unparen(expr.child_by_field_name("function"))  # type: ignore[arg-type]
                scope = self.scope_for(fn)
                return scope is None or not scope.is_local(fn)
            return False
        operand = unparen(operand)
        if name == "Exit" and operand.type == "identifier" and self.refers_to_import(operand, "os"):
            return True
        if name == "Goexit" and operand.type == "identifier" and self.refers_to_import(operand, "runtime"):
            return True
        # log.Fatal*/Panic*, and the same on loggers (logrus, zap, klog, testing) exit too
        if re.fullmatch(r"(Fatal|Panic)(f|ln|w)?", name):
            return True
        if name in ("FailNow", "SkipNow", "Skip", "Skipf"):
            return self._is_testing_value(operand)
        return False

    def _is_testing_value(self, operand: Node) -> bool:
        if operand.type == "call_expression":  # new(testing.T)
            args = operand.child_by_field_name("arguments")
            return call_name(operand)[1] == "new" and args is not None and "testing." in text(args)
        decl = self.decl_of(operand)
        if decl is None or decl.type_node is None:
            return False
        return self.type_text(decl.type_node) in TESTING_TYPES


@dataclass(frozen=True)
class TopFunc:
    file: GoFile
    node: Node
    name: str
    receiver_type: str | None  # "T" for methods on T or *T


class Package:
    """The files of one directory that share a package clause.

    Package-level declarations are indexed on first use: functions and
    methods, struct types with their field types, and package variables with
    their declared types, so rules can resolve `go worker(ch)`, `s.db.Query`
    or a global `db *sql.DB` across the package's files.
    """

    def __init__(self, directory: str, name: str, files: list[GoFile], import_path: str | None = None) -> None:
        self.directory = directory
        self.name = name
        # from go.mod and the directory (None outside a module); `p_test` gets `path_test`
        self.import_path = import_path
        self.files = tuple(files)
        for f in files:
            f.package = self
        self._decls: _PackageDecls | None = None
        self._memo: dict[str, object] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Compute a per-package fact once, whichever file asks first."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    def _index(self) -> _PackageDecls:
        if self._decls is None:
            self._decls = _PackageDecls(self.files)
        return self._decls

    def function(self, name: str) -> TopFunc | None:
        """A package-level function (not a method) by name."""
        for tf in self._index().funcs.get(name, []):
            if tf.receiver_type is None:
                return tf
        return None

    def methods(self, name: str) -> list[TopFunc]:
        return [tf for tf in self._index().funcs.get(name, []) if tf.receiver_type is not None]

    def struct_fields(self, type_name: str) -> dict[str, str]:
        """Field name -> qualified type text of a struct type declared in the package."""
        return self._index().structs.get(type_name, {})

    def var_type(self, name: str) -> str | None:
        """The declared type of a package-level variable, if it has one."""
        return self._index().vars.get(name)


class _PackageDecls:
    def __init__(self, files: tuple[GoFile, ...]) -> None:
        self.funcs: dict[str, list[TopFunc]] = {}
        self.structs: dict[str, dict[str, str]] = {}
        self.vars: dict[str, str] = {}
        for f in files:
            for decl in f.root.named_children:
                if decl.type in ("function_declaration", "method_declaration"):
                    self._func(f, decl)
                elif decl.type == "type_declaration":
                    for spec in decl.named_children:
                        if spec.type == "type_spec":
                            self._type(f, spec)
                elif decl.type == "var_declaration":
                    for spec in specs(decl, "var_spec"):
                        vtype = spec.child_by_field_name("type")
                        for n in spec.children_by_field_name("name"):
                            if vtype is not None:
                                self.vars[text(n)] = f.type_text(vtype)

    def _func(self, f: GoFile, decl: Node) -> None:
        name = text(decl.child_by_field_name("name"))
        recv = None
        if decl.type == "method_declaration":
            rl = f.params(decl.child_by_field_name("receiver"))
            recv = base_type_name(rl[0].type) if rl else None
        self.funcs.setdefault(name, []).append(TopFunc(f, decl, name, recv))

    def _type(self, f: GoFile, spec: Node) -> None:
        body = spec.child_by_field_name("type")
        if body is None or body.type != "struct_type":
            return
        fields: dict[str, str] = {}
        for fl in body.named_children:
            for fd in fl.named_children if fl.type == "field_declaration_list" else []:
                if fd.type != "field_declaration":
                    continue
                ftype = fd.child_by_field_name("type")
                names = fd.children_by_field_name("name")
                tt = f.type_text(ftype)
                if not names:  # embedded: the field is named after its type
                    if has_token(fd, "*"):
                        tt = "*" + tt
                    fields[tt.lstrip("*").rsplit(".", 1)[-1]] = tt
                for n in names:
                    fields[text(n)] = tt
        self.structs[text(spec.child_by_field_name("name"))] = fields
