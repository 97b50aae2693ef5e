"""GraphQL errors with a stable ``extensions.code``, and the masking of everything else."""

from __future__ import annotations

import logging
from typing import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from registry.domain.errors import Problem

log = logging.getLogger("microcred.api")


class RegistryError(GraphQLError):
    """An error we mean to show: its message is for the client, its code is stable."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class BadUserInput(RegistryError):
    """The request's arguments break a rule (bad page size, cursor, ID, filter...)."""

    code = "BAD_USER_INPUT"

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> "BadUserInput":
        message = "; ".join(p.message for p in problems)
        details = [{"field": list(p.field), "code": p.code, "message": p.message} for p in problems]
        return cls(message, problems=details)


class NotFound(RegistryError):
    """The thing asked for does not exist, or is not visible to the caller."""

    code = "NOT_FOUND"


class ErrorShaping(SchemaExtension):
    """Every error leaves with ``extensions.code``; unexpected ones are logged and masked.

    Parse and validation errors (unknown fields, bad enum values, wrong types) are the
    client's to fix: BAD_USER_INPUT. Exceptions we did not raise on purpose become
    "Internal server error." with INTERNAL_SERVER_ERROR, never a stack trace.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [self._shape(error) for error in result.errors]

    @staticmethod
    def _shape(error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None:
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
            return error
        if isinstance(original, GraphQLError):
            return error
        log.error("unexpected error in %s", error.path, exc_info=original)
        return GraphQLError(
            "Internal server error.", nodes=error.nodes, source=error.source, positions=error.positions,
            path=error.path, extensions={"code": "INTERNAL_SERVER_ERROR"},
        )
