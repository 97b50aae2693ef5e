"""Listings written through the real GraphQL API: the mutations, a draft's fields, helpers."""

from __future__ import annotations

CREATE = """
mutation Create($input: CreateCredentialInput!) {
  createCredential(input: $input) {
    credential { id status version title provider { slug } skills { code } occupations { code } }
    userErrors { field code message }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateCredentialInput!) {
  updateCredential(input: $input) { credential { id version title workloadHours } userErrors { field code message } }
}
"""
PUBLISH = """
mutation Publish($input: PublishCredentialInput!) {
  publishCredential(input: $input) { credential { id status version publishedAt } userErrors { field code message } }
}
"""
RETIRE = """
mutation Retire($input: RetireCredentialInput!) {
  retireCredential(input: $input) { credential { id status retiredAt } userErrors { field code message } }
}
"""
CANCEL_OFFERING = """
mutation Cancel($input: CancelOfferingInput!) {
  cancelOffering(input: $input) { offering { id cancelledAt } userErrors { field code message } }
}
"""
LINK = """
mutation Link($input: LinkCredentialsInput!) {
  linkCredentials(input: $input) { credential { id version links { kind target { id } } } userErrors { field code } }
}
"""
RECOGNIZE = """
mutation Recognize($input: RecognizeCredentialInput!) {
  recognizeCredential(input: $input) {
    recognition { id kind validFrom validUntil isActive revokedAt authority { id } credential { id isRecognized } }
    userErrors { field code }
  }
}
"""
SUBMIT = """
mutation Submit($input: SubmitCredentialsInput!) {
  submitCredentials(input: $input) {
    createdCount updatedCount failedCount
    results { index externalId created credential { id version status workloadHours skills { code } }
              userErrors { field code message } }
  }
}
"""


TRANSFER = """
mutation($input: TransferCredentialInput!) {
  transferCredential(input: $input) { credential { id ctid provider { slug } } userErrors { field code message } }
}
"""
HISTORY = """
query($id: ID!) { credential(id: $id) { version history { totalCount nodes { version kind actor note } } } }
"""

DRAFT = {
    "externalId": "DA-101",
    "title": [
        {"lang": "en", "value": "Data Analysis Essentials"},
        {"lang": "fr", "value": "L'essentiel de l'analyse de données"},
    ],
    "workloadHours": 40,
    "deliveryMode": "ONLINE",
    "pace": "SELF_PACED",
    "assessment": "PROJECT",
    "url": "https://north.example.ca/data-analysis",
    "occupationCodes": [],
}
COMPLETE = {
    "description": [{"lang": "en", "value": "Clean, analyse and present data."}],
    "learningOutcomes": [[{"lang": "en", "value": "Build a dashboard"}]],
    "level": {"framework": "EQF", "value": "5"},
    "qualityAssurance": "Program review 2026",
    "languages": ["en", "fr"],
    "regions": ["CA-ON"],
}


async def gql(client, query, variables, token=None):
    """POST a GraphQL request (with a bearer token when given); the JSON of a 200 answer."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await post_with(client, query, variables, headers)
    assert response.status_code == 200, response.text
    return response.json()


async def post_with(client, query, variables, headers):
    """POST a GraphQL request with these headers; the raw response."""
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def create(client, token, **overrides):
    """createCredential with DRAFT's fields and ``overrides``; its payload."""
    body = await gql(client, CREATE, {"input": {"credential": {**DRAFT, **overrides}}}, token)
    return body["data"]["createCredential"]


async def create_sparse(client, token, **fields) -> str:
    """createCredential with only what a draft needs (a title, a page) and ``fields``; the new ID."""
    sparse = {"externalId": "X-1", "title": DRAFT["title"], "url": DRAFT["url"], **fields}
    made = await gql(client, CREATE, {"input": {"credential": sparse}}, token)
    assert made["data"]["createCredential"]["userErrors"] == [], made
    return made["data"]["createCredential"]["credential"]["id"]


def item(key: str, **fields) -> dict:
    """A complete listing for submitCredentials, with its key and ``fields``."""
    return {**DRAFT, **COMPLETE, "externalId": key, **fields}


async def published(client, token, external_id: str) -> str:
    """A listing with every field publication needs, published; its ID."""
    listing = (await create(client, token, externalId=external_id, **COMPLETE))["credential"]
    await gql(client, PUBLISH, {"input": {"id": listing["id"]}}, token)
    return listing["id"]
