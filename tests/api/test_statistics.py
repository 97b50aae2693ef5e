"""registryStatistics: the published listings counted by province, delivery mode, provider
kind, recognition and month, as the demo's answer key counts them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from registry.http.persisted_queries import named_operations
from tests.support import demo_oracle as oracle
from tests.support.graphql import data, post, statements

STATISTICS = next(text for text in named_operations().values() if "query RegistryStatistics" in text)


def _counts(values) -> list[dict]:
    """Counter -> FacetValue list, largest first then by value, as the API orders them."""
    return [{"value": key, "count": n} for key, n in sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))]


async def _statistics(client, months: int = 12) -> dict:
    return (await data(client, STATISTICS, {"months": months}))["registryStatistics"]


async def test_listings_are_counted_by_the_province_and_kind_of_their_provider(demo_client):
    providers = {p.id: p for p in oracle.ref().providers}
    result = await _statistics(demo_client)
    assert result["publishedCount"] == len(oracle.published())
    assert result["byProvince"] == _counts(providers[c.provider_id].jurisdiction for c in oracle.published())
    assert result["byProviderKind"] == _counts(providers[c.provider_id].kind for c in oracle.published())


async def test_listings_are_counted_by_delivery_mode(demo_client):
    result = await _statistics(demo_client)
    assert result["byDeliveryMode"] == _counts(c.delivery_mode for c in oracle.published())


async def test_recognised_and_unrecognised_listings_add_up_to_the_published(demo_client):
    result = await _statistics(demo_client)
    recognized = sum(1 for c in oracle.published() if oracle.active_recognitions(c.id))
    assert result["recognizedCount"] == recognized > 0
    assert result["byRecognition"] == [
        {"value": "RECOGNIZED", "count": recognized},
        {"value": "NOT_RECOGNIZED", "count": len(oracle.published()) - recognized},
    ]


async def test_publications_are_counted_per_month_with_empty_months_as_zero(demo_client):
    result = await _statistics(demo_client, months=24)
    now = datetime.now(timezone.utc)
    months = [
        f"{(now.year * 12 + now.month - 1 - back) // 12}-{(now.month - 1 - back) % 12 + 1:02d}"
        for back in range(23, -1, -1)
    ]
    per_month = Counter(c.published_at.astimezone(timezone.utc).strftime("%Y-%m") for c in oracle.published())
    assert result["publishedPerMonth"] == [{"value": month, "count": per_month[month]} for month in months]


async def test_the_statistics_take_one_statement(demo_client):
    baseline = statements(await post(demo_client, "{ __typename }"))  # what any operation costs besides its reads
    assert statements(await post(demo_client, STATISTICS, {"months": 12})) - baseline == 1


async def test_months_out_of_range_is_a_user_error(demo_client):
    response = await post(demo_client, STATISTICS, {"months": 0})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
