"""Properties over arbitrary input: global IDs and cursors round-trip or are refused cleanly,
and the listing rules judge any text without raising."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.api import cursors
from registry.api.errors import BadUserInput
from registry.domain import ids
from registry.domain.listings import ListingChanges, check_changes

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)  # lone surrogates and NULs too
TYPES = st.sampled_from(sorted(ids.NODE_TYPES))


@given(TYPES, st.uuids())
def test_a_global_id_decodes_to_what_it_encodes(type_name, value):
    assert ids.decode(ids.encode(type_name, value)) == (type_name, value)


@given(ANY_TEXT)
def test_any_string_decodes_to_a_node_or_to_none_never_raises(text):
    found = ids.decode(text)
    assert found is None or (found[0] in ids.NODE_TYPES and isinstance(found[1], uuid.UUID))


@given(
    st.text(min_size=1, max_size=20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.uuids(),
    st.dictionaries(st.sampled_from(["o", "m", "x"]), st.text(max_size=10), max_size=3),
)
def test_a_cursor_decodes_to_its_key_and_extras(list_name, sort, row_id, extra):
    cursor = cursors.encode(list_name, (sort, str(row_id)), **extra)
    assert cursors.decode(cursor, list_name, float) == ((sort, str(row_id)), extra)


@settings(max_examples=300)
@given(ANY_TEXT, st.sampled_from(["search", "provider-credentials"]))
def test_any_string_is_a_cursor_or_a_clean_user_error(text, list_name):
    try:
        key, extra = cursors.decode(text, list_name, float)
    except BadUserInput as error:
        assert error.extensions["code"] == "BAD_USER_INPUT"
    else:
        assert key is None or (isinstance(key[0], float) and uuid.UUID(key[1]))


LANGS = st.sampled_from(["en", "fr", "en-CA", "x", "", "fr_CA", "123"])


@settings(max_examples=300)
@given(
    st.dictionaries(LANGS, ANY_TEXT, max_size=3),
    st.floats(allow_nan=True) | st.none(),
    ANY_TEXT | st.none(),
    st.lists(ANY_TEXT, max_size=3) | st.none(),
    ANY_TEXT | st.none(),
)
def test_the_listing_rules_judge_any_input_without_raising(title, hours, url, regions, currency):
    problems = check_changes(
        ListingChanges(
            title=title or None,
            workload_hours=hours,
            url=url,
            regions=regions,
            cost_currency=currency,
            cost_amount=1.0 if currency else None,
        ),
        creating=True,
    )
    for problem in problems:
        assert problem.field[0] == "credential" and problem.code.isupper() and problem.message
