"""What the database can take, checked before a value reaches a statement."""

from datetime import datetime, timedelta, timezone

from registry.domain.storable import (
    BIGINT_MAX,
    calendar_problem,
    finite_number,
    fits_bigint,
    in_calendar,
    is_canonical_uuid,
    is_storable_text,
)


def test_text_with_a_nul_or_a_lone_surrogate_is_not_storable():
    assert is_storable_text("Données, 数据, 🎓")
    assert not is_storable_text("a\x00b")
    assert not is_storable_text("a\ud800b")
    assert not is_storable_text(b"bytes")


def test_only_the_lower_case_hyphenated_spelling_of_a_uuid_is_canonical():
    spelled = "0b6c2a8e-8f0e-4f6e-9a55-2f1f3c0d9e11"
    assert is_canonical_uuid(spelled)
    for other in (spelled.upper(), "{" + spelled + "}", spelled.replace("-", ""), "urn:uuid:" + spelled, None):
        assert not is_canonical_uuid(other), other


def test_a_finite_number_excludes_bools_nan_infinities_and_ints_past_float_range():
    assert finite_number(3) == 3.0 and finite_number(2.5) == 2.5
    for value in (True, float("nan"), float("inf"), 10**400, "3"):
        assert finite_number(value) is None, value


def test_a_bigint_is_an_int_within_postgresql_range_and_not_a_bool():
    assert fits_bigint(BIGINT_MAX) and fits_bigint(-BIGINT_MAX - 1)
    assert not fits_bigint(BIGINT_MAX + 1)
    assert not fits_bigint(False)
    assert not fits_bigint(-1, minimum=0)


def test_a_moment_outside_the_calendar_in_utc_is_refused_with_its_name():
    before_year_one = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    assert in_calendar(datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert not in_calendar(before_year_one)
    message = calendar_problem("updatedSince", before_year_one)
    assert message is not None and message.startswith("`updatedSince` must be between")
    assert calendar_problem("updatedSince", datetime(2026, 12, 1, tzinfo=timezone.utc)) is None
