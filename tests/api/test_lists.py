"""Providers, authorities, skills and occupations: paged lists with totals and queries."""

from __future__ import annotations

import pytest

from tests.support import demo_oracle as oracle
from tests.support.graphql import data

LISTS = {
    "providers": ("providers", "slug", lambda: len(oracle.ref().providers)),
    "recognitionAuthorities": ("recognitionAuthorities", "id", lambda: len(oracle.ref().authorities)),
    "skills": ("skills", "code", lambda: len(oracle.ref().skills)),
    "occupations": ("occupations", "code", lambda: len(oracle.ref().occupations)),
}


async def walk(client, field: str, key: str, args: str = "", first: int = 7) -> tuple[list[str], int]:
    found, after = [], None
    while True:
        query = f"""query($after: String) {{ {field}({args} first: {first}, after: $after) {{
            totalCount nodes {{ {key} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
        page = (await data(client, query, {"after": after}))[field]
        found += [node[key] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("name", list(LISTS))
async def test_walking_a_list_returns_each_item_once(demo_client, name):
    field, key, expected = LISTS[name]
    found, total = await walk(demo_client, field, key)
    assert len(found) == len(set(found)) == total == expected()


async def test_providers_come_in_slug_order(demo_client):
    found, _ = await walk(demo_client, "providers", "slug", first=100)
    assert found == sorted(p.slug for p in oracle.ref().providers)


async def test_providers_by_jurisdiction(demo_client):
    found, total = await walk(demo_client, "providers", "slug", 'jurisdiction: "CA-QC",')
    assert set(found) == {p.slug for p in oracle.ref().providers if p.jurisdiction == "CA-QC"}
    assert total == len(found) > 0


async def test_country_code_means_every_province(demo_client):
    _, total = await walk(demo_client, "providers", "slug", 'jurisdiction: "CA",')
    assert total == len(oracle.ref().providers)


async def test_occupations_come_in_code_order_and_are_real_noc_codes(demo_client):
    found, _ = await walk(demo_client, "occupations", "code", first=100)
    assert found == sorted(found)
    assert all(len(code) == 5 and code.isdigit() for code in found)


async def test_skills_query_matches_labels_in_either_language_without_accents(demo_client):
    english, _ = await walk(demo_client, "skills", "code", 'query: "welding",')
    french, _ = await walk(demo_client, "skills", "code", 'query: "soudage",')
    assert english == french == ["welding-techniques"]
    unaccented, _ = await walk(demo_client, "skills", "code", 'query: "securite",')
    assert "workplace-safety" in unaccented


async def test_occupations_query_matches_titles_and_codes(demo_client):
    by_title, _ = await walk(demo_client, "occupations", "code", 'query: "nurses",')
    assert {"31301", "32101"} <= set(by_title)
    by_code, _ = await walk(demo_client, "occupations", "code", 'query: "21231",')
    assert by_code == ["21231"]


async def test_null_first_means_the_default_page_of_twenty(demo_client):
    result = await data(
        demo_client,
        "{ skills(first: null) { nodes { code } } searchCredentials(first: null, orderBy: null) { nodes { id } } }",
    )
    assert len(result["skills"]["nodes"]) == 20 == len(result["searchCredentials"]["nodes"])
