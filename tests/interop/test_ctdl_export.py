"""The CTDL export of what other publishers' listings bring: the CTID kept, keywords, every
cost by its type, and a draft that does not state everything yet."""

from __future__ import annotations

import json

from registry.domain.enums import CostType
from tests.support import ctdl_vocabulary
from tests.support.listings import create, create_sparse, gql
from tests.support.parties import access_token

CTID = "ce-5f3c1d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f"
QUERY = "query($id: ID!) { credential(id: $id) { jsonLd(format: CTDL) } }"


async def _ctdl(client, token, **fields) -> dict:
    made = await create(client, token, **fields)
    assert made["userErrors"] == [], made["userErrors"]
    body = await gql(client, QUERY, {"id": made["credential"]["id"]}, token)
    return json.loads(body["data"]["credential"]["jsonLd"])


async def test_the_ctid_a_listing_came_with_is_the_one_exported(client, parties):
    token = await access_token(client, parties.provider)
    assert (await _ctdl(client, token, ctid=CTID))["ceterms:ctid"] == CTID


async def test_keywords_are_a_language_map_of_lists(client, parties):
    token = await access_token(client, parties.provider)
    keywords = [
        {"lang": "en", "value": "data"},
        {"lang": "en", "value": "dashboards"},
        {"lang": "fr", "value": "données"},
    ]
    document = await _ctdl(client, token, keywords=keywords)
    assert document["ceterms:keyword"] == {"en": ["data", "dashboards"], "fr": ["données"]}


async def test_ctid_keywords_and_cost_types_are_published_ctdl_terms(client, parties):
    token = await access_token(client, parties.provider)
    items = [{"type": kind, "cost": {"amount": 10, "currency": "CAD"}} for kind in CostType.__members__]
    keywords = [{"lang": "en", "value": "data"}]
    document = await _ctdl(
        client, token, ctid=CTID, keywords=keywords, cost={"amount": 1, "currency": "CAD"}, costItems=items
    )
    assert ctdl_vocabulary.misuses(document) == []


async def test_each_cost_is_a_cost_profile_typed_by_what_it_is_for(client, parties):
    token = await access_token(client, parties.provider)
    items = [{"type": "APPLICATION", "cost": {"amount": 100, "currency": "CAD"}}]
    document = await _ctdl(client, token, cost={"amount": 1299, "currency": "CAD"}, costItems=items)
    costs = {
        c["ceterms:directCostType"]["ceterms:targetNode"]: c["ceterms:price"] for c in document["ceterms:estimatedCost"]
    }
    assert costs == {"costType:Tuition": 1299, "costType:Application": 100}


async def test_a_draft_has_no_credential_status_and_leaves_out_what_it_does_not_state(client, parties):
    token = await access_token(client, parties.provider)
    listing_id = await create_sparse(client, token)
    document = json.loads((await gql(client, QUERY, {"id": listing_id}, token))["data"]["credential"]["jsonLd"])
    absent = ("ceterms:credentialStatusType", "ceterms:learningDeliveryType", "ceterms:learningMethodType")
    assert not any(name in document for name in absent)
    assert "ceterms:targetAssessment" not in document["ceterms:requires"][0]


async def test_texts_kept_without_a_language_are_tagged_undetermined_not_as_the_teaching_language(client, parties):
    token = await access_token(client, parties.provider)
    document = await _ctdl(client, token, languages=["fr"], fundingPrograms=["Canada Training Credit"])
    assert document["ceterms:financialAssistance"][0]["ceterms:name"] == {"und": "Canada Training Credit"}
