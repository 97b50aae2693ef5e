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


class RefuseUnstorableText(SchemaExtension):
    """Answers INVALID_CHARACTERS (with the variable's path) instead of running the operation."""

    def on_execute(self):
        context = self.execution_context
        path = next(_bad_paths(context.variables or {}, ("variables",)), None)
        if path is None and context.graphql_document is not None:
            literals = _Literals()
            visit(context.graphql_document, literals)
            path = ("query",) if literals.bad else None
        if path is not None:
            error = InvalidCharacters(
                "Text may not contain the NUL character or unpaired UTF-16 surrogates.", field=list(path)
            )
            context.result = ExecutionResult(data=None, errors=[error])
        yield
