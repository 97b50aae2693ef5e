"""An execution context that lets go of the request when its response is built.

graphql-core's execution context holds its own bound methods (its async helpers, which it hands
to resolvers), so it sits in a reference cycle, and with it everything it reaches: the request's
context, its loaders and every record they read, about 2,400 objects a search page. Reference
counting cannot free a cycle; the cyclic collector did, and its passes over those objects took
about a tenth of a search page's CPU (bench/results/profile-2026-12-02-ceiling.md). Breaking
the cycle once the response is built lets the request's objects go as soon as it ends.

Not covered: a response with errors. An error keeps its traceback, whose frames hold this
context; the collector frees those, as it did every request before.
"""

from __future__ import annotations

from asyncio import Future
from typing import Any

from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class ReleasingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, leaving no reference cycle behind a complete response."""

    def build_response(self, data: dict[str, Any] | None) -> Any:
        """The response; then, once no work of this execution is left (an incremental response
        delivers deferred work through the helpers; work graphql-core settles in the background
        after a null bubbled up may still build resolve infos), the helpers that tie this
        context to itself are dropped."""
        response = super().build_response(data)
        if isinstance(response, ExecutionResult):
            self._release_when_settled()
        return response

    def _release_when_settled(self) -> None:
        pending = self.background_futures
        if not pending:
            self.release()
            return

        def settled(_: Future[Any]) -> None:
            if not pending:  # graphql-core's own callback has taken the future out of the set
                self.release()

        for future in list(pending):
            future.add_done_callback(settled)

    def release(self) -> None:
        """Drop what ties this context to itself (subclasses add theirs)."""
        self.async_helpers = None  # type: ignore[assignment]
