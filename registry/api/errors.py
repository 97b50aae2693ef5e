"""GraphQL errors with a stable ``extensions.code``, and the masking of everything else."""

from __future__ import annotations

import logging

from graphql import GraphQLError

from registry.api import limits
from registry.db import is_unavailable
from registry.domain.errors import Problem
from registry.domain.principals import Refused
from registry.http.observability import current_request_id

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


class Conflict(RegistryError):
    """A concurrent request changed the same data first; retrying is safe."""

    code = "CONFLICT"


class NotFound(RegistryError):
    """The thing asked for does not exist, or is not visible to the caller."""

    code = "NOT_FOUND"


def shape_errors(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Give every error an ``extensions.code`` and mask the unexpected ones.

    Errors found before execution (syntax, unknown fields, bad enum values, scalars that
    fail to parse) are the client's to fix: BAD_USER_INPUT, message kept. Errors we
    raised on purpose keep their own code. Anything else is logged and leaves as
    "Internal server error." with INTERNAL_SERVER_ERROR, never a stack trace.
    """
    return [_shape(error) for error in errors]


class ServiceUnavailable(RegistryError):
    """The database cannot serve for now (busy, restarting); the request may be retried."""

    code = "SERVICE_UNAVAILABLE"


# What the parsing of a request's values raises before anything runs: a scalar's parser
# refusing a value (graphql-core wraps it in a GraphQLError without a code), or Python's own
# conversion failing, as dateutil's does for "9999-12-31T24:00:00" (OverflowError).
_CLIENT_ERRORS = (GraphQLError, ValueError, TypeError, OverflowError)


def _shape(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, GraphQLError) and (error.path is not None or (error.extensions or {}).get("code")):
        return error
    if isinstance(original, Refused):  # the domain's refusal: its message is for the client
        return GraphQLError(
            str(original),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions={"code": original.code},
        )
    if is_unavailable(original):
        log.warning("database unavailable in %s: %s", error.path, original)
        return ServiceUnavailable("The registry's database is busy or restarting; retry shortly.")
    if error.path is None and (original is None or isinstance(original, _CLIENT_ERRORS)):
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": limits.code_of(error) or "BAD_USER_INPUT"}
        return error
    request_id = current_request_id()
    log.error("unexpected error in %s (request %s)", error.path, request_id, exc_info=original)
    return GraphQLError(
        "Internal server error.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )
