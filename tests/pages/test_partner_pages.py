"""A listing's page names its delivery partners, each linking to the search of what that
partner owns or delivers; that search says which institution it is narrowed to."""

from __future__ import annotations

import html
import re

import pytest

from registry.domain import ids
from tests.support.listings import COMPLETE, PUBLISH, create, gql
from tests.support.parties import access_token


@pytest.fixture
async def shared(client, parties) -> str:
    """North College's listing that South Polytechnic delivers too, and South's own one."""
    south_id = ids.encode("Provider", parties.other_provider_id)
    for token, key, partners in [
        (await access_token(client, parties.provider), "N-SHARED", [south_id]),
        (await access_token(client, parties.other_provider), "S-OWN", []),
    ]:
        made = (await create(client, token, externalId=key, offeredByProviderIds=partners, **COMPLETE))["credential"]
        await gql(client, PUBLISH, {"input": {"id": made["id"]}}, token)
        if key == "N-SHARED":
            listing = made["id"]
    return listing


def _links(page: str) -> dict[str, str]:
    """The page's links: text -> address."""
    return {
        html.unescape(text.strip()): html.unescape(href)
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
    }


@pytest.mark.parametrize(("path", "words", "home"), [("/credentials/{id}", "Also delivered by", "/"),
                                                     ("/fr/credentials/{id}", "Offert aussi par", "/fr/")])  # fmt: skip
async def test_a_listing_s_page_names_its_partners_linking_to_what_each_delivers(
    client, parties, shared, path, words, home
):
    page = await client.get(path.format(id=shared), headers={"accept": "text/html"})
    assert words in page.text
    south_id = ids.encode("Provider", parties.other_provider_id)
    assert _links(page.text)["South Polytechnic"] == f"{home}?deliverer={south_id}"


async def test_a_partner_s_search_lists_what_it_owns_and_delivers_and_says_whose_it_is(client, parties, shared):
    south_id = ids.encode("Provider", parties.other_provider_id)
    page = await client.get(f"/?deliverer={south_id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    titles = re.findall(r'<h3[^>]*><a href="/credentials/([^"]+)"', page.text)
    assert shared in titles and len(titles) == 2
    assert 'class="chip">Delivered by South Polytechnic<' in page.text
