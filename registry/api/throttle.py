"""Cost limits and rate limiting by cost, in the manner of Shopify's API.

Before an operation runs: over the maximum cost, it is refused (QUERY_TOO_COMPLEX, with its
cost); otherwise its requested cost is charged to the caller's leaky bucket (per client with
a token, per IP address without), which lives in PostgreSQL so that the limit holds across
every process and machine. The charge goes through the process's RateLedger
(registry.services.rate_ledger), which admits most charges on its estimate of the bucket and
settles with PostgreSQL in batches, overshooting the capacity by at most a tenth of it per
process. A charge that does not fit is refused with 429 RATE_LIMITED and Retry-After. After
an operation has answered without errors, what it asked for and did not use is given back, as
Shopify's API does: a portal's page asks for up to 20 listings and 11 facets and pays for the
objects it got. What fields declare for work beyond their objects (a search's database work,
introspection) is kept, and so is what the bucket has leaked away of the charge meanwhile
(registry.services.rate_ledger.RateLedger.refund). Every
answer reports `extensions.cost { requestedQueryCost actualQueryCost throttleStatus {
maximumAvailable currentlyAvailable restoreRate } }` (between settlements, the ledger's
estimate), refusals included, except what an answer other callers may be given says of its
caller alone (``for_every_caller``). Answers the response cache serves are not charged (they
cost next to nothing).

Parsing and validating a document is work too, done before any price is known, and it was
free, even for documents refused as invalid: 3-10 us a character for the registry's own
operations (the search page 11 ms), 58 us for 710 repeated unknown fields (83 ms: graphql-core
compares every pair of fields of one name). No price by length fits every shape, so a document
the process has not kept (registry/api/kept_documents.py) pays twice (``DocumentToll``): before
it is parsed, 1 point per DOCUMENT_CHARS_PER_POINT characters, refused with 429 like any charge
that does not fit; after it is validated, the CPU its parsing and validation measured, 1 point
per MICROSECONDS_PER_POINT, less what it paid before, as a debt the bucket must leak before
the caller's next charge fits. Both are reported as ``documentCost``. A kept document costs
nothing more to parse again, and a document that fails validation is not kept, so that each
repeat pays. A portal's operations are parsed once per process: sending values as variables,
not as literals, keeps a document the same from request to request.
"""

from __future__ import annotations

import math
import time

from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from registry.api import cost
from registry.api.errors import RegistryError
from registry.api.kept_documents import KEPT
from registry.http.metrics import RATE_LIMITED
from registry.services.rate_ledger import RateLedger


class QueryTooComplex(RegistryError):
    """The operation costs more than any single operation may."""

    code = "QUERY_TOO_COMPLEX"


class RateLimited(RegistryError):
    """The caller's cost bucket cannot take this operation now."""

    code = "RATE_LIMITED"


DOCUMENT_CHARS_PER_POINT = 5  # before parsing: 5 characters take 5-15 us to parse alone
MICROSECONDS_PER_POINT = 7  # a search page asks 2,029 points for about 15 ms of CPU


class DocumentToll(SchemaExtension):
    """Charges the parsing and validating of a document the process has not kept, before it is
    parsed (runs before registry.api.kept_documents.KeptParsing)."""

    started: float | None = None  # this thread's CPU clock when a new document's parse began

    async def on_parse(self):
        run = self.execution_context
        text = run.query or ""
        if text and not KEPT.keeps(text, **run.parse_options):
            context = run.context
            price = math.ceil(len(text) / DOCUMENT_CHARS_PER_POINT)
            key, (capacity, restore) = _bucket(context)
            decision = await _ledger(context).charge(key, price, capacity=capacity, restore_per_second=restore)
            context.document_cost, context.throttle_status = price, _status(capacity, decision.level, restore)
            if not decision.admitted:
                raise _refusal(context, price, capacity, decision.level, restore)
            self.started = time.thread_time()
        yield

    async def on_validate(self):
        yield
        if self.started is None:
            return
        context = self.execution_context.context
        measured = math.ceil((time.thread_time() - self.started) * 1e6 / MICROSECONDS_PER_POINT)
        if measured > context.document_cost:
            key, (capacity, restore) = _bucket(context)
            level = _ledger(context).debit(
                key, measured - context.document_cost, capacity=capacity, restore_per_second=restore
            )
            context.document_cost, context.throttle_status = measured, _status(capacity, level, restore)


