"""Pathways: the links pointing at a listing (`linkedFrom`, the mirror of `links`) and the stack
around it (`pathway`: what it leads to and builds on through PART_OF and PREPARES_FOR, however
they chain), as the caller may see them; checked against a walk of the demo's links in Python."""

from __future__ import annotations

import json
from collections import deque

from tests.support import demo_oracle as oracle
from tests.support.graphql import data
from tests.support.listings import LINK, create, gql, published
from tests.support.parties import access_token

AROUND = """
query($id: ID!) {
  credential(id: $id) {
    linkedFrom { kind source { externalId } }
    pathway { direction kind depth credential { externalId } }
  }
}
"""
PATHWAYS = """
query($ids: [ID!]!) { nodes(ids: $ids) { ... on Credential { pathway { direction kind depth credential { id } } } } }
"""
CTDL = "query($id: ID!) { credential(id: $id) { jsonLd(format: CTDL) } }"


async def _link(client, token, source: str, target: str, kind: str) -> None:
    body = await gql(client, LINK, {"input": {"fromId": source, "toId": target, "kind": kind}}, token)
    assert body["data"]["linkCredentials"]["userErrors"] == [], body


async def _around(client, listing: str, token=None) -> dict:
    return (await gql(client, AROUND, {"id": listing}, token))["data"]["credential"]


def _steps(around: dict, direction: str) -> list[tuple[str, str, int]]:
    return [
        (s["credential"]["externalId"], s["kind"], s["depth"]) for s in around["pathway"] if s["direction"] == direction
    ]


async def test_linked_from_mirrors_the_links_of_other_listings(client, parties):
    token = await access_token(client, parties.provider)
    module, program = await published(client, token, "M-1"), await published(client, token, "P-1")
    await _link(client, token, module, program, "PART_OF")
    assert (await _around(client, program))["linkedFrom"] == [{"kind": "PART_OF", "source": {"externalId": "M-1"}}]
    assert (await _around(client, module))["linkedFrom"] == []


async def test_a_draft_linking_to_a_listing_shows_to_its_provider_only(client, parties):
    token = await access_token(client, parties.provider)
    program = await published(client, token, "P-1")
    draft = (await create(client, token, externalId="D-1"))["credential"]["id"]
    await _link(client, token, draft, program, "PREPARES_FOR")
    assert (await _around(client, program))["linkedFrom"] == []
    assert (await _around(client, program, token))["linkedFrom"] == [
        {"kind": "PREPARES_FOR", "source": {"externalId": "D-1"}}
    ]


async def test_a_pathway_follows_part_of_and_prepares_for_both_ways_nearest_first(client, parties):
    token = await access_token(client, parties.provider)
    a, b, c, d = [await published(client, token, key) for key in ("A", "B", "C", "D")]
    await _link(client, token, a, b, "PART_OF")
    await _link(client, token, b, c, "PREPARES_FOR")
    await _link(client, token, c, d, "PART_OF")
    start, end = await _around(client, a), await _around(client, d)
    assert _steps(start, "LEADS_TO") == [("B", "PART_OF", 1), ("C", "PREPARES_FOR", 2), ("D", "PART_OF", 3)]
    assert _steps(start, "BUILDS_ON") == []
    assert _steps(end, "BUILDS_ON") == [("C", "PART_OF", 1), ("B", "PREPARES_FOR", 2), ("A", "PART_OF", 3)]


async def test_a_cycle_of_two_kinds_ends_where_it_closes(client, parties):
    token = await access_token(client, parties.provider)
    a, b = await published(client, token, "A"), await published(client, token, "B")
    await _link(client, token, a, b, "PART_OF")
    await _link(client, token, b, a, "PREPARES_FOR")  # allowed: the cycle check is per kind
    around = await _around(client, a)
    assert _steps(around, "LEADS_TO") == [("B", "PART_OF", 1)]
    assert _steps(around, "BUILDS_ON") == [("B", "PREPARES_FOR", 1)]


async def test_supersedes_is_no_step_of_a_pathway(client, parties):
    token = await access_token(client, parties.provider)
    old, new = await published(client, token, "OLD"), await published(client, token, "NEW")
    await _link(client, token, new, old, "SUPERSEDES")
    assert (await _around(client, new))["pathway"] == []
    assert (await _around(client, old))["linkedFrom"] == [{"kind": "SUPERSEDES", "source": {"externalId": "NEW"}}]


