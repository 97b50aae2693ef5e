"""Full-text search: English and French, accents, web-search syntax, ranking, typos."""

from __future__ import annotations

from tests.support import demo_oracle as oracle
from tests.support.graphql import data

SEARCH = """
query Search($query: String, $lang: LanguageTag, $filter: CredentialFilter) {
  searchCredentials(query: $query, lang: $lang, filter: $filter, first: 100) {
    totalCount
    nodes { id title titleEn: title(lang: "en") descriptionEn: description(lang: "en")
            titles: titleTranslations { lang value } }
  }
}
"""


async def search(client, query: str, **variables) -> dict:
    return (await data(client, SEARCH, {"query": query, **variables}))["searchCredentials"]


def ids(result) -> set[str]:
    return {node["id"] for node in result["nodes"]}


def all_text(c) -> str:
    """Everything a listing is searched by: its texts, its skills' labels, its provider's name."""
    skills = oracle.skill_ids_of(c.id)
    provider = next(p for p in oracle.ref().providers if p.id == c.provider_id)
    parts = list(c.title.values()) + list(c.description.values()) + list(provider.name.values())
    parts += [v for outcome in c.learning_outcomes for v in outcome.values()]
    parts += [v for s in oracle.ref().skills if s.id in skills for v in s.label.values()]
    return " ".join(parts).lower()


async def test_french_query_finds_french_listings_with_or_without_accents(demo_client):
    accented = await search(demo_client, "données")
    plain = await search(demo_client, "donnees")
    assert accented["totalCount"] > 0
    assert ids(accented) == ids(plain)
    assert accented["totalCount"] == plain["totalCount"]


async def test_english_query_is_stemmed(demo_client):
    result = await search(demo_client, "analytic")
    assert result["totalCount"] > 0
    assert all(
        "analytic" in (n["titleEn"] + n["descriptionEn"]).lower() or "analytique" in n["title"].lower()
        for n in result["nodes"]
    )


async def test_french_only_listings_are_found_by_french_words(demo_client):
    french_only = [c for c in oracle.published() if "en" not in c.title]
    assert french_only, "the demo data has no French-only listing"
    listing = french_only[0]
    word = max(listing.title["fr"].replace(":", " ").split(), key=len)
    assert oracle.gid("Credential", listing.id) in ids(await search(demo_client, word))


async def test_quoted_phrase_matches_only_the_phrase(demo_client):
    phrase = await search(demo_client, '"energy auditing"')
    words = await search(demo_client, "energy auditing")
    assert 0 < phrase["totalCount"] <= words["totalCount"]
    listings = {oracle.gid("Credential", c.id): c for c in oracle.published()}
    assert all("energy audit" in all_text(listings[i]) for i in ids(phrase))


async def test_minus_excludes_a_word(demo_client):
    with_word = await search(demo_client, "data")
    without = await search(demo_client, "data -governance")
    assert 0 < without["totalCount"] < with_word["totalCount"]
    listings = {oracle.gid("Credential", c.id): c for c in oracle.published()}
    assert not any("governance" in all_text(listings[i]) for i in ids(without))


async def test_or_finds_either_word(demo_client):
    welding = await search(demo_client, "welding")
    baking = await search(demo_client, "baking")
    either = await search(demo_client, "welding or baking")
    assert ids(either) == ids(welding) | ids(baking)
    assert welding["totalCount"] > 0 and baking["totalCount"] > 0


async def test_listings_are_found_by_their_provider_name(demo_client):
    provider = next(p for p in oracle.ref().providers if "Klondike" in p.name["en"])
    expected = oracle.credential_gids(c for c in oracle.published() if c.provider_id == provider.id)
    assert expected
    assert expected <= ids(await search(demo_client, "Klondike"))


async def test_listings_are_found_by_their_skills(demo_client):
    forklift = next(s for s in oracle.ref().skills if s.code == "forklift-operation")
    expected = oracle.credential_gids(c for c in oracle.published() if forklift.id in oracle.skill_ids_of(c.id))
    assert expected
    assert expected <= ids(await search(demo_client, "forklift"))


async def test_titles_that_match_rank_first(demo_client):
    result = await search(demo_client, "dementia care")
    assert result["totalCount"] > 1
    assert "dementia care" in result["nodes"][0]["titleEn"].lower()


async def test_a_misspelt_query_falls_back_to_similar_titles(demo_client):
    result = await search(demo_client, "cybersecurty")
    assert result["totalCount"] > 0
    assert all("cybersecurity" in node["titleEn"].lower() for node in result["nodes"])


async def test_nonsense_finds_nothing(demo_client):
    assert (await search(demo_client, "xyzzyq"))["totalCount"] == 0


async def test_search_lang_picks_the_language_of_text_fields(demo_client):
    result = await search(demo_client, "soudage", lang="fr")
    for node in result["nodes"]:
        translations = {t["lang"]: t["value"] for t in node["titles"]}
        assert node["title"] == translations.get("fr", translations.get("en"))


async def test_text_fields_fall_back_to_english_then_any_language(demo_client):
    result = await search(demo_client, "soudage")
    for node in result["nodes"]:
        translations = {t["lang"]: t["value"] for t in node["titles"]}
        assert node["title"] == translations.get("en", next(iter(translations.values())))


async def test_text_search_combines_with_filters(demo_client):
    result = await search(demo_client, "data", filter={"deliveryModes": ["IN_PERSON"]})
    assert result["totalCount"] > 0
    listings = {oracle.gid("Credential", c.id): c for c in oracle.published()}
    assert all(listings[i].delivery_mode == "IN_PERSON" for i in ids(result))
