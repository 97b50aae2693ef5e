"""The GraphQL side of read routing: queries read where the router says, and a client's
mutation is remembered so that its next reads see it. (It also names the operation for the
request log: it is the extension that sees each operation start.)"""

from __future__ import annotations

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from registry.http.observability import OPERATION


class ReadRouting(SchemaExtension):
    """Chooses the database of each query; records the WAL position after each mutation."""

    async def on_execute(self):
        context = self.execution_context.context
        if hasattr(context, "scope"):  # for the request log
            context.scope[OPERATION] = (
                self.execution_context.operation_name or self.execution_context.operation_type.value
            )
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
