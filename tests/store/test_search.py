"""How a search's SQL reads what it needs: the matching set the facet index intersects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from registry.domain.local_dates import local_today
from registry.domain.offerings import Place, ended
from registry.domain.search import PUBLIC, CredentialFilter, Near, SearchRequest
from registry.store import search
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


# 03:30 UTC on 2 December: still the 1st in Vancouver, already the 2nd in St. John's.
EARLY_UTC = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize("region", ["CA-BC", "CA-NL", "CA-ON"])
@pytest.mark.parametrize(
    "last_day", [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3), None]
)
async def test_the_sql_for_a_run_that_has_not_ended_is_the_domain_s_rule(db, region, last_day):
    # The SQL computes a run's own date only when its last day is UTC's day before: at this
    # instant, the day that is over in St. John's and not yet in Vancouver.
    place = Place(municipality="Somewhere", region=region)
    today = local_today(region, EARLY_UTC)
    condition = search._not_ended("$3::date", "$4::date")
    found = await db.fetchval(
        f"select {condition} from (values ($1::date, $2::date)) as o(end_date, start_date)",
        last_day, last_day, today, EARLY_UTC.date(),
    )  # fmt: skip
    assert found is not ended(last_day, last_day, place, EARLY_UTC, None)
