"""A listing's page shows its upcoming offerings, in English and in French."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from registry.domain.local_dates import local_today
from tests.support.listings import COMPLETE, PUBLISH, create, gql
from tests.support.offerings import IN_SUDBURY, ONLINE_ROLLING
from tests.support.offerings import add_offering as _add
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
            ["Upcoming offerings", "\u2068Sudbury\u2069 (ON)", "Evenings", "5 of 24 seats left", "Rolling intake"],
        ),
        (
            "/fr/credentials/{id}",
            [
                "Prochaines sessions",
                "\u2068Sudbury\u2069 (ON)",
                "En soirée",
                "5 places libres sur 24",
                "Entrée continue",
            ],
        ),
    ],
)
async def test_a_listing_s_page_shows_its_offerings_in_its_language(client, listing_id, path, words):
    page = await client.get(path.format(id=listing_id), headers={"accept": "text/html"})
    assert page.status_code == 200
    for word in words:
        assert word in page.text, word
    assert f'href="/credentials/{listing_id}/offerings.ics"' in page.text


async def test_a_place_written_right_to_left_cannot_reorder_the_line_around_it(client, parties, listing_id):
    token = await access_token(client, parties.provider)
    reversed_place = {**IN_SUDBURY["place"], "municipality": "Sudbury\u202e<i>x</i>"}
    await _add(client, token, listing_id, {**IN_SUDBURY, "externalId": "rtl", "place": reversed_place})
    page = await client.get(f"/credentials/{listing_id}", headers={"accept": "text/html"})
    assert "\u2068Sudbury\u202e&lt;i&gt;x&lt;/i&gt;\u2069 (ON)" in page.text  # the override ends with the name


# The search page's "Starts" and "Near" filters, over the demo data: the page finds what the
# API finds for the same filter (the API's own answers are checked against an independent
# computation in tests/api/test_offering_search.py).

TOTAL = "query($f: CredentialFilter) { searchCredentials(filter: $f) { totalCount } }"


async def _api_total(demo_client, filter_: dict) -> int:
    answer = await demo_client.post("/graphql", json={"query": TOTAL, "variables": {"f": filter_}})
    return answer.json()["data"]["searchCredentials"]["totalCount"]


def _heading(html: str) -> str:
    return re.search(r'id="results-heading"[^>]*>([^<]*)<', html).group(1)


async def test_a_search_near_a_place_finds_what_the_api_finds_nearest_first(demo_client):
    page = await demo_client.get("/", params={"near": "Sudbury, ON", "km": "100", "sort": "NEAREST"})
    expected = await _api_total(demo_client, {"near": {"place": "Sudbury, ON", "withinKm": 100}})
    assert 0 < expected and _heading(page.text) == f"{expected:,} results"
    distances = [float(km.replace(",", "")) for km in re.findall(r"Nearest offering: [^<]*?, ([\d,.]+) km", page.text)]
    assert distances and distances == sorted(distances) and distances[-1] <= 100
    assert "Near Sudbury, ON (100 km)" in page.text  # the chip that removes it
    assert '<option value="NEAREST" selected>' in page.text


async def test_the_french_page_searches_near_a_place_in_french(demo_client):
    page = await demo_client.get("/fr/", params={"near": "Montréal (Québec)", "km": "50"})
    assert "Près de Montréal (Québec) (50 km)" in page.text and "Session la plus proche" in page.text


async def test_an_unknown_place_is_said_beside_the_form_over_unfiltered_results(demo_client):
    page = await demo_client.get("/", params={"near": "Atlantis", "sort": "NEAREST"})
    assert page.status_code == 200 and 'role="alert"' in page.text and "“\u2068Atlantis\u2069”" in page.text
    assert 'aria-invalid="true"' in page.text and 'value="Atlantis"' in page.text
    assert _heading(page.text) == f"{await _api_total(demo_client, {}):,} results"


async def test_an_unknown_place_written_right_to_left_cannot_reorder_the_sentence_around_it(demo_client):
    page = await demo_client.get("/", params={"near": "\u202eAtlantis"})
    assert "“\u2068\u202eAtlantis\u2069”" in page.text  # isolated: the override ends with it


async def test_starts_within_30_days_finds_what_the_api_finds_for_that_range(demo_client):
    page = await demo_client.get("/?starts=30&sort=SOONEST_START")
    today = local_today(None, datetime.now(UTC))  # the registry's own date, as the page's
    window = {"from": today.isoformat(), "to": (today + timedelta(days=30)).isoformat()}
    assert _heading(page.text) == f"{await _api_total(demo_client, {'startsBetween': window}):,} results"
    assert 'aria-current="true" data-facet="starts"' in page.text
    assert "Next start: " in page.text
