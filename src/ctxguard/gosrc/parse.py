"""tree-sitter-go parsing.

Parsers, trees and queries cannot be pickled, so each worker process builds
its own `GoParser`; only paths go in and plain findings come out.
"""

from __future__ import annotations

import functools

import tree_sitter_go
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree


@functools.cache
def go_language() -> Language:
    return Language(tree_sitter_go.language())


@functools.cache
def compile_query(source: str) -> Query:
    """Compile a query once per process; queries beat Python-level tree walks."""
    return Query(go_language(), source)


def matches(query_source: str, node: Node) -> list[tuple[int, dict[str, list[Node]]]]:
    return QueryCursor(compile_query(query_source)).matches(node)


class GoParser:
    """A reusable tree-sitter parser for Go source."""

    def __init__(self) -> None:
        self._parser = Parser(go_language())

    def parse(self, source: bytes) -> Tree:
        return self._parser.parse(source)
