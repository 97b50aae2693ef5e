"""The rules a search request must follow."""

from datetime import datetime, timezone
from uuid import uuid4

import pytest

from registry.domain.enums import CredentialOrder
from registry.domain.search import (
    PUBLIC,
    WORKLOAD_RANGES,
    CredentialFilter,
    Near,
    SearchRequest,
    Visibility,
    check_filter,
    check_page_size,
    workload_range_value,
)

PUBLISHED_AT = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_page_size_between_zero_and_a_hundred():
    assert check_page_size(0) == [] and check_page_size(100) == []
    assert [p.code for p in check_page_size(-1) + check_page_size(101)] == ["INVALID_PAGE_SIZE"] * 2


def test_a_valid_filter_has_no_problems():
    assert check_filter(CredentialFilter(regions=("CA-ON", "CA"), languages=("fr-CA",), max_cost=0)) == []


def test_every_problem_is_reported_with_its_field():
    problems = check_filter(
        CredentialFilter(
            regions=("ontario",), languages=("english",), max_cost=-1, min_workload_hours=10, max_workload_hours=5
        )
    )
    assert {(p.field, p.code) for p in problems} == {
        (("filter", "regions"), "INVALID_REGION"),
        (("filter", "languages"), "INVALID_LANGUAGE"),
        (("filter", "maxCost"), "NEGATIVE_NUMBER"),
        (("filter", "minWorkloadHours"), "EMPTY_RANGE"),
    }


def test_relevance_without_words_means_newest():
    assert SearchRequest(query="  ").effective_order == CredentialOrder.NEWEST
    assert SearchRequest(query="welding").effective_order == CredentialOrder.RELEVANCE
    assert SearchRequest(order=CredentialOrder.TITLE).effective_order == CredentialOrder.TITLE


def test_blank_query_text_is_no_query():
    assert SearchRequest(query="   ").text is None
    assert SearchRequest(query="  welding ").text == "welding"


def test_a_facet_drops_only_its_own_condition():
    both = CredentialFilter(regions=("CA-ON",), languages=("fr",))
    assert both.without("regions") == CredentialFilter(languages=("fr",))


def test_workload_ranges_are_named_low_dash_high_and_open_ended_at_the_top():
    assert [workload_range_value(low, high) for low, high in WORKLOAD_RANGES] == ["0-10", "10-40", "40-120", "120-"]


def test_the_public_sees_a_listing_from_its_first_publication_on():
    assert PUBLIC.may_see(uuid4(), PUBLISHED_AT)
    assert not PUBLIC.may_see(uuid4(), None)


def test_a_provider_sees_its_own_drafts_and_no_one_elses():
    own = uuid4()
    viewer = Visibility.of(own)
    assert viewer.may_see(own, None)
    assert not viewer.may_see(uuid4(), None)


def test_an_operator_sees_every_draft():
    assert Visibility(admin=True).may_see(uuid4(), None)


def test_a_soonest_start_cursor_holds_until_midnight_passes_anywhere_the_registry_knows():
    soonest = SearchRequest(order=CredentialOrder.SOONEST_START)
    # 06:30 and 06:50 UTC: 23:30 and 23:50 the day before in Vancouver and Whitehorse (UTC-7 all
    # year since tzdata 2026.2), the last places to reach midnight; 07:10 is past it.
    day = datetime(2026, 12, 2, 6, 30, tzinfo=timezone.utc)
    assert soonest.sort_basis(day) == soonest.sort_basis(day.replace(minute=50))
    assert soonest.sort_basis(day) != soonest.sort_basis(day.replace(hour=7, minute=10))


@pytest.mark.parametrize(
    "order", [CredentialOrder.TITLE, CredentialOrder.NEWEST, CredentialOrder.COST_ASC, CredentialOrder.NEAREST]
)
def test_the_words_decide_the_list_in_every_order_whatever_their_case_and_spacing(order):
    near = CredentialFilter(near=Near(46.49, -80.99, 50))

    def basis(query: str | None) -> str | None:
        return SearchRequest(query=query, order=order, filter=near).sort_basis(PUBLISHED_AT)

    assert basis("Data  Science") == basis(" data science")
    assert basis("Data  Science") not in (basis(None), basis("welding"))


def test_newest_first_depends_on_nothing_but_the_listings():
    assert SearchRequest(order=CredentialOrder.NEWEST).sort_basis(PUBLISHED_AT) is None
