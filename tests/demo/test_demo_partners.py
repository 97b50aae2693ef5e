"""Some demo listings are delivered by partners of their owner's province, and the search
for what a provider owns or delivers finds exactly what the generated data says."""

from __future__ import annotations

from collections import Counter

from registry.demo.generator import generate
from registry.demo.reference import reference
from tests.support import demo_oracle as oracle
from tests.support.graphql import data

TOTAL = "query($f: CredentialFilter) { searchCredentials(filter: $f) { totalCount } }"


def test_about_one_listing_in_thirteen_has_partners_from_its_owner_s_province_never_itself():
    listings = generate(2000, seed=1)
    providers = {p.id: p for p in reference().providers}
    owners = {c.id: c.provider_id for c in listings.credentials}
    shared = {credential for credential, _, _ in listings.partners}
    assert 0.05 < len(shared) / len(listings.credentials) < 0.12
    for credential, partner, _ in listings.partners:
        owner = owners[credential]
        assert partner != owner and providers[partner].jurisdiction == providers[owner].jurisdiction


async def test_the_offered_by_filter_finds_what_the_generated_data_says_each_provider_delivers(demo_client):
    listings = oracle.listings()
    published = {c.id: c for c in listings.credentials if c.status == "PUBLISHED"}
    expected = Counter(c.provider_id for c in published.values())
    expected.update(partner for credential, partner, _ in listings.partners if credential in published)
    partners = Counter(partner for _, partner, _ in listings.partners)
    for provider, _ in partners.most_common(3):
        found = await data(demo_client, TOTAL, {"f": {"offeredByProviderIds": [oracle.gid("Provider", provider)]}})
        assert found["searchCredentials"]["totalCount"] == expected[provider]
