"""The Go source model: one tree-sitter parse per file, shared by every rule.

`GoFile` holds a file's tree, imports and lazily built per-function analyses
(scope tables, control-flow graphs); `Package` groups the files of one
directory so rules can resolve same-package functions and types.
"""

from ctxguard.gosrc.model import FuncInfo, GoFile, Import, Package
from ctxguard.gosrc.parse import GoParser

__all__ = ["FuncInfo", "GoFile", "GoParser", "Import", "Package"]
