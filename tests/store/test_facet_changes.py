"""Snapshots say which of two was taken later: the facet index never goes back in time."""

from __future__ import annotations

from registry.store.facet_changes import Snapshot

EARLIER = Snapshot.parse("100:105:100,103")
LATER = Snapshot.parse("103:110:103,107")  # 100 committed since; 103 still running; 107 began since


def test_a_later_snapshot_sees_everything_an_earlier_one_saw():
    assert LATER.sees_all_of(EARLIER)


def test_an_earlier_snapshot_does_not_see_everything_a_later_one_saw():
    assert not EARLIER.sees_all_of(LATER)


def test_a_snapshot_sees_everything_it_saw_itself():
    assert EARLIER.sees_all_of(EARLIER)


def test_a_snapshot_with_nothing_running_parses():
    assert Snapshot.parse("757:757:") == Snapshot("757:757:", 757, frozenset())