async def test_a_draft_in_the_middle_hides_what_lies_beyond_it_from_the_public(client, parties):
    token = await access_token(client, parties.provider)
    start, end = await published(client, token, "START"), await published(client, token, "END")
    middle = (await create(client, token, externalId="MIDDLE"))["credential"]["id"]
    await _link(client, token, start, middle, "PART_OF")
    await _link(client, token, middle, end, "PART_OF")
    assert (await _around(client, start))["pathway"] == []
    assert _steps(await _around(client, start, token), "LEADS_TO") == [("MIDDLE", "PART_OF", 1), ("END", "PART_OF", 2)]


async def test_a_pathway_looks_five_links_away(client, parties):
    token = await access_token(client, parties.provider)
    chain = [await published(client, token, f"L{n}") for n in range(7)]
    for source, target in zip(chain, chain[1:]):
        await _link(client, token, source, target, "PART_OF")
    assert [key for key, _, _ in _steps(await _around(client, chain[0]), "LEADS_TO")] == ["L1", "L2", "L3", "L4", "L5"]


async def test_ctdl_states_the_links_both_ways(client, parties):
    token = await access_token(client, parties.provider)
    module, program = await published(client, token, "M-1"), await published(client, token, "P-1")
    prep, old = await published(client, token, "PREP"), await published(client, token, "OLD")
    await _link(client, token, module, program, "PART_OF")
    await _link(client, token, prep, program, "PREPARES_FOR")
    await _link(client, token, program, old, "SUPERSEDES")
    document = json.loads((await gql(client, CTDL, {"id": program}))["data"]["credential"]["jsonLd"])
    assert [uri.rsplit("/", 1)[-1] for uri in document["ceterms:hasPart"]] == [module]
    (condition,) = document["ceterms:preparationFrom"]
    assert [uri.rsplit("/", 1)[-1] for uri in condition["ceterms:targetCredential"]] == [prep]
    old_document = json.loads((await gql(client, CTDL, {"id": old}))["data"]["credential"]["jsonLd"])
    assert [uri.rsplit("/", 1)[-1] for uri in old_document["ceterms:supersededBy"]] == [program]


def _walk(start, links: dict, visible: set) -> dict:
    """Breadth first from ``start`` over ``links`` (listing -> [(next, kind)]), through visible
    listings, at most five links: each listing reached -> (depth, the kinds that reach it there)."""
    found: dict = {}
    queue = deque([(start, 0)])
    while queue:
        at, depth = queue.popleft()
        if depth == 5:
            continue
        for following, kind in links.get(at, []):
            if following not in visible or following == start:
                continue
            if following not in found:
                found[following] = (depth + 1, {kind})
                queue.append((following, depth + 1))
            elif found[following][0] == depth + 1:
                found[following][1].add(kind)
    return found


async def test_demo_pathways_are_the_walks_an_independent_search_finds(demo_client):
    listings = oracle.listings()
    visible = {c.id for c in listings.credentials if c.published_at is not None}
    forward: dict = {}
    backward: dict = {}
    for link in listings.links:
        if link.kind != "SUPERSEDES":
            forward.setdefault(link.from_id, []).append((link.to_id, link.kind))
            backward.setdefault(link.to_id, []).append((link.from_id, link.kind))
    starts = sorted(visible & (set(forward) | set(backward)), key=lambda c: -len(_walk(c, forward, visible)))[:15]
    answers = (await data(demo_client, PATHWAYS, {"ids": [oracle.gid("Credential", c) for c in starts]}))["nodes"]
    assert any(step["depth"] > 1 for answer in answers for step in answer["pathway"])  # the demo has real stacks
    for start, answer in zip(starts, answers):
        for direction, links in (("LEADS_TO", forward), ("BUILDS_ON", backward)):
            expected = {oracle.gid("Credential", c): hit for c, hit in _walk(start, links, visible).items()}
            got = {
                s["credential"]["id"]: (s["depth"], s["kind"]) for s in answer["pathway"] if s["direction"] == direction
            }
            assert set(got) == set(expected)
            assert all(depth == expected[c][0] and kind in expected[c][1] for c, (depth, kind) in got.items())
