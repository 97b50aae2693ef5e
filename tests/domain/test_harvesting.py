"""The harvesting rules: who may write a harvested listing, when a run read its source well
enough to retire anything, and when a missing listing is retired."""

from __future__ import annotations

from uuid import uuid4

from registry.domain import harvesting
from registry.domain.harvesting import Harvested, RunCounts

SOURCE, OTHER = uuid4(), uuid4()
FIELD = ("credential", "externalId")


def test_a_listing_written_here_is_anyone_s_to_write():
    assert harvesting.refusal(FIELD, None, None) is None
    assert harvesting.refusal(FIELD, None, SOURCE) is None


def test_a_harvested_listing_is_its_source_s_alone():
    harvested = Harvested(SOURCE, "https://lakeside.example.ca/listings.csv")
    assert harvesting.refusal(FIELD, harvested, SOURCE) is None
    for writer in (None, OTHER):
        problem = harvesting.refusal(FIELD, harvested, writer)
        assert problem is not None and problem.code == "HARVESTED" and harvested.url in problem.message


def test_a_detached_listing_is_no_source_s():
    detached = Harvested(SOURCE, "https://lakeside.example.ca/listings.csv", detached=True)
    assert harvesting.refusal(FIELD, detached, None) is None
    for writer in (SOURCE, OTHER):
        problem = harvesting.refusal(FIELD, detached, writer)
        assert problem is not None and problem.code == "DETACHED"


def test_a_run_keeps_so_many_problems_and_says_how_many_it_left_out():
    counts = RunCounts()
    for n in range(harvesting.MAX_PROBLEMS + 3):
        counts.problem(str(n), "x" * 5000)
    kept = counts.recorded_problems()
    assert len(kept) == harvesting.MAX_PROBLEMS + 1 and len(kept[0]["message"]) == 1000
    assert kept[-1]["code"] == "MORE_PROBLEMS" and kept[-1]["message"].startswith("3 more")


def test_a_run_that_read_nothing_or_more_failures_than_listings_did_not_read_well():
    assert not harvesting.read_well(0, 0)
    assert not harvesting.read_well(3, 4)
    assert harvesting.read_well(3, 3)


def test_a_listing_is_retired_after_two_runs_without_it():
    assert [harvesting.retires(runs) for runs in (0, 1, 2, 3)] == [False, False, True, True]


def test_the_content_hash_does_not_depend_on_the_order_of_keys():
    assert harvesting.content_hash({"a": 1, "b": [2]}) == harvesting.content_hash({"b": [2], "a": 1})
    assert harvesting.content_hash({"a": 1}) != harvesting.content_hash({"a": 2})


def test_run_counts_count_each_outcome_and_what_was_read():
    counts = RunCounts()
    for outcome in ("created", "updated", "unchanged", "failed", "created"):
        counts.count(outcome)
    assert counts.totals() == {"created": 2, "updated": 1, "unchanged": 1, "retired": 0, "failed": 1}
    assert counts.read() == 4


def test_a_listing_met_twice_in_a_run_counts_once_under_what_weighs_most():
    counts = RunCounts()
    counts.count("created", "L1")
    counts.count("unchanged", "L1")
    counts.count("updated", "L2")
    counts.count("retired", "L2")
    assert counts.totals() == {"created": 1, "updated": 0, "unchanged": 0, "retired": 1, "failed": 0}


def test_a_feed_writes_what_this_registry_does_not_hold_or_holds_from_it():
    assert harvesting.feed_takes(False, None, SOURCE)
    assert harvesting.feed_takes(True, Harvested(SOURCE, "https://on.example/graphql"), SOURCE)


def test_a_feed_never_takes_over_a_listing_written_here_or_harvested_from_elsewhere():
    assert not harvesting.feed_takes(True, None, SOURCE)
    assert not harvesting.feed_takes(True, Harvested(OTHER, "https://qc.example/graphql"), SOURCE)
    assert not harvesting.feed_takes(True, Harvested(SOURCE, "https://on.example/graphql", detached=True), SOURCE)
