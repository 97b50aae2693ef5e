"""What an answer is charged for: the objects its data holds."""

from __future__ import annotations

from registry.api.cost import answered_objects


def test_an_answer_counts_every_object_below_its_data_in_objects_and_lists():
    data = {
        "searchCredentials": {  # 1
            "nodes": [
                {"id": "a", "provider": {"name": "x"}, "skills": [{"id": 1}, {"id": 2}]},  # 4
                {"id": "b", "provider": None, "skills": []},  # 1
            ],
            "facets": {"region": [{"value": "CA-ON", "count": 3}]},  # 2
        },
        "tags": [["nested", {"deep": True}]],  # 1
    }
    assert answered_objects(data) == 9


def test_data_that_is_no_object_counts_nothing():
    assert answered_objects(None) == 0
    assert answered_objects({}) == 0
