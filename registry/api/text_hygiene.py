"""Text PostgreSQL cannot store is refused before anything runs: the NUL character and lone
UTF-16 surrogates (which JSON can carry as escapes) in any variable or string literal.
Everything else (HTML, SQL fragments, combining marks, emoji, right-to-left text) is
ordinary text, stored and returned as given; parameters keep it out of SQL and JSON
encoding keeps it out of markup.
"""

from __future__ import annotations

from typing import Any, Iterator

from graphql import ExecutionResult, StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from registry.api.errors import RegistryError
from registry.domain.storable import is_storable_text


class InvalidCharacters(RegistryError):
    """A string holds a character that cannot be stored."""

    code = "INVALID_CHARACTERS"


def _bad_paths(value: Any, path: tuple) -> Iterator[tuple]:
    if isinstance(value, str):
        if not is_storable_text(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _bad_paths(key, path)
            yield from _bad_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bad_paths(item, (*path, index))


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.bad = False

    def enter_string_value(self, node: StringValueNode, *_) -> None:
        self.bad = self.bad or not is_storable_text(node.value)


def _literals_may_hold_any(source: str | None) -> bool:
    """Whether a string literal of ``source`` could hold a character that cannot be stored:
    only when the text holds one itself or writes a character as an escape (``\\u``), so
    that other documents are not walked node by node (7 ms of a search page's CPU)."""
    return source is None or "\\u" in source or not is_storable_text(source)


class RefuseUnstorableText(SchemaExtension):
    """Answers INVALID_CHARACTERS (with the variable's path) instead of running the operation."""

    def on_execute(self):
        context = self.execution_context
        path = next(_bad_paths(context.variables or {}, ("variables",)), None)
        if path is None and context.graphql_document is not None and _literals_may_hold_any(context.query):
            literals = _Literals()
            visit(context.graphql_document, literals)
            path = ("query",) if literals.bad else None
        if path is not None:
            error = InvalidCharacters(
                "Text may not contain the NUL character or unpaired UTF-16 surrogates.", field=list(path)
            )
            context.result = ExecutionResult(data=None, errors=[error])
        yield
