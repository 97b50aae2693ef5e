"""A listing's page shows its upcoming offerings, in English and in French."""

from __future__ import annotations

import pytest

from tests.api.test_offerings import IN_SUDBURY, ONLINE_ROLLING, _add
from tests.support.listings import COMPLETE, PUBLISH, create, gql
from tests.support.parties import access_token


@pytest.fixture
async def listing_id(client, parties):
    token = await access_token(client, parties.provider)
    made = (await create(client, token, **COMPLETE))["credential"]
    await gql(client, PUBLISH, {"input": {"id": made["id"]}}, token)
    await _add(client, token, made["id"], {**IN_SUDBURY, "seatsAvailable": 5})
    await _add(client, token, made["id"], ONLINE_ROLLING)
    return made["id"]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        (
            "/credentials/{id}",
            ["Upcoming offerings", "Sudbury (ON)", "Evenings", "5 of 24 seats left", "Rolling intake"],
        ),
        (
            "/fr/credentials/{id}",
            ["Prochaines sessions", "Sudbury (ON)", "En soirée", "5 places libres sur 24", "Entrée continue"],
        ),
    ],
)
async def test_a_listing_s_page_shows_its_offerings_in_its_language(client, listing_id, path, words):
    page = await client.get(path.format(id=listing_id), headers={"accept": "text/html"})
    assert page.status_code == 200
    for word in words:
        assert word in page.text, word
    assert f'href="/credentials/{listing_id}/offerings.ics"' in page.text
