"""Offerings written through the real GraphQL API: the mutation, two offerings, a helper."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.listings import gql

FIELDS = """
  id externalId startDate endDate registrationDeadline deliveryMode scheduleTimings languages
  place { municipality region postalCode latitude longitude } cost { amount currency }
  seatsTotal seatsAvailable availability cancelledAt version
"""
ADD = f"""
mutation($input: AddOfferingInput!) {{
  addOffering(input: $input) {{ offering {{ {FIELDS} }} userErrors {{ field code message }} }}
}}
"""
IN_SUDBURY = {
    "externalId": "2027-01",
    "startDate": str(date.today() + timedelta(days=40)),
    "endDate": str(date.today() + timedelta(days=100)),
    "registrationDeadline": str(date.today() + timedelta(days=30)),
    "deliveryMode": "IN_PERSON",
    "place": {
        "municipality": "Sudbury",
        "region": "CA-ON",
        "postalCode": "P3E 2C6",
        "latitude": 46.49,
        "longitude": -80.99,
    },
    "scheduleTimings": ["EVENING"],
    "languages": ["en", "fr"],
    "seatsTotal": 24,
    "seatsAvailable": 24,
}
ONLINE_ROLLING = {"externalId": "rolling", "deliveryMode": "ONLINE", "scheduleTimings": ["WEEKEND"]}


async def add_offering(client, token, credential_id, offering):
    """addOffering of ``offering`` to the listing; its payload."""
    return (await gql(client, ADD, {"input": {"credentialId": credential_id, "offering": offering}}, token))["data"][
        "addOffering"
    ]
