"""A credential's every field, as the detail page of a portal reads it."""

from __future__ import annotations

import json
from datetime import date, datetime

from tests.support import demo_oracle as oracle
from tests.support.graphql import data, operation

DETAIL = operation("CredentialDetail")


def _richest():
    """A published listing with links, recognitions, a level, a cost and prerequisites."""
    listings = oracle.listings()
    linked = {link.from_id for link in listings.links}
    recognized = {r.credential_id for r in listings.recognitions}
    return next(
        c
        for c in oracle.published()
        if c.id in linked and c.id in recognized and c.level_framework and c.cost_amount and c.prerequisites
    )


async def detail(client, credential, lang=None):
    variables = {"id": oracle.gid("Credential", credential.id), "lang": lang}
    return (await data(client, DETAIL, variables, "CredentialDetail"))["credential"]


async def test_scalar_fields_match_the_listing(demo_client):
    c = _richest()
    got = await detail(demo_client, c)
    assert got["externalId"] == c.external_id
    assert got["status"] == "PUBLISHED" and got["credentialType"] == c.credential_type
    assert got["workloadHours"] == c.workload_hours and got["ectsCredits"] == c.ects_credits
    assert got["durationWeeks"] == c.duration_weeks
    assert got["deliveryMode"] == c.delivery_mode and got["pace"] == c.pace and got["assessment"] == c.assessment
    assert got["languages"] == c.languages and got["regions"] == c.regions
    assert got["audiences"] == c.audiences and got["fundingPrograms"] == c.funding_programs
    assert got["url"] == c.url and got["qualityAssurance"] == c.quality_assurance
    assert got["level"] == {"framework": c.level_framework, "value": c.level_value}
    assert got["cost"] == {"amount": c.cost_amount, "currency": "CAD"}
    assert got["version"] == 2
    assert datetime.fromisoformat(got["publishedAt"]) == c.published_at
    assert got["retiredAt"] is None


async def test_text_fields_follow_the_requested_language(demo_client):
    c = next(x for x in oracle.published() if set(x.title) == {"en", "fr"} and x.prerequisites)
    english, french = await detail(demo_client, c, "en"), await detail(demo_client, c, "fr")
    assert english["title"] == c.title["en"] and french["title"] == c.title["fr"]
    assert french["description"] == c.description["fr"]
    assert french["learningOutcomes"] == [o["fr"] for o in c.learning_outcomes]
    assert french["prerequisites"] == c.prerequisites["fr"]
    assert {t["lang"]: t["value"] for t in english["titleTranslations"]} == c.title


async def test_skills_and_occupations_keep_the_providers_order(demo_client):
    c = _richest()
    got = await detail(demo_client, c)
    skills = {s.id: s for s in oracle.ref().skills}
    expected = [skills[s].code for cid, s, _ in sorted(oracle.listings().skills, key=lambda x: x[2]) if cid == c.id]
    assert [s["code"] for s in got["skills"]] == expected
    assert {o["code"] for o in got["occupations"]} == oracle.occupation_codes_of(c.id)


async def test_links_point_at_their_targets(demo_client):
    c = _richest()
    got = await detail(demo_client, c)
    visible = {x.id for x in oracle.listings().credentials if x.status != "DRAFT"}
    expected = {
        (link.kind, oracle.gid("Credential", link.to_id))
        for link in oracle.listings().links
        if link.from_id == c.id and link.to_id in visible
    }
    assert {(link["kind"], link["target"]["id"]) for link in got["links"]} == expected


async def test_recognitions_default_to_those_in_force(demo_client):
    listings = oracle.listings()
    today = date.today()
    lapsed = next(
        r
        for r in listings.recognitions
        if not r.is_active(today)
        and any(c.id == r.credential_id and c.status == "PUBLISHED" for c in listings.credentials)
    )
    c = next(x for x in listings.credentials if x.id == lapsed.credential_id)
    got = await detail(demo_client, c)
    active = {oracle.gid("Recognition", r.id) for r in oracle.active_recognitions(c.id)}
    every = {oracle.gid("Recognition", r.id) for r in listings.recognitions if r.credential_id == c.id}
    assert {r["id"] for r in got["recognitions"]} == active
    assert {r["id"] for r in got["allRecognitions"]} == every
    assert got["isRecognized"] == bool(active)
    assert all(r["authority"]["name"] for r in got["allRecognitions"])


async def test_public_history_lists_every_version_since_publication_newest_first(demo_client):
    retired = next(x for x in oracle.listings().credentials if x.status == "RETIRED")
    got = await detail(demo_client, retired)
    history = got["history"]
    assert history["totalCount"] == 2  # the draft-era version 1 is its provider's only
    assert [v["kind"] for v in history["nodes"]] == ["RETIRED", "PUBLISHED"]
    assert [v["version"] for v in history["nodes"]] == [3, 2]
    snapshot = json.loads(history["nodes"][0]["snapshot"])
    assert snapshot["external_id"] == retired.external_id and snapshot["skills"]


async def test_history_pages_walk_without_gaps(demo_client):
    retired = next(x for x in oracle.listings().credentials if x.status == "RETIRED")
    query = """query($id: ID!, $after: String) { credential(id: $id) {
        history(first: 1, after: $after) { nodes { version } pageInfo { hasNextPage endCursor } } } }"""
    versions, after = [], None
    while True:
        page = await data(demo_client, query, {"id": oracle.gid("Credential", retired.id), "after": after})
        page = page["credential"]["history"]
        versions += [v["version"] for v in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert versions == [3, 2]


async def test_recognition_leads_back_to_its_credential_and_authority(demo_client):
    r = next(
        r
        for r in oracle.listings().recognitions
        if any(c.id == r.credential_id and c.status == "PUBLISHED" for c in oracle.listings().credentials)
    )
    got = await data(
        demo_client,
        """query($id: ID!) { node(id: $id) { ... on Recognition {
        validFrom validUntil isActive credential { id } authority { id kind } } } }""",
        {"id": oracle.gid("Recognition", r.id)},
    )
    node = got["node"]
    assert node["credential"]["id"] == oracle.gid("Credential", r.credential_id)
    assert node["authority"]["id"] == oracle.gid("RecognitionAuthority", r.authority_id)
    assert date.fromisoformat(node["validFrom"]) == r.valid_from
    assert node["isActive"] == r.is_active(date.today())
