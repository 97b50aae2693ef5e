"""Who may act for whom: the permission rules every entry point shares (no database)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from registry.domain.principals import Forbidden, Principal, Unauthenticated, operator, require, visibility_of
from registry.domain.search import PUBLIC

NORTH, SOUTH, MINISTRY = uuid4(), uuid4(), uuid4()


def _client(*scopes: str, provider=None, authority=None) -> Principal:
    return Principal("mc_x", frozenset(scopes), provider, authority)


def test_a_provider_client_acts_only_for_its_own_provider():
    client = _client("credentials:write", provider=NORTH)
    assert client.may_act_for_provider(NORTH) and not client.may_act_for_provider(SOUTH)
    assert not client.may_act_for_provider(None)


def test_an_authority_client_acts_only_as_its_own_authority():
    client = _client("recognitions:write", authority=MINISTRY)
    assert client.may_act_for_authority(MINISTRY) and not client.may_act_for_authority(uuid4())
    assert not client.may_act_for_provider(NORTH)


def test_an_operator_acts_for_everyone_and_sees_everything():
    admin = operator("alice")
    assert admin.client_id == "cli:alice" and admin.is_admin
    assert admin.may_act_for_provider(NORTH) and admin.may_act_for_authority(MINISTRY)
    assert admin.visibility.admin


def test_a_scope_is_required_unless_the_caller_is_an_operator():
    writer = _client("credentials:write", provider=NORTH)
    assert require(writer, "credentials:write") is writer
    with pytest.raises(Forbidden):
        require(writer, "credentials:publish")
    assert require(operator("bob"), "credentials:publish").is_admin


def test_no_principal_is_unauthenticated():
    with pytest.raises(Unauthenticated):
        require(None, "credentials:write")


def test_anonymous_readers_see_what_is_public_and_providers_their_own_drafts():
    assert visibility_of(None) == PUBLIC
    assert visibility_of(_client("credentials:write", provider=NORTH)).own_provider_ids == {NORTH}
