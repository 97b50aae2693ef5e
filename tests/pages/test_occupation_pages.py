"""An occupation's page as a way in: the occupation and its job titles, the credentials aligned
with it that an authority recognises first (narrowed to chosen authorities for an employer),
then the others, each with its skills; and the search page's suggestions leading there."""

from __future__ import annotations

import html
import re

from registry.domain import ids
from tests.support import demo_oracle as oracle

NURSE_AIDES = "33102"


def _expected(code: str) -> tuple[set[str], set[str]]:
    """(recognised, other) published demo listings aligned with occupation ``code``."""
    aligned = [c for c in oracle.published() if code in oracle.occupation_codes_of(c.id)]
    recognised = {oracle.gid("Credential", c.id) for c in aligned if oracle.active_recognitions(c.id)}
    others = {oracle.gid("Credential", c.id) for c in aligned} - recognised
    return recognised, others


def _section(page: str, which: str) -> str:
    """The list of "recognised" or "others" listings (empty when the page has none)."""
    start = page.find(f'id="{which}-list"')
    return page[start : page.index("</ol>", start)] if start >= 0 else ""


def _listings(section: str) -> set[str]:
    return set(re.findall(r'href="(?:/fr)?/credentials/([^"]+)"', section))


async def test_the_page_lists_recognised_credentials_first_then_the_others(demo_client):
    recognised, others = _expected(NURSE_AIDES)
    assert recognised and others, "the demo should have both for nurse aides"
    assert len(recognised) <= 20 and len(others) <= 20  # one page of each
    page = (await demo_client.get(f"/occupations/{NURSE_AIDES}")).text
    assert page.index('class="recognised"') < page.index('class="others"')
    assert _listings(_section(page, "recognised")) == recognised
    assert _listings(_section(page, "others")) == others


async def test_the_french_page_names_the_occupation_and_its_job_titles_in_french(demo_client):
    response = await demo_client.get(f"/fr/professions/{NURSE_AIDES}")
    page = html.unescape(response.text)
    assert response.status_code == 200 and response.headers["content-language"] == "fr"
    assert "<h1>Aides-infirmiers/aides-infirmières" in page and "préposé/préposée aux bénéficiaires" in page
    assert 'href="/occupations/33102"' in page  # the same page in English


async def test_each_listing_shows_the_skills_it_teaches(demo_client):
    page = html.unescape((await demo_client.get(f"/occupations/{NURSE_AIDES}")).text)
    for card in page.split('<li class="card">')[1:]:
        listing = ids.decode_as(re.search(r'/credentials/([^"]+)"', card).group(1), "Credential")
        taught = [s.label["en"] for s in oracle.ref().skills if s.id in oracle.skill_ids_of(listing)]
        assert taught and all(label in card for label in taught)


async def test_an_employer_narrows_the_recognised_list_to_an_authority(demo_client):
    page = (await demo_client.get(f"/occupations/{NURSE_AIDES}")).text
    link = re.search(r'<a class="option" href="(/occupations/33102\?by=([^"]+))"', page)
    narrowed = (await demo_client.get(html.unescape(link.group(1)))).text
    authority = html.unescape(link.group(2))
    expected = {
        oracle.gid("Credential", c.id)
        for c in oracle.published()
        if NURSE_AIDES in oracle.occupation_codes_of(c.id)
        and any(
            oracle.gid("RecognitionAuthority", r.authority_id) == authority for r in oracle.active_recognitions(c.id)
        )
    }
    assert expected and _listings(_section(narrowed, "recognised")) == expected
    assert 'aria-current="true"' in narrowed


async def test_a_narrowed_page_counts_what_other_authorities_recognise_and_leads_back_to_all(demo_client):
    page = (await demo_client.get("/occupations/44101")).text
    links = re.findall(r'<a class="option" href="(/occupations/44101\?by=([^"]+))"', page)
    recognised, _ = _expected("44101")
    for href, authority in links:
        chosen = html.unescape(authority)
        kept = {
            oracle.gid("Credential", c.id)
            for c in oracle.published()
            if oracle.gid("Credential", c.id) in recognised
            and any(
                oracle.gid("RecognitionAuthority", r.authority_id) == chosen for r in oracle.active_recognitions(c.id)
            )
        }
        narrowed = html.unescape((await demo_client.get(html.unescape(href))).text)
        elsewhere = len(recognised) - len(kept)
        assert (f"{elsewhere} more recognised only by other authorities." in narrowed) == (elsewhere > 0)
        assert '<a href="/occupations/44101">Show the credentials every authority recognises</a>' in narrowed
    assert len(links) >= 2  # the demo recognises home support workers' listings by several authorities


async def test_the_page_names_the_classification_s_source_and_licence(demo_client):
    page = html.unescape((await demo_client.get("/fr/professions/72106")).text)
    assert "Statistique Canada" in page and "Licence du gouvernement ouvert - Canada" in page


async def test_an_unknown_occupation_is_the_registry_s_404_in_the_path_s_language(demo_client):
    response = await demo_client.get("/fr/professions/99999")
    assert response.status_code == 404 and response.headers["content-language"] == "fr"


async def test_an_occupation_named_by_its_global_id_moves_to_its_code(demo_client):
    occupation = next(o for o in oracle.ref().occupations if o.code == NURSE_AIDES)
    response = await demo_client.get(f"/occupations/{oracle.gid('Occupation', occupation.id)}")
    assert response.status_code == 301 and response.headers["location"] == "/occupations/33102"


async def test_the_french_search_page_suggests_the_occupation_of_the_words_typed(demo_client):
    page = html.unescape((await demo_client.get("/fr/", params={"q": "préposé aux bénéficiaires"})).text)
    suggestions = page.split('<nav class="suggestions"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/fr/professions/33102">Aides-infirmiers' in suggestions


async def test_the_search_page_suggests_nothing_without_words(demo_client):
    assert 'class="suggestions"' not in (await demo_client.get("/")).text
