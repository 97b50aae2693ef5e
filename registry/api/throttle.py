"""Cost limits and rate limiting by cost, in the manner of Shopify's API.

Before an operation runs: over the maximum cost, it is refused (QUERY_TOO_COMPLEX, with its
cost); otherwise its requested cost is charged to the caller's leaky bucket (per client with
a token, per IP address without), which lives in PostgreSQL so that the limit holds across
every process and machine. A charge that does not fit is refused with 429 RATE_LIMITED and
Retry-After. Every answer reports `extensions.cost { requestedQueryCost actualQueryCost
throttleStatus { maximumAvailable currentlyAvailable restoreRate } }`. Answers the response
cache serves are not charged (they cost next to nothing).
"""

from __future__ import annotations

import math

from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from registry.api import cost
from registry.api.errors import RegistryError
from registry.http.metrics import RATE_LIMITED
from registry.store import rate_buckets


class QueryTooComplex(RegistryError):
    """The operation costs more than any single operation may."""

    code = "QUERY_TOO_COMPLEX"


class RateLimited(RegistryError):
    """The caller's cost bucket cannot take this operation now."""

    code = "RATE_LIMITED"


class CostThrottle(SchemaExtension):
    """Refuses operations over the maximum cost or over the caller's allowance; reports costs."""

    report: dict | None = None

    async def on_execute(self):
        run = self.execution_context
        context, settings = run.context, run.context.settings
        requested = cost.requested(run.schema._schema, run.graphql_document, run.operation_name, run.variables)
        self.report = {"requestedQueryCost": requested}
        if requested > settings.max_query_cost:
            run.result = ExecutionResult(
                None,
                [
                    QueryTooComplex(
                        f"This operation costs {requested}; at most {settings.max_query_cost} may be asked at once. "
                        "Ask for fewer items per page or fewer nested lists.",
                        cost=requested,
                        maximumCost=settings.max_query_cost,
                    )
                ],
            )
            yield
            return
        key, (capacity, restore) = _bucket(context)
        level = await rate_buckets.charge(
            context.primary, key, requested, capacity=capacity, restore_per_second=restore
        )
        if level is None:
            level = await rate_buckets.level(context.primary, key, restore_per_second=restore)
            wait = max(1, math.ceil((level + requested - capacity) / restore))
            self.report["throttleStatus"] = _status(capacity, level, restore)
            context.set_status(429, {"retry-after": str(wait)})
            RATE_LIMITED.labels("client" if context.access is not None else "anonymous").inc()
            run.result = ExecutionResult(
                None,
                [
                    RateLimited(
                        f"Over the rate limit: this operation costs {requested}, {max(0, capacity - level):.0f} is available "
                        f"and {restore:g} comes back each second. Retry in {wait} s.",
                        retryAfter=wait,
                    )
                ],
            )
            yield
            return
        yield
        data = run.result.data if run.result else None
        self.report.update(
            actualQueryCost=cost.actual(data, mutation=run.operation_type == OperationType.MUTATION),
            throttleStatus=_status(capacity, level, restore),
        )

    def get_results(self) -> dict:
        return {"cost": self.report} if self.report is not None else {}


def _bucket(context) -> tuple[str, tuple[float, float]]:
    if context.access is not None:
        return f"client:{context.access.client_id}", context.settings.rate_client
    client = context.scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}", context.settings.rate_anonymous


def _status(capacity: float, level: float, restore: float) -> dict:
    return {
        "maximumAvailable": capacity,
        "currentlyAvailable": round(max(0.0, capacity - level), 1),
        "restoreRate": restore,
    }
