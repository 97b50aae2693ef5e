"""The pages' only way to the data: the repository's named GraphQL operations, run on the
public schema with the same context, limits and visibility rules as a request to /graphql."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from registry.api.context import Context
from registry.api.errors import shape_errors
from registry.api.schema import build_schema
from registry.http.persisted_queries import OPERATIONS

DOCUMENTS = {path.stem: path.read_text() for path in sorted(OPERATIONS.glob("*.graphql"))}
# GraphQL error code -> the HTTP status of a page that met it; any other code is a 500. The
# address's own mistakes are 400 pages: bad input, and text that cannot be stored (a NUL).
STATUSES = {
    "NOT_FOUND": 404,
    "BAD_USER_INPUT": 400,
    "INVALID_CHARACTERS": 400,
    "RATE_LIMITED": 429,
    "SERVICE_UNAVAILABLE": 503,
}


class OperationFailed(Exception):
    """The operation answered with an error; ``status`` is what the page answers."""

    def __init__(self, code: str, message: str, problem_codes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code, self.status = code, STATUSES.get(code, 500)
        self.problem_codes = problem_codes  # the codes of the input problems it names, if any


async def run(request: Request, name: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The data of named operation ``name``, run for the caller of ``request``."""
    return await execute(request, DOCUMENTS[name], variables, name)


async def execute(
    request: Request, document: str, variables: dict[str, Any], operation_name: str | None = None
) -> dict[str, Any]:
    """The data of a GraphQL ``document`` run in-process for the caller of ``request``, with the
    context /graphql would give it (visibility, read routing, rate limits, request log);
    OperationFailed when it answers with an error."""
    context = Context.of_request(request.scope, request.app.state)
    result = await build_schema(context.settings.production, context.settings.planned_execution).execute(
        document, variable_values=variables, context_value=context, operation_name=operation_name
    )
    if result.errors:
        error = shape_errors(result.errors)[0]
        extensions = error.extensions or {}
        problems = tuple(p.get("code", "") for p in extensions.get("problems", []) if isinstance(p, dict))
        raise OperationFailed(extensions.get("code", "INTERNAL_SERVER_ERROR"), error.message, problems)
    if result.data is None:  # GraphQL gives data with every answer that has no errors
        raise OperationFailed("INTERNAL_SERVER_ERROR", f"{operation_name or 'The operation'} answered no data.")
    return result.data
