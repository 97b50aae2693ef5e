"""Opaque global IDs: what they encode and what they refuse."""

import base64
from uuid import uuid4

from registry.domain import ids


def test_a_global_id_decodes_to_its_type_and_uuid():
    uuid = uuid4()
    assert ids.decode(ids.encode("Credential", uuid)) == ("Credential", uuid)


def test_a_global_id_carries_no_padding():
    assert "=" not in ids.encode("Skill", uuid4())


def test_decoding_as_another_type_gives_nothing():
    assert ids.decode_as(ids.encode("Provider", uuid4()), "Credential") is None


def test_ids_of_unknown_types_or_malformed_text_are_not_ours():
    unknown_type = base64.urlsafe_b64encode(f"Webhook:{uuid4()}".encode()).decode()
    for text in (unknown_type, "not base64!", "Q3JlZGVudGlhbDpub3QtYS11dWlk", "", "A" * 201):
        assert ids.decode(text) is None, text
