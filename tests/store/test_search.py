"""How a search's SQL reads what it needs: the matching set the facet index intersects."""

from __future__ import annotations

from datetime import date, timedelta

from registry.domain.search import PUBLIC, CredentialFilter, Near, SearchRequest
from registry.store.search import MatchMode, matching_ordinals
from registry.store.sql import Params

TORONTO = Near(43.70011, -79.4163, 50)
SOON = {"starts_from": date(2026, 12, 2), "starts_to": date(2026, 12, 2) + timedelta(days=90)}


def _matching(request: SearchRequest) -> str:
    mode = MatchMode.ALL if request.query is None else MatchMode.FULL_TEXT
    return matching_ordinals(request, PUBLIC, mode, Params())


def test_the_matching_set_of_a_search_only_on_offerings_reads_no_listing():
    found = _matching(SearchRequest(filter=CredentialFilter(near=TORONTO, **SOON)))
    assert "credentials" not in found
    assert "o.credential_ordinal" in found


def test_the_matching_set_of_a_search_with_text_reads_the_listings():
    assert "from credentials c" in _matching(SearchRequest(query="data", filter=CredentialFilter(near=TORONTO)))


def test_the_matching_set_of_a_search_with_a_listing_condition_for_postgresql_reads_the_listings():
    found = _matching(SearchRequest(filter=CredentialFilter(near=TORONTO, min_completeness=0.5)))
    assert "from credentials c" in found


def test_the_matching_set_of_a_search_for_listings_no_offering_takes_registrations_reads_the_listings():
    found = _matching(SearchRequest(filter=CredentialFilter(near=TORONTO, registration_open=False)))
    assert "from credentials c" in found
