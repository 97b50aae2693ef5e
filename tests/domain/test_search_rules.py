"""The rules a search request must follow."""

from registry.domain.enums import CredentialOrder
from registry.domain.search import (
    CredentialFilter,
    SearchRequest,
    check_filter,
    check_page_size,
)


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
