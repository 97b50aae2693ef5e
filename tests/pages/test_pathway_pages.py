"""A listing's page shows its pathway: what it leads to and what builds on it, in its language."""

from __future__ import annotations

import pytest

from tests.support.listings import LINK, gql, published
from tests.support.parties import access_token


@pytest.fixture
async def middle(client, parties) -> str:
    """B, with A part of it and B preparing for C, then C part of D."""
    token = await access_token(client, parties.provider)
    a, b, c, d = [await published(client, token, key) for key in ("A", "B", "C", "D")]
    for source, target, kind in ((a, b, "PART_OF"), (b, c, "PREPARES_FOR"), (c, d, "PART_OF")):
        await gql(client, LINK, {"input": {"fromId": source, "toId": target, "kind": kind}}, token)
    return b


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/credentials/{id}", ["Pathway", "Leads to", "prepares for it", "stacks into it, 2 links away",
                               "Builds on", "stacks into this one"]),
        ("/fr/credentials/{id}", ["Parcours", "Mène à", "y prépare", "s&#39;y intègre, à 2 liens",
                                  "S&#39;appuie sur", "s&#39;intègre à ce titre"]),
    ],
)  # fmt: skip
async def test_a_listing_s_page_shows_what_it_leads_to_and_builds_on(client, middle, path, words):
    page = await client.get(path.format(id=middle), headers={"accept": "text/html"})
    assert page.status_code == 200
    shown = [page.text.index(word) for word in words]
    assert shown == sorted(shown)  # in this order: what it leads to, then what builds on it
