"""Global IDs and cursors are opaque, round-trip, and refuse what they did not make."""

import uuid

import pytest

from registry.api import cursors
from registry.api.errors import BadUserInput
from registry.domain import ids


def test_global_ids_round_trip():
    value = uuid.uuid4()
    assert ids.decode(ids.encode("Skill", value)) == ("Skill", value)
    assert ids.decode_as(ids.encode("Skill", value), "Provider") is None


def test_cursors_round_trip_their_key_and_extras():
    key = (-1.5, str(uuid.uuid4()))
    assert cursors.decode(cursors.encode("search", key, o="NEWEST"), "search", float) == (key, {"o": "NEWEST"})


@pytest.mark.parametrize("bad", ["", "%%%", "eyJsIjoic2VhcmNoIn0", "x" * 2000])
def test_garbage_cursors_are_bad_input(bad):
    with pytest.raises(BadUserInput):
        cursors.decode(bad, "search", float)


def test_a_text_key_is_not_a_number_key():
    cursor = cursors.encode("skills", ("welding", str(uuid.uuid4())))
    with pytest.raises(BadUserInput):
        cursors.decode(cursor, "skills", float)
