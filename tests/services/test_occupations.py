"""Loading NOC 2021 from Statistics Canada's files, and finding occupations by the words people
use: titles and job titles in either language, accents and case ignored, typos forgiven."""

from __future__ import annotations

import pytest

from registry.domain.principals import Forbidden, Principal, operator
from registry.services import occupations
from registry.store import audit
from registry.store import occupations as store
from tests.support.noc_files import ELEMENTS_EN, ELEMENTS_FR, STRUCTURE_EN, STRUCTURE_FR, noc_files

OPERATOR = operator("test")


@pytest.fixture
async def loaded(db):
    assert (await occupations.load_noc(db, OPERATOR, noc_files())).ok
    return db


async def _codes(db, query: str | None) -> list[str]:
    return [o.code for o in (await store.search_page(db, query=query, first=10, after=None)).items]


async def test_loading_the_files_creates_every_unit_group_with_both_languages(db):
    loaded = await occupations.load_noc(db, OPERATOR, noc_files())
    assert (loaded.value.unit_groups, loaded.value.created, loaded.value.changed) == (3, 3, 0)
    welders = await store.by_code(db, "NOC2021", "72106")
    assert set(welders.title) == set(welders.definition) == set(welders.example_titles) == {"en", "fr"}


async def test_a_load_is_on_the_audit_trail(db):
    await occupations.load_noc(db, OPERATOR, noc_files())
    entry = (await audit.recent(db, 1))[0]
    assert (entry.actor, entry.action, entry.target) == ("cli:test", "occupations.loaded", "NOC2021")
    assert entry.details["unitGroups"] == 3 and len(entry.details["files"]) == 4


async def test_loading_the_same_files_again_changes_nothing(loaded):
    again = await occupations.load_noc(loaded, OPERATOR, noc_files())
    assert (again.value.created, again.value.changed, again.value.unchanged) == (0, 0, 3)


async def test_the_french_files_loaded_later_add_french_and_keep_english(db):
    await occupations.load_noc(db, OPERATOR, noc_files(STRUCTURE_EN, ELEMENTS_EN))
    later = await occupations.load_noc(db, OPERATOR, noc_files(STRUCTURE_FR, ELEMENTS_FR))
    assert later.value.changed == 3
    aides = await store.by_code(db, "NOC2021", "33102")
    assert aides.title["en"].startswith("Nurse aides") and aides.title["fr"].startswith("Aides-infirmiers")
    assert (
        "orderly" in aides.example_titles["en"] and "préposé/préposée aux bénéficiaires" in aides.example_titles["fr"]
    )


async def test_a_file_that_is_not_a_noc_file_is_refused_and_nothing_is_written(db):
    refused = await occupations.load_noc(db, OPERATOR, {**noc_files(), "listings.csv": b"externalId,title_en\nA,B\n"})
    assert [(p.field, p.code) for p in refused.problems] == [(("file",), "UNREADABLE_FILE")]
    assert await db.fetchval("select count(*) from occupations") == 0


async def test_only_operators_load_a_classification(db):
    publisher = Principal("sis", frozenset({"credentials:write"}), provider_id=None, authority_id=None)
    with pytest.raises(Forbidden):
        await occupations.load_noc(db, publisher, noc_files())


@pytest.mark.parametrize(
    "query, code",
    [
        ("soudeur", "72106"),  # a French job title's first word
        ("Soudeurs", "72106"),  # the French class title, capitalised
        ("welder", "72106"),
        ("préposé aux bénéficiaires", "33102"),  # words of a job title, "préposé/préposée" split at the slash
        ("PREPOSE AUX BENEFICIAIRES", "33102"),  # no accents, upper case
        ("patient service", "33102"),
        ("soudeir", "72106"),  # a typo: no occupation has the word, a near spelling finds it
        ("72106", "72106"),  # a code
    ],
)
async def test_an_occupation_is_found_by_the_words_people_use(loaded, query, code):
    assert (await _codes(loaded, query))[0] == code


async def test_every_word_must_match_when_some_occupation_has_them_all(loaded):
    assert await _codes(loaded, "aide soignant") == ["33102"]


async def test_when_no_occupation_has_every_word_those_with_some_come_most_first(loaded):
    assert (await _codes(loaded, "welder online ontario"))[0] == "72106"


async def test_near_spellings_page_like_any_match(loaded):
    first = await store.search_page(loaded, query="soudeir", first=1, after=None)
    rest = await store.search_page(loaded, query="soudeir", first=10, after=first.keys[-1])
    assert [o.code for o in first.items] == ["72106"] and "72106" not in [o.code for o in rest.items]


async def test_the_start_of_a_code_finds_its_group(loaded):
    assert await _codes(loaded, "721") == ["72106"]


async def test_without_a_query_occupations_come_by_code(loaded):
    assert await _codes(loaded, None) == ["00010", "33102", "72106"]


async def test_words_nobody_uses_find_nothing(loaded):
    assert await _codes(loaded, "astronaut") == []
    assert await store.search_count(loaded, query="astronaut") == 0