class CostThrottle(SchemaExtension):
    """Refuses operations over the maximum cost or over the caller's allowance; reports costs."""

    report: dict | None = None

    async def on_execute(self):
        run = self.execution_context
        context, settings = run.context, run.context.settings
        price = cost.requested_price(run.schema._schema, run.graphql_document, run.operation_name, run.variables)
        requested = price.total
        self.report = {"requestedQueryCost": requested}
        key, (capacity, restore) = _bucket(context)
        if requested > settings.max_query_cost:  # refused uncharged: the bucket as it stands
            context.throttle_status = _status(capacity, _ledger(context).level(key), restore)
            run.result = _too_complex(requested, settings.max_query_cost)
            yield
            return
        decision = await _ledger(context).charge(key, requested, capacity=capacity, restore_per_second=restore)
        context.throttle_status = _status(capacity, decision.level, restore)
        if not decision.admitted:
            run.result = _rate_limited(context, requested, capacity, decision.level, restore)
            yield
            return
        yield
        data = run.result.data if run.result else None
        answered = cost.answered_objects(data)
        actual = cost.actual(answered, mutation=run.operation_type == OperationType.MUTATION)
        owed = _owed(price, answered, answered=bool(run.result) and not run.result.errors)
        refunded = _ledger(context).refund(key, requested, owed, decision.at)
        self.report["actualQueryCost"] = actual
        context.throttle_status = _status(capacity, max(0.0, decision.level - refunded), restore)

    def get_results(self) -> dict:
        """``extensions.cost``: what the operation asked and used (when it got as far as being
        priced), what its document's parse cost (when it was new), and the caller's bucket after
        the last of them was charged, even when that charge was refused."""
        context = self.execution_context.context
        report = dict(self.report or {})
        if context.throttle_status is not None:
            report["throttleStatus"] = context.throttle_status
        if context.document_cost:
            report["documentCost"] = context.document_cost
        return {"cost": report} if report else {}


CALLERS_OWN = ("throttleStatus", "documentCost")  # what the cost report says of its caller alone


def for_every_caller(extensions: dict | None) -> dict | None:
    """``extensions`` as an answer given to other callers may carry them (the response cache's,
    and HTTP caches' under ``Cache-Control: public``): the cost report without what it says of
    this caller alone (its bucket, its document's parse), so that every caller's answer is the
    same bytes, under the same ETag, whichever process computed it."""
    if not extensions or "cost" not in extensions:
        return extensions
    shared = {name: value for name, value in extensions["cost"].items() if name not in CALLERS_OWN}
    return {**extensions, "cost": shared}


def _owed(price: cost.Price, answered_objects: int, *, answered: bool) -> int:
    """What an operation costs once it has answered: what its fields declare for work beyond
    their objects (a search's database work, introspection, a mutation) as asked, and the
    objects it answered instead of those it asked for (at least 1 of those it asked for). An
    answer with errors owes its whole price: the work before the error (a search cut by the
    statement timeout, say) is not in its objects."""
    if not answered:
        return price.total
    return price.declared + min(price.objects, max(answered_objects, 1))


def _too_complex(requested: int, maximum: int) -> ExecutionResult:
    message = (
        f"This operation costs {requested}; at most {maximum} may be asked at once. "
        "Ask for fewer items per page or fewer nested lists."
    )
    return ExecutionResult(None, [QueryTooComplex(message, cost=requested, maximumCost=maximum)])


def _rate_limited(context, requested: int, capacity: float, level: float, restore: float) -> ExecutionResult:
    return ExecutionResult(None, [_refusal(context, requested, capacity, level, restore)])


def _refusal(context, requested: int, capacity: float, level: float, restore: float) -> RateLimited:
    """Answer 429 with Retry-After: the seconds until the bucket has leaked enough for ``requested``."""
    wait = max(1, math.ceil((level + requested - capacity) / restore))
    context.set_status(429, {"retry-after": str(wait)})
    RATE_LIMITED.labels("client" if context.access is not None else "anonymous").inc()
    message = (
        f"Over the rate limit: this operation costs {requested}, {max(0, capacity - level):.0f} is available "
        f"and {restore:g} comes back each second. Retry in {wait} s."
    )
    return RateLimited(message, retryAfter=wait)


def _ledger(context) -> RateLedger:
    """The rate ledger of the app serving the request (made by its lifespan)."""
    return context.scope["app"].state.rate_ledger


def _bucket(context) -> tuple[str, tuple[float, float]]:
    if context.access is not None:
        tier = context.settings.rate_portal if context.access.is_portal else context.settings.rate_client
        return f"client:{context.access.client_id}", tier
    client = context.scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}", context.settings.rate_anonymous


def _status(capacity: float, level: float, restore: float) -> dict:
    return {
        "maximumAvailable": capacity,
        "currentlyAvailable": round(max(0.0, capacity - level), 1),
        "restoreRate": restore,
    }
