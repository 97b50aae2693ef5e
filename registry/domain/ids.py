"""Opaque global IDs: base64url("<Type>:<uuid>"), as Relay's Node interface expects."""

from __future__ import annotations

import base64
import binascii
import re
from uuid import UUID

NODE_TYPES = frozenset(
    {
        "Credential",
        "Provider",
        "Skill",
        "Occupation",
        "RecognitionAuthority",
        "Recognition",
        "HarvestSource",
        "Offering",
    }
)


def encode(type_name: str, uuid: UUID) -> str:
    """The global ID of a row of ``type_name``."""
    raw = f"{type_name}:{uuid}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(global_id: str) -> tuple[str, UUID] | None:
    """(type name, uuid) of a global ID, or None when it is not one of ours."""
    if not isinstance(global_id, str) or len(global_id) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, value = raw.partition(":")
        uuid = UUID(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if type_name not in NODE_TYPES:
        return None
    return type_name, uuid


def decode_as(global_id: str, type_name: str) -> UUID | None:
    """The uuid of a global ID that must name a ``type_name``, else None."""
    found = decode(global_id)
    if found is None or found[0] != type_name:
        return None
    return found[1]


CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def mint_ctid(uuid: UUID) -> str:
    """The CTID of a listing that came with none: `ce-` and its UUID (the database mints the
    same on insert, and every export before CTIDs were kept said so)."""
    return f"ce-{uuid}"


def is_ctid(value: str) -> bool:
    """A Credential Engine CTID: `ce-` and a lower-case UUID."""
    return CTID.fullmatch(value) is not None
