"""Compare: up to four listings side by side, chosen from the search page with links (the choice
held in the address), each row's differences said in words, in both languages."""

from __future__ import annotations

import html
import re

from registry.pages.words import Words
from tests.support import demo_oracle as oracle
from tests.support.graphql import data

DETAILS = """
query($ids: [ID!]!) { nodes(ids: $ids) { ... on Credential { id title workloadHours deliveryMode cost { amount } } } }
"""


def _three() -> list[str]:
    """Three published demo listings that differ in delivery mode and agree on nothing much."""
    chosen, modes = [], set()
    for listing in oracle.published():
        if listing.delivery_mode not in modes:
            chosen.append(oracle.gid("Credential", listing.id))
            modes.add(listing.delivery_mode)
        if len(chosen) == 3:
            return chosen
    raise AssertionError("the demo has fewer than three delivery modes")


def _rows(page: str) -> dict[str, list[str]]:
    """The table's rows: label (without its mark) -> the cells."""
    body = page.split("<tbody>", 1)[1]
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        label = re.search(r'<th scope="row">([^<]*)', row).group(1).strip()
        found[html.unescape(label)] = [html.unescape(c.strip()) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    return found


def _differing(page: str) -> set[str]:
    return {
        html.unescape(label).strip() for label in re.findall(r'<tr class="differs">\s*<th scope="row">([^<]*)', page)
    }


async def test_three_listings_side_by_side_in_english_with_their_differences_named(demo_client):
    ids = _three()
    page = await demo_client.get("/compare?" + "&".join(f"ids={i}" for i in ids))
    assert page.status_code == 200
    listings = (await data(demo_client, DETAILS, {"ids": ids}))["nodes"]
    headings = re.findall(r'<th scope="col"><a href="/credentials/([^"]+)">([^<]+)</a>', page.text)
    assert [(i, html.unescape(t)) for i, t in headings] == [(c["id"], c["title"]) for c in listings]
    rows = _rows(page.text)
    assert rows["Delivery"] == [Words("en").code(c["deliveryMode"]) for c in listings]
    assert len(set(rows["Delivery"])) == 3
    assert rows["Workload"] == [f"{c['workloadHours']:g} h" for c in listings]
    assert "Delivery" in _differing(page.text)  # three modes: marked, in words
    assert all(len(set(values)) == 1 for label, values in rows.items() if label not in _differing(page.text))
    assert page.text.count("≠ differs") == len(_differing(page.text))


async def test_the_french_comparison_speaks_french(demo_client):
    page = await demo_client.get("/fr/comparer?ids=" + ",".join(_three()))
    assert '<html lang="fr">' in page.text and "<h1>Comparer des titres</h1>" in page.text
    assert "≠ diffère" in page.text and "Élément comparé" in page.text
    assert 'hreflang="en" href="/compare?ids=' in page.text


async def test_at_most_four_are_compared_and_unknown_ones_are_said_to_be_left_out(demo_client):
    five = [oracle.gid("Credential", c.id) for c in oracle.published()[:5]]
    page = await demo_client.get("/compare?" + "&".join(f"ids={i}" for i in five))
    assert len(re.findall(r'<th scope="col"><a href="/credentials/', page.text)) == 4
    assert "At most four listings are compared at once" in page.text
    page = await demo_client.get(f"/compare?ids={five[0]}&ids=not-an-id")
    assert len(re.findall(r'<th scope="col"><a href="/credentials/', page.text)) == 1
    assert "1 of the listings asked for cannot be shown" in page.text


async def test_the_search_page_adds_listings_to_the_comparison_by_links(demo_client):
    page = (await demo_client.get("/?q=data")).text
    first = re.search(r'<a href="(/\?q=data&amp;compare=[^"]+)">Add to comparison', page).group(1)
    chosen = (await demo_client.get(html.unescape(first))).text
    listing = re.search(r"compare=([^&\"]+)", html.unescape(first)).group(1)
    assert "Remove from comparison" in chosen and f'href="/compare?ids={listing}"' in chosen
    assert "Compare the 1 chosen listings" in chosen


async def test_with_four_chosen_the_search_page_offers_no_fifth(demo_client):
    four = "&".join(f"compare={oracle.gid('Credential', c.id)}" for c in oracle.published()[:4])
    page = (await demo_client.get(f"/?{four}")).text
    assert "Add to comparison" not in page and "Four listings are chosen" in page
