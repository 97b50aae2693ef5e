"""Occupations over GraphQL: found by the words of their titles and job titles, one by its
code with its definition, job titles and TEER category, paged like every list."""

from __future__ import annotations

from tests.support.graphql import data, operation, post, statements

FIND = (
    "query($q: String, $first: Int, $after: String) { occupations(query: $q, first: $first, after: $after) {"
    ' totalCount pageInfo { hasNextPage endCursor } nodes { code title(lang: "fr") } } }'
)
ONE = """query($code: String!) { occupation(code: $code) {
  code scheme teer title(lang: "fr") definition(lang: "fr") exampleTitles(lang: "fr") en: exampleTitles(lang: "en")
} }"""


async def _codes(client, query: str, first: int = 5) -> list[str]:
    found = (await data(client, FIND, {"q": query, "first": first}))["occupations"]["nodes"]
    return [o["code"] for o in found]


async def test_a_french_job_title_finds_its_occupation_first(demo_client):
    assert (await _codes(demo_client, "soudeur"))[0] == "72106"


async def test_a_job_title_of_several_words_finds_its_occupation(demo_client):
    assert (await _codes(demo_client, "préposé aux bénéficiaires"))[0] == "33102"


async def test_a_misspelt_job_title_still_finds_its_occupation(demo_client):
    assert (await _codes(demo_client, "soudeir"))[0] == "72106"


async def test_a_query_of_nothing_but_spaces_and_punctuation_lists_every_occupation(demo_client):
    every = (await data(demo_client, FIND, {"q": None, "first": 100}))["occupations"]
    assert (await data(demo_client, FIND, {"q": " - ", "first": 100}))["occupations"] == every


async def test_a_query_longer_than_a_person_types_is_refused_with_its_code(demo_client):
    for query, code in (("welder " * 40, "TOO_LONG"), (" ".join("abcdefghijklmn"), "TOO_MANY_WORDS")):
        refused = await post(demo_client, FIND, {"q": query})
        [error] = refused.json()["errors"]
        assert error["extensions"]["problems"][0]["code"] == code


async def test_an_occupation_by_code_has_its_job_titles_in_the_language_asked_and_its_teer(demo_client):
    found = (await data(demo_client, ONE, {"code": "33102"}))["occupation"]
    assert (found["scheme"], found["teer"]) == ("NOC2021", 3)
    assert "préposé/préposée aux bénéficiaires" in found["exampleTitles"] and "orderly" in found["en"]
    assert found["definition"] is None  # the demo's occupations come without definitions


async def test_an_unknown_code_is_null(demo_client):
    assert (await data(demo_client, ONE, {"code": "99999"}))["occupation"] is None


async def test_matches_page_through_without_repeats_and_count_what_they_page(demo_client):
    first = (await data(demo_client, FIND, {"q": "technicians", "first": 2}))["occupations"]
    rest = await data(demo_client, FIND, {"q": "technicians", "first": 50, "after": first["pageInfo"]["endCursor"]})
    codes = [o["code"] for o in first["nodes"] + rest["occupations"]["nodes"]]
    assert len(codes) == len(set(codes)) == first["totalCount"] > 2


async def test_job_titles_of_a_page_of_listings_cost_one_statement(demo_client):
    without = "{ searchCredentials(first: 50) { nodes { occupations { code } } } }"
    with_titles = "{ searchCredentials(first: 50) { nodes { occupations { code exampleTitles } } } }"
    assert statements(await post(demo_client, with_titles)) == statements(await post(demo_client, without)) + 1


async def test_the_search_page_asks_for_occupations_only_when_words_are_typed(demo_client):
    suggested = await post(demo_client, operation("SearchPage"), {"query": "soudeur", "suggest": True})
    plain = await post(demo_client, operation("SearchPage"), {"query": "soudeur"})
    codes = [o["code"] for o in suggested.json()["data"]["suggestions"]["nodes"]]
    assert codes[0] == "72106" and "suggestions" not in plain.json()["data"]
    assert statements(suggested) == statements(plain) + 1  # the occupations: one statement
