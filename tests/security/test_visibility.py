"""Threat: drafts and private data read by people who may not see them (OWASP ASVS V4.2.1,
V8.2.3, V8.3.4).

One rule (registry.domain.search.Visibility.may_see, in SQL registry/store/visibility.py):
a listing is public from its first publication on, and so is its history; drafts, listings
retired before they were ever published, draft-era versions and the client IDs of whoever
made a change are their provider's and operators' only. Every public read path is tried
anonymously for text that only those private parts hold.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from registry.domain import ids
from tests.support.apps import SETTINGS, api_client
from tests.support.listings import COMPLETE, PUBLISH, RETIRE, UPDATE, create, gql
from tests.support.parties import access_token

SECRET_DRAFT_TITLE = "SECRETWORD draft title"  # the published listing's first, draft-era title
NEVER_PUBLISHED_TITLE = "HIDDENDRAFT withdrawn"  # a draft retired without ever being published
PLAIN_DRAFT_TITLE = "PLAINDRAFT still a draft"
SECRETS = ("SECRETWORD", "HIDDENDRAFT", "PLAINDRAFT")


def _title(text: str) -> list[dict]:
    return [{"lang": "en", "value": text}]


@pytest.fixture
async def listings(client, parties):
    """A published listing whose draft versions held a secret title, a draft retired before
    publication, and a plain draft; the provider's client ID, which must not leak either."""
    token = await access_token(client, parties.provider)
    published = await create(client, token, externalId="P-1", title=_title(SECRET_DRAFT_TITLE), **COMPLETE)
    published_id = published["credential"]["id"]
    await gql(
        client,
        UPDATE,
        {
            "input": {
                "id": published_id,
                "expectedVersion": 1,
                "credential": {"title": _title("Data Analysis Essentials")},
            }
        },
        token,
    )
    await gql(client, PUBLISH, {"input": {"id": published_id}}, token)
    withdrawn = await create(client, token, externalId="W-1", title=_title(NEVER_PUBLISHED_TITLE), **COMPLETE)
    withdrawn_id = withdrawn["credential"]["id"]
    retired = await gql(client, RETIRE, {"input": {"id": withdrawn_id, "reason": "never offered"}}, token)
    assert retired["data"]["retireCredential"]["credential"]["status"] == "RETIRED"
    draft = (await create(client, token, externalId="D-1", title=_title(PLAIN_DRAFT_TITLE)))["credential"]["id"]
    return {
        "published": published_id,
        "withdrawn": withdrawn_id,
        "draft": draft,
        "token": token,
        "client_id": parties.provider.client_id,
    }


def _assert_private_parts_absent(text: str, listings: dict) -> None:
    for secret in (*SECRETS, listings["client_id"]):
        assert secret not in text


LISTING = """query($id: ID!) { credential(id: $id) { title status
  history(first: 100) { totalCount nodes { version kind actor snapshot } } } }"""
READS = {
    "node": ("query($ids: [ID!]!) { a: node(id: $ids) { id ... on Credential { title } } }", None),
    "nodes": ("query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Credential { title status } } }", None),
    "_entities": ("query($r: [_Any!]!) { _entities(representations: $r) { ... on Credential { title } } }", None),
    "search": (
        "{ searchCredentials(filter: {statuses: [DRAFT, RETIRED, PUBLISHED]}) { totalCount"
        " nodes { title history { nodes { actor snapshot } } } } }",
        None,
    ),
    "search by text": (
        '{ a: searchCredentials(query: "SECRETWORD") { totalCount nodes { title } }'
        ' b: searchCredentials(query: "HIDDENDRAFT PLAINDRAFT") { totalCount nodes { title } } }',
        None,
    ),
    "facets": ("{ searchCredentials { facets { provider { value count } credentialType { value count } } } }", None),
    "provider pages": (
        '{ provider(slug: "north-college") { credentials(first: 100) { totalCount nodes { title } } } }',
        None,
    ),
    "change feed": (
        "{ changes(first: 1000) { events { kind version credential { title "
        " history { nodes { actor snapshot } } } } } }",
        None,
    ),
    "statistics": ("{ registryStatistics { byDeliveryMode { value count } } }", None),
}


@pytest.mark.parametrize("read", list(READS), ids=list(READS))
async def test_no_public_read_shows_drafts_or_who_wrote_them(client, listings, read):
    """Every GraphQL read path, anonymously: no draft text, no never-published listing, no client ID."""
    query, _ = READS[read]
    ids = [listings["published"], listings["withdrawn"], listings["draft"]]
    variables = {"ids": ids, "r": [{"__typename": "Credential", "id": i} for i in ids]}
    if "$ids: [ID!]!) { a: node" in query:
        variables = {"ids": listings["withdrawn"]}
        query = query.replace("[ID!]!", "ID!")
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    _assert_private_parts_absent(response.text, listings)


