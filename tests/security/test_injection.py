"""Threat: injection through listing text into SQL, HTML pages and JSON-LD documents (OWASP
ASVS V5.3.3, V5.3.4, V5.3.6).

A provider's text is stored and returned exactly as written, and every output encodes it for
where it lands: SQL takes it as a parameter, HTML escapes it, the JSON-LD embedded in a page
cannot close its script element, and documents stay well-formed JSON with the text as a value.
"""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape

from tests.support.listings import COMPLETE, PUBLISH, create, gql
from tests.support.parties import access_token

PAYLOADS = {
    "html": '<img src=x onerror="alert(1)"><b>bold</b>',
    "script": "</script><script>alert(document.cookie)</script><!--<script>",
    "sql": "x'); drop table credentials; -- \\' \" $1 $$ E'\\x00'",
    "json": '"}], "@context": "https://evil.example/", "x": [{"',
    "template": "{{ 7*7 }} {% raw %} ${7*7} #{7*7}",
}


@pytest.fixture
async def listing(client, parties):
    """A published listing whose title and description carry every payload."""
    token = await access_token(client, parties.provider)
    text = " | ".join(PAYLOADS.values())
    made = await create(
        client,
        token,
        title=[{"lang": "en", "value": text}],
        **{**COMPLETE, "description": [{"lang": "en", "value": text}]},
    )
    assert made["userErrors"] == []
    await gql(client, PUBLISH, {"input": {"id": made["credential"]["id"]}}, token)
    return made["credential"]["id"], text


async def test_listing_text_round_trips_exactly(client, listing):
    """SQL injection: the text is a parameter, stored and returned byte for byte."""
    listing_id, text = listing
    found = await gql(client, "query($id: ID!) { credential(id: $id) { title description } }", {"id": listing_id})
    assert found["data"]["credential"] == {"title": text, "description": text}
    assert (
        await client.get("/readyz")
        and (await gql(client, "{ searchCredentials { totalCount } }", {}))["data"]["searchCredentials"]["totalCount"]
        == 1
    )


@pytest.mark.parametrize("name", list(PAYLOADS))
async def test_search_text_is_never_sql(client, listing, name):
    """SQL injection through the search words: each payload is only text to look for."""
    answer = await gql(
        client, "query($q: String) { searchCredentials(query: $q) { totalCount } }", {"q": PAYLOADS[name]}
    )
    assert "errors" not in answer and answer["data"]["searchCredentials"]["totalCount"] in (0, 1)


async def test_the_listing_page_escapes_the_text(client, listing):
    """HTML injection: no payload element reaches the page as markup."""
    listing_id, text = listing
    page = await client.get(f"/credentials/{listing_id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "<img src=x" not in page.text and "<script>alert" not in page.text and "<b>bold</b>" not in page.text
    assert "<!--<script>" not in page.text
    assert str(escape(PAYLOADS["html"])) in page.text  # shown as text


async def test_the_json_ld_embedded_in_the_page_cannot_close_its_script(client, listing):
    """Script injection: the embedded JSON-LD holds no `</script`, and parses back to the text."""
    listing_id, text = listing
    page = (await client.get(f"/credentials/{listing_id}", headers={"accept": "text/html"})).text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1 and "<" not in blocks[0]  # not even `<!--`, which changes how scripts end
    assert text in _strings(json.loads(blocks[0]))


@pytest.mark.parametrize("format", ["ctdl", "open-badges-3", "elm", "schema-org"])
async def test_json_ld_documents_keep_the_text_a_value(client, listing, format):
    """JSON-LD injection: the document is valid JSON, its context is the standard's own, and
    the payload is one string value, not keys."""
    listing_id, text = listing
    response = await client.get(f"/credentials/{listing_id}?format={format}")
    document = response.json()
    assert "evil.example" not in json.dumps(document["@context"])
    assert text in _strings(document)


def _strings(value) -> list[str]:
    """Every string value in a JSON document; fails on a key the payload tried to add."""
    if isinstance(value, dict):
        assert "x" not in value
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


async def test_the_search_page_escapes_the_words_it_echoes(client, listing):
    """Reflected HTML injection through `?q=`."""
    page = await client.get("/", params={"q": PAYLOADS["script"]})
    assert page.status_code == 200 and "<script>alert" not in page.text
