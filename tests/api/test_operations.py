"""The named operations in graphql/operations/ run as portals would run them."""

from __future__ import annotations

from registry.interop import registry_feed
from registry.interop.registry_json import changes_from_json
from tests.support import demo_oracle as oracle
from tests.support.graphql import OPERATIONS, data, operation


def test_every_operation_file_is_exercised_here():
    assert {path.stem for path in OPERATIONS.glob("*.graphql")} == {
        "SearchPage",
        "CredentialDetail",
        "ProviderPage",
        "FacetBrowse",
        "ChangeFeedPoll",
        "RegistryStatistics",
        "HarvestChanges",
        "HarvestListings",
        "SearchFeed",
        "EmbedSearch",
        "CompareListings",
        "OccupationPage",
        "OccupationCode",
    }


async def test_occupation_page_splits_an_occupation_s_listings_by_recognition(demo_client):
    aligned = [c for c in oracle.published() if "72106" in oracle.occupation_codes_of(c.id)]
    recognised = {oracle.gid("Credential", c.id) for c in aligned if oracle.active_recognitions(c.id)}
    result = await data(demo_client, operation("OccupationPage"), {"code": "72106", "lang": "fr"})
    assert result["occupation"]["title"].startswith("Soudeurs")
    assert {n["id"] for n in result["recognised"]["nodes"]} == recognised
    assert result["recognised"]["totalCount"] + result["others"]["totalCount"] == len(aligned)


async def test_occupation_code_answers_the_code_of_a_global_id(demo_client):
    occupation = oracle.ref().occupations[0]
    result = await data(demo_client, operation("OccupationCode"), {"id": oracle.gid("Occupation", occupation.id)})
    assert result["node"]["code"] == occupation.code


async def test_registry_statistics_answers(demo_client):
    result = (await data(demo_client, operation("RegistryStatistics"), {}))["registryStatistics"]
    assert result["publishedCount"] == len(oracle.published()) and len(result["publishedPerMonth"]) == 12


async def test_search_page_answers_in_french_with_facets(demo_client):
    result = await data(
        demo_client,
        operation("SearchPage"),
        {"query": "gestion", "lang": "fr", "filter": {"deliveryModes": ["ONLINE"]}},
    )
    page = result["searchCredentials"]
    assert page["totalCount"] > 0
    assert all(node["deliveryMode"] == "ONLINE" for node in page["nodes"])
    assert sum(v["count"] for v in page["facets"]["deliveryMode"]) >= page["totalCount"]


async def test_search_page_pages_on(demo_client):
    first = (await data(demo_client, operation("SearchPage"), {"first": 10}))["searchCredentials"]
    second = (await data(demo_client, operation("SearchPage"), {"first": 10, "after": first["pageInfo"]["endCursor"]}))[
        "searchCredentials"
    ]
    assert not {n["id"] for n in first["nodes"]} & {n["id"] for n in second["nodes"]}


async def test_credential_detail_answers(demo_client):
    listing = oracle.published()[0]
    result = await data(demo_client, operation("CredentialDetail"), {"id": oracle.gid("Credential", listing.id)})
    assert result["credential"]["provider"]["id"] == oracle.gid("Provider", listing.provider_id)


async def test_provider_page_walks_the_providers_listings(demo_client):
    provider = oracle.ref().providers[0]
    expected = oracle.credential_gids(c for c in oracle.published() if c.provider_id == provider.id)
    found, after = [], None
    while True:
        page = (
            await data(demo_client, operation("ProviderPage"), {"slug": provider.slug, "first": 4, "after": after})
        )["provider"]["credentials"]
        found += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert found and set(found) == expected and len(found) == len(expected)
    assert page["totalCount"] == len(expected)


async def test_facet_browse_counts_a_province_without_listings(demo_client):
    result = (await data(demo_client, operation("FacetBrowse"), {"region": "CA-ON"}))["searchCredentials"]
    assert result["totalCount"] > 0
    assert sum(v["count"] for v in result["facets"]["deliveryMode"]) == result["totalCount"]


async def test_change_feed_poll_pages_through_the_feed(demo_client):
    first = (await data(demo_client, operation("ChangeFeedPoll"), {}))["changes"]
    assert len(first["events"]) == 100 and first["hasMore"]
    second = (await data(demo_client, operation("ChangeFeedPoll"), {"after": first["endCursor"]}))["changes"]
    assert not {e["cursor"] for e in first["events"]} & {e["cursor"] for e in second["events"]}


async def test_harvest_operations_give_listings_the_export_s_reader_takes_whole(demo_client):
    changes = (await data(demo_client, operation("HarvestChanges"), {}))["changes"]
    ids = list(dict.fromkeys(event["credential"]["id"] for event in changes["events"]))[:25]
    answer = await data(demo_client, operation("HarvestListings"), {"ids": ids})
    found = registry_feed.listings(answer)
    assert [listing.id for listing in found if listing] == ids
    for listing in found:
        changes_read, problems, skills = changes_from_json(listing.document)
        assert problems == [] and changes_read.title and skills == [s["code"] for s in listing.document["skills"]]


async def test_provider_page_lists_what_a_partner_delivers_for_others(demo_client):
    listings = oracle.listings()
    published = {c.id for c in oracle.published()}
    partner = next(p for c, p, _ in listings.partners if c in published)
    expected = oracle.credential_gids(
        c for c in oracle.published() if (c.id, partner) in {(x, y) for x, y, _ in listings.partners}
    )
    slug = next(p.slug for p in oracle.ref().providers if p.id == partner)
    delivered = (await data(demo_client, operation("ProviderPage"), {"slug": slug}))["provider"]["deliveredCredentials"]
    assert delivered["totalCount"] == len(expected) and {n["id"] for n in delivered["nodes"]} <= expected


async def test_search_feed_gives_the_newest_matches(demo_client):
    nodes = (await data(demo_client, operation("SearchFeed"), {"filter": {"regions": ["CA-QC"]}}))["searchCredentials"][
        "nodes"
    ]
    published = [n["publishedAt"] for n in nodes]
    assert len(nodes) == 50 and published == sorted(published, reverse=True)


async def test_embed_search_gives_ten_and_the_total(demo_client):
    result = (await data(demo_client, operation("EmbedSearch"), {"filter": {"deliveryModes": ["HYBRID"]}}))[
        "searchCredentials"
    ]
    hybrid = [c for c in oracle.published() if c.delivery_mode == "HYBRID"]
    assert len(result["nodes"]) == 10 and result["totalCount"] == len(hybrid)


async def test_compare_listings_gives_each_listing_asked_for(demo_client):
    ids = [oracle.gid("Credential", c.id) for c in oracle.published()[:3]]
    nodes = (await data(demo_client, operation("CompareListings"), {"ids": ids}))["nodes"]
    assert [n["id"] for n in nodes] == ids and all(0 <= n["completeness"]["score"] <= 1 for n in nodes)
