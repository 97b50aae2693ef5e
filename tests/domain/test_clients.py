"""Rules for OAuth clients: bindings, the scopes each may hold, credentials (no database)."""

from __future__ import annotations

import re
from uuid import uuid4

from registry.domain.clients import (
    binding_of,
    check_client,
    hash_secret,
    new_client_id,
    new_client_secret,
    secret_matches,
)


def test_a_client_is_bound_to_exactly_one_party():
    assert binding_of(uuid4(), None, False) == "PROVIDER"
    assert binding_of(None, uuid4(), False) == "AUTHORITY"
    assert binding_of(None, None, True) == "ADMIN"
    assert binding_of(uuid4(), uuid4(), False) is None and binding_of(None, None, False) is None


def test_each_binding_holds_only_its_scopes():
    assert check_client("PROVIDER", ["credentials:write", "webhooks:manage"]) == []
    refused = check_client("PROVIDER", ["registry:admin", "credentials:write"])
    assert [p.code for p in refused] == ["INVALID_CLIENT"] and "registry:admin" in refused[0].message
    assert check_client("AUTHORITY", ["credentials:write"])[0].code == "INVALID_CLIENT"
    assert check_client("ADMIN", ["registry:admin"]) == []


def test_a_client_needs_a_binding_and_a_scope():
    assert check_client(None, ["credentials:write"])[0].code == "INVALID_CLIENT"
    assert check_client("PROVIDER", [])[0].code == "INVALID_CLIENT"


def test_client_ids_have_the_local_form_and_secrets_are_stored_as_hashes():
    assert re.fullmatch(r"mc_[A-Za-z0-9_-]{16,64}", new_client_id())
    secret = new_client_secret()
    stored = hash_secret(secret)
    assert secret.encode() not in stored and secret_matches(secret, stored) and not secret_matches(secret + "x", stored)
