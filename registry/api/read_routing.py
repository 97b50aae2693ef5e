"""The GraphQL side of read routing: queries read where the router says, and a client's
mutation is remembered so that its next reads see it."""

from __future__ import annotations

from strawberry.types.graphql import OperationType
from strawberry.extensions import SchemaExtension


class ReadRouting(SchemaExtension):
    """Chooses the database of each query; records the WAL position after each mutation."""

    async def on_execute(self):
        context = self.execution_context.context
        router = getattr(context, "router", None)
        if router is None or not router.enabled:
            yield
            return
        client_id = context.access.client_id if context.access else None
        operation = self.execution_context.operation_type
        if operation == OperationType.QUERY:
            context.read_from(await router.for_read(client_id))
        yield
        if operation == OperationType.MUTATION and client_id is not None:
            await router.after_write(client_id)
