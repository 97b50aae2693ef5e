"""The search page's state lives in its URL: read, written back, changed one filter at a time."""

from __future__ import annotations

from datetime import date

from starlette.datastructures import QueryParams

from registry.pages.search_state import FIRST_PAGE, SearchState

TODAY = date(2027, 1, 10)


def state(query: str) -> SearchState:
    return SearchState.from_params(QueryParams(query))


def test_a_url_reads_back_to_the_same_url():
    query = "q=welding&mode=ONLINE&mode=HYBRID&region=CA-ON&recognized=yes&cost=500&hours=10-40&sort=NEWEST"
    assert state(query).url("/") == "/?" + query


def test_filters_become_the_search_operations_variables():
    query = "q=data&mode=ONLINE&by=QXV0&deliverer=UHJv&recognized=yes&cost=0&hours=120-&sort=TITLE"
    assert state(query).variables("fr", TODAY) == {
        "query": "data",
        "orderBy": "TITLE",
        "lang": "fr",
        "first": 10,
        "after": None,
        "deliverers": ["UHJv"],  # named on their chip
        "filter": {
            "deliveryModes": ["ONLINE"],
            "recognizedByAuthorityIds": ["QXV0"],
            "offeredByProviderIds": ["UHJv"],
            "recognized": True,
            "maxCost": 0.0,
            "minWorkloadHours": 120.0,
        },
    }


def test_values_the_page_does_not_offer_are_dropped():
    read = state("cost=7&hours=1-2&sort=DROP%20TABLE&recognized=maybe&q=" + "x" * 500)
    assert (read.cost, read.hours, read.sort, read.recognized, len(read.text)) == (None, None, "RELEVANCE", None, 200)


def test_toggling_a_value_adds_it_then_removes_it_and_returns_to_the_first_page():
    on_page_two = state("mode=ONLINE&after=C2&back=-")
    added = on_page_two.toggled("mode", "HYBRID")
    assert added.lists["mode"] == ("ONLINE", "HYBRID") and added.after is None and added.back == ()
    assert added.toggled("mode", "ONLINE").lists == {"mode": ("HYBRID",)}
    assert added.toggled("mode", "ONLINE").toggled("mode", "HYBRID").lists == {}


def test_a_single_choice_filter_is_replaced_by_another_value():
    assert state("cost=500").toggled("cost", "1000").cost == "1000"
    assert state("cost=500").toggled("cost", "500").cost is None


def test_pages_forward_keep_a_trail_back_to_the_first():
    first = state("q=data")
    second = first.next_page("C2")
    third = second.next_page("C3")
    assert (second.after, second.back, third.back) == ("C2", (FIRST_PAGE,), (FIRST_PAGE, "C2"))
    assert third.page_number() == 3
    assert third.previous_page() == second and second.previous_page() == first and first.previous_page() is None


def test_starts_and_near_read_back_to_the_same_url():
    query = "starts=30&near=Sudbury%2C+ON&km=100&sort=NEAREST"
    assert state(query).url("/") == "/?" + query


def test_starts_is_a_range_of_start_dates_from_today_and_near_a_place_within_a_distance():
    variables = state("starts=later&near=P3E&km=25").variables("en", TODAY)
    assert variables["filter"] == {"startsBetween": {"from": "2027-04-11"}, "near": {"place": "P3E", "withinKm": 25.0}}
    assert state("starts=30").variables("en", TODAY)["filter"] == {
        "startsBetween": {"from": "2027-01-10", "to": "2027-02-09"}
    }


def test_nearest_without_a_place_and_distances_not_offered_fall_back():
    read = state("sort=NEAREST&km=7&starts=tomorrow")
    assert (read.sort, read.km, read.starts) == ("RELEVANCE", "50", None)


def test_removing_the_place_also_drops_the_nearest_order():
    near = state("near=Sudbury&sort=NEAREST")
    assert near.without("near", "Sudbury").url("/") == "/"
