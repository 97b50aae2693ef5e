"""`registryStatistics`: counts over the published listings, for ministry staff."""

from __future__ import annotations

from typing import Annotated

import strawberry

from registry.api.errors import BadUserInput
from registry.api.types import FacetValue
from registry.store import statistics

MAX_MONTHS = 120


@strawberry.type(
    description="Counts over the registry's published listings, for reports and dashboards. Each list "
    "counts every published listing once, largest count first."
)
class RegistryStatistics:
    published_count: int = strawberry.field(description="Published listings.")
    recognized_count: int = strawberry.field(description="Published listings with a recognition in force today.")
    by_province: list[FacetValue] = strawberry.field(
        description="Per province or territory of the provider (`value`: ISO 3166-2, e.g. `CA-ON`)."
    )
    by_delivery_mode: list[FacetValue] = strawberry.field(description="Per DeliveryMode.")
    by_provider_kind: list[FacetValue] = strawberry.field(description="Per ProviderKind of the provider.")
    by_recognition: list[FacetValue] = strawberry.field(
        description="`RECOGNIZED` (a recognition in force today) and `NOT_RECOGNIZED`."
    )
    published_per_month: list[FacetValue] = strawberry.field(
        description="Per calendar month of first publication (`value`: `YYYY-MM`), oldest first, months without "
        "any as 0; only listings still published count."
    )


async def registry_statistics(
    info: strawberry.Info,
    months: Annotated[
        int,
        strawberry.argument(
            description=f"How many calendar months `publishedPerMonth` covers, this one included (1 to {MAX_MONTHS})."
        ),
    ] = 12,
) -> RegistryStatistics:
    """The statistics, in one SQL statement."""
    if not 1 <= months <= MAX_MONTHS:
        raise BadUserInput(f"`months` is 1 to {MAX_MONTHS} (got {months}).", field="months")
    counts = await statistics.published_counts(info.context.db, months)

    def values(name: str) -> list[FacetValue]:
        return [FacetValue(value=key, count=n) for key, n in counts[name]]

    recognized = dict(counts["recognized"])
    return RegistryStatistics(
        published_count=sum(n for _, n in counts["province"]),
        recognized_count=recognized.get("true", 0),
        by_province=values("province"),
        by_delivery_mode=values("deliveryMode"),
        by_provider_kind=values("providerKind"),
        by_recognition=[
            FacetValue(value="RECOGNIZED", count=recognized.get("true", 0)),
            FacetValue(value="NOT_RECOGNIZED", count=recognized.get("false", 0)),
        ],
        published_per_month=values("month"),
    )
