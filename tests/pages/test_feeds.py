"""Following a search: every search page has an Atom feed (RFC 4287) of the same search, newest
published first, which a feed reader reads (feedparser, as readers do) and which gains an entry
when a matching listing is published."""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree as ET

import feedparser
import pytest

from tests.support import demo_oracle as oracle
from tests.support.graphql import data
from tests.support.listings import COMPLETE, PUBLISH, create, gql
from tests.support.parties import access_token

ATOM = "{http://www.w3.org/2005/Atom}"
NEWEST = """
query($f: CredentialFilter, $q: String) {
  searchCredentials(query: $q, filter: $f, orderBy: NEWEST, first: 50) { nodes { id } }
}
"""
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _rfc4287_problems(body: bytes) -> list[str]:
    """What breaks RFC 4287's rules on a feed and its entries (section 4.1): each needs exactly
    one id (an absolute IRI), title and updated (RFC 3339); a feed without an author needs one
    in every entry; an entry without content needs an alternate link."""
    problems = []
    feed = ET.fromstring(body)
    if feed.tag != f"{ATOM}feed":
        return [f"the root is {feed.tag}, not atom:feed"]
    for element, name in [(feed, "feed"), *((e, f"entry {n}") for n, e in enumerate(feed.iter(f"{ATOM}entry")))]:
        for child in ("id", "title", "updated"):
            found = element.findall(f"{ATOM}{child}")
            if len(found) != 1:
                problems.append(f"{name} has {len(found)} atom:{child}")
        for stamp in element.findall(f"{ATOM}updated") + element.findall(f"{ATOM}published"):
            if not RFC3339.match(stamp.text or ""):
                problems.append(f"{name}: {stamp.text!r} is no RFC 3339 date-time")
        for identifier in element.findall(f"{ATOM}id"):
            if not re.match(r"^[a-z][a-z0-9+.-]*:", identifier.text or ""):
                problems.append(f"{name}: atom:id {identifier.text!r} is no absolute IRI")
        if element is not feed:
            if not feed.findall(f"{ATOM}author") and not element.findall(f"{ATOM}author"):
                problems.append(f"{name} has no author, nor has the feed")
            alternates = [
                link for link in element.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"
            ]
            if not element.findall(f"{ATOM}content") and not alternates:
                problems.append(f"{name} has neither content nor an alternate link")
    return problems


def _read(body: bytes):
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


async def test_a_filtered_search_s_feed_is_atom_with_the_search_s_newest_listings(demo_client):
    answer = await demo_client.get("/feeds/search.atom?mode=ONLINE&region=CA-ON")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    assert _rfc4287_problems(answer.content) == []
    parsed = _read(answer.content)
    expected = await data(demo_client, NEWEST, {"f": {"deliveryModes": ["ONLINE"], "regions": ["CA-ON"]}})
    ids = [node["id"] for node in expected["searchCredentials"]["nodes"]]
    assert len(ids) == 50 and [entry.id.rsplit("/", 1)[-1] for entry in parsed.entries] == ids
    published = [datetime(*entry.published_parsed[:6]) for entry in parsed.entries]
    assert published == sorted(published, reverse=True)


async def test_words_make_the_feed_s_title_and_the_french_feed_links_to_french_pages(demo_client):
    parsed = _read((await demo_client.get("/fr/feeds/search.atom?q=soudage")).content)
    assert parsed.feed.title == "Registre des microtitres : « soudage »" and parsed.feed.language == "fr"
    assert parsed.entries and all("/fr/credentials/" in entry.link for entry in parsed.entries)


async def test_an_occupation_s_feed_lists_the_listings_leading_to_it(demo_client):
    code = next(iter(oracle.occupation_codes_of(oracle.published()[0].id)))
    parsed = _read((await demo_client.get(f"/feeds/search.atom?occupation={code}")).content)
    expected = await data(demo_client, NEWEST, {"f": {"occupationCodes": [code]}})
    assert [e.id.rsplit("/", 1)[-1] for e in parsed.entries] == [
        n["id"] for n in expected["searchCredentials"]["nodes"]
    ]


async def test_the_search_page_offers_the_feed_of_the_same_search(demo_client):
    page = await demo_client.get("/?q=data&mode=ONLINE&sort=TITLE")
    assert '<link rel="alternate" type="application/atom+xml"' in page.text
    assert 'href="/feeds/search.atom?q=data&amp;mode=ONLINE"' in page.text


@pytest.fixture
async def token(client, parties):
    return await access_token(client, parties.provider)


async def test_the_feed_gains_an_entry_when_a_matching_listing_is_published(client, token):
    def keys(body: bytes) -> list[str]:
        return [entry.title for entry in _read(body).entries]

    before = keys((await client.get("/feeds/search.atom?q=welding")).content)
    made = await create(client, token, externalId="W-1", title=[{"lang": "en", "value": "Welding Safety"}], **COMPLETE)
    assert keys((await client.get("/feeds/search.atom?q=welding")).content) == before  # a draft is no entry
    await gql(client, PUBLISH, {"input": {"id": made["credential"]["id"]}}, token)
    after = (await client.get("/feeds/search.atom?q=welding")).content
    assert keys(after) == ["Welding Safety", *before] and _rfc4287_problems(after) == []
