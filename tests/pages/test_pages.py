"""The pages over HTTP: what they show comes from the named operations, in the page's
language, with the right status when something is wrong."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote

import pytest

from tests.support import demo_oracle as oracle


def _heading(html: str) -> str:
    return re.search(r'id="results-heading"[^>]*>([^<]*)<', html).group(1)


async def test_the_search_page_counts_every_published_listing(demo_client):
    page = await demo_client.get("/")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert _heading(page.text) == f"{len(oracle.published()):,} results"


async def test_the_french_search_page_is_in_french(demo_client):
    page = await demo_client.get("/fr/")
    assert '<html lang="fr">' in page.text and page.headers["content-language"] == "fr"
    assert "Rechercher" in page.text and _heading(page.text).endswith("résultats")


async def test_a_facet_link_filters_and_counts_as_the_api_does(demo_client):
    page = await demo_client.get("/?mode=ONLINE&recognized=yes")
    expected = [c for c in oracle.published() if c.delivery_mode == "ONLINE" and oracle.active_recognitions(c.id)]
    assert _heading(page.text) == f"{len(expected):,} results"
    assert 'href="/?recognized=yes"' in page.text  # the link that removes ONLINE keeps the other filter


async def test_pages_read_only_through_the_named_operations(demo_client, caplog):
    caplog.set_level(logging.INFO, logger="microcred.requests")
    await demo_client.get("/")
    await demo_client.get("/statistics")
    logged = [json.loads(r.getMessage())["operation"] for r in caplog.records if r.name == "microcred.requests"]
    assert logged == ["SearchPage", "RegistryStatistics"]


async def test_a_listing_page_embeds_its_schema_org_description(demo_client):
    listing = oracle.published()[0]
    page = await demo_client.get(
        f"/credentials/{oracle.gid('Credential', listing.id)}", headers={"accept": "text/html"}
    )
    embedded = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S).group(1))
    assert page.status_code == 200 and embedded["name"] == listing.title["en"]
    assert f"<h1>{listing.title['en']}</h1>".replace("'", "&#39;") in page.text


async def test_a_listing_page_in_french_shows_the_french_title(demo_client):
    listing = next(c for c in oracle.published() if "fr" in c.title)
    page = await demo_client.get(f"/fr/credentials/{oracle.gid('Credential', listing.id)}")
    assert '<html lang="fr">' in page.text and listing.title["fr"].replace("'", "&#39;") in page.text


async def test_an_unknown_listing_is_a_404_page(demo_client):
    page = await demo_client.get(
        "/credentials/Q3JlZGVudGlhbDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA", headers={"accept": "text/html"}
    )
    assert page.status_code == 404 and "No published credential has this address." in page.text


@pytest.mark.parametrize(
    ("path", "lang", "message"),
    [
        ("/no-such-page", "en", "No page has this address."),
        ("/fr/no-such-page", "fr", "Aucune page n&#39;a cette adresse."),
        ("/fr/credentials/x/y", "fr", "Aucune page n&#39;a cette adresse."),
        ("/static/no-such.css", "en", "No page has this address."),
    ],
)
async def test_an_unknown_address_is_the_registry_s_own_404_page_in_the_path_s_language(
    demo_client, path, lang, message
):
    page = await demo_client.get(path)
    assert page.status_code == 404 and page.headers["content-language"] == lang
    assert f'<html lang="{lang}">' in page.text and f"<h1>{message}</h1>" in page.text
    assert f"<title>{message} - " in page.text and '<main id="content">' in page.text


async def test_a_stale_cursor_in_the_address_is_a_400_page_not_a_500(demo_client):
    page = await demo_client.get("/?after=" + quote("not-a-cursor"))
    assert page.status_code == 400 and "cursor" in page.text


async def test_the_statistics_page_draws_five_charts_with_their_numbers(demo_client):
    page = await demo_client.get("/statistics")
    assert page.text.count('role="img"') == 5 and page.text.count("<table>") == 5
    assert f"{len(oracle.published()):,} published listings" in page.text


async def test_text_from_listings_is_escaped(demo_client):
    page = await demo_client.get("/?q=" + quote("<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_an_error_page_speaks_the_pages_language(demo_client):
    page = await demo_client.get("/fr/credentials/Q3JlZGVudGlhbDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA")
    assert page.status_code == 404 and "Aucun titre publié n'a cette adresse.".replace("'", "&#39;") in page.text
    assert 'hreflang="en" href="/"' in page.text


async def test_the_other_language_of_a_later_page_of_titles_is_its_first_page(demo_client):
    first = await demo_client.get("/?sort=TITLE")
    later = re.search(r'href="(/\?[^"]*after=[^"]*)"', first.text).group(1).replace("&amp;", "&")
    page = await demo_client.get(later)
    other = re.search(r'hreflang="fr" href="([^"]*)"', page.text).group(1).replace("&amp;", "&")
    assert "after=" not in other and "sort=TITLE" in other
    assert (await demo_client.get(other)).status_code == 200
