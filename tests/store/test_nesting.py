"""A nested selection names its rows after the select list it was written with."""

from __future__ import annotations

import pytest

from registry.store.nesting import named_columns


def test_columns_are_named_by_alias_or_by_column():
    assert named_columns("s.id, a.kind::text as kind, coalesce(x.a, x.b) as either") == (
        ("id", "s.id"),
        ("kind", "a.kind::text"),
        ("either", "coalesce(x.a, x.b)"),
    )


def test_an_expression_without_a_name_is_refused():
    with pytest.raises(ValueError, match="give it an alias"):
        named_columns("s.id, count(*)")
