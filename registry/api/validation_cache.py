"""Validation results kept per parsed document, found by the document's identity.

Strawberry's ``ValidationCache`` keys its LRU cache by the document itself, and a document's
hash walks its whole tree (graphql-core's nodes hash their fields): a search page's document
cost 1.5% of its served CPU to hash, at every request. The parser cache hands back the same
document object for the same text, so the object's identity is key enough; each entry holds
its document, so that an ID is not reused while its entry lives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension


class _Document:
    """A parsed document and the rules it is validated against, equal only to the same
    document object under equal rules."""

    __slots__ = ("document", "rules", "_hash")

    def __init__(self, document: DocumentNode, rules: tuple[Any, ...]) -> None:
        self.document, self.rules = document, rules
        self._hash = hash((id(document), rules))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Document) and other.document is self.document and other.rules == self.rules


Validate = Callable[[GraphQLSchema, _Document], list[GraphQLError]]


@functools.cache
def validation_cache(maxsize: int) -> Any:
    """The process's validation cache of ``maxsize`` entries (an ``lru_cache``-wrapped
    function: ``cache_info()`` tells its hits and misses)."""
    from strawberry.schema.schema import validate_document  # imported late, as Strawberry does: a cycle

    @functools.lru_cache(maxsize=maxsize)
    def validate(schema: GraphQLSchema, found: _Document) -> list[GraphQLError]:
        return validate_document(schema, found.document, found.rules)

    return validate


class ValidationByIdentity(SchemaExtension):
    """Validates each parsed document once (per rules), keeping up to ``maxsize`` results."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.validate: Validate = validation_cache(maxsize)

    def on_validate(self) -> Iterator[None]:
        run = self.execution_context
        found = _Document(run.graphql_document, run.validation_rules)  # type: ignore[arg-type]
        run.pre_execution_errors = self.validate(run.schema._schema, found)  # type: ignore[attr-defined]
        yield