async def test_public_history_starts_at_the_first_publication(client, listings):
    """Draft content through history: the audit read a draft title in a published listing's history."""
    history = (await gql(client, LISTING, {"id": listings["published"]}))["data"]["credential"]["history"]
    assert [(v["version"], v["kind"]) for v in history["nodes"]] == [(3, "PUBLISHED")]
    assert history["totalCount"] == 1
    assert {v["actor"] for v in history["nodes"]} == {"provider"}


async def test_the_owner_still_sees_its_whole_history_and_who_wrote_it(client, listings):
    """The rule hides the draft era from others only: the provider sees every version and client ID."""
    history = await gql(client, LISTING, {"id": listings["published"]}, listings["token"])
    nodes = history["data"]["credential"]["history"]["nodes"]
    assert [v["version"] for v in nodes] == [3, 2, 1] and SECRET_DRAFT_TITLE in nodes[-1]["snapshot"]
    assert {v["actor"] for v in nodes} == {listings["client_id"]}


async def test_a_draft_retired_before_publication_stays_private(client, listings):
    """A listing never published must not become public by being retired."""
    answer = await gql(client, LISTING, {"id": listings["withdrawn"]})
    assert answer["data"]["credential"] is None
    assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_change_feed_and_history_follow_the_same_rule(client, listings):
    """One rule for both: the public feed holds exactly the versions the public history shows."""
    feed = await gql(client, "{ changes(first: 1000) { events { version credential { id } } } }", {})
    events = [(e["credential"]["id"], e["version"]) for e in feed["data"]["changes"]["events"]]
    assert events == [(listings["published"], 3)]


@pytest.mark.parametrize(
    "path",
    [
        "/credentials/{id}",
        "/fr/credentials/{id}",
        "/credentials/{id}?format=ctdl",
        "/credentials/{id}?format=open-badges-3",
        "/credentials/{id}?format=elm",
        "/credentials/{id}?format=schema-org",
    ],
)
async def test_pages_and_documents_of_private_listings_are_not_found(client, listings, path):
    """The HTML pages and JSON-LD documents: private listings are 404, and the public one's page
    shows nothing of its draft era."""
    for private in ("withdrawn", "draft"):
        response = await client.get(path.format(id=listings[private]), headers={"accept": "text/html"})
        assert response.status_code == 404
        _assert_private_parts_absent(response.text, listings)
    public = await client.get(path.format(id=listings["published"]), headers={"accept": "text/html"})
    assert public.status_code == 200
    _assert_private_parts_absent(public.text, listings)


async def test_the_export_holds_no_private_listing(client, db_dsn, listings, tmp_path):
    """The bulk export, from its snapshot (once it has the published listing) and spooled
    from the database: nothing private in either."""
    for _ in range(100):  # the snapshot is rebuilt a moment after the changes
        snapshot = await client.get("/export/credentials.jsonl")
        if "Data Analysis Essentials" in snapshot.text:
            break
        await asyncio.sleep(0.1)
    # A folder of its own: in the shared one, another app may already have a CA-ON snapshot to serve.
    unshelved = dataclasses.replace(SETTINGS, export_jurisdictions=(), export_dir=tmp_path / "exports")
    async with api_client(db_dsn, unshelved) as spooling:
        spooled = await spooling.get("/export/credentials.jsonl", params={"jurisdiction": "CA-ON"})
    assert spooled.headers["x-microcred-export"] == "spooled"
    for export in (snapshot, spooled):
        assert "Data Analysis Essentials" in export.text
        _assert_private_parts_absent(export.text, listings)


@pytest.mark.parametrize("path", ["/?q=draft", "/?q=withdrawn", "/fr/?q=still", "/statistics"])
async def test_search_pages_show_no_private_listing(client, listings, path):
    """The people's search pages run the same queries as portals: no private text either."""
    response = await client.get(path)
    assert response.status_code == 200
    _assert_private_parts_absent(response.text, listings)


async def test_a_public_history_names_no_linked_draft(client, listings):
    """Found by attacking a running copy: a link's history note named its target's ID, so the
    public history of a published listing leaked the ID of a draft that every read hides."""
    link = "mutation($i: LinkCredentialsInput!) { linkCredentials(input: $i) { userErrors { code } } }"
    linked = {"fromId": listings["published"], "toId": listings["draft"], "kind": "SUPERSEDES"}
    assert (await gql(client, link, {"i": linked}, listings["token"]))["data"]["linkCredentials"]["userErrors"] == []
    history = await client.post("/graphql", json={"query": LISTING, "variables": {"id": listings["published"]}})
    draft_uuid = str(ids.decode_as(listings["draft"], "Credential"))
    assert draft_uuid not in history.text and listings["draft"] not in history.text
