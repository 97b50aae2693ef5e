"""The listing and recognition mutations: each checks the caller's scope, turns its input into
domain values and calls its service (registry.services.listings, .recognitions), which
owns the rules and the transaction; the outcome becomes a payload with `userErrors`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from registry.api import permissions
from registry.api.listing_inputs import (
    CreateCredentialInput,
    CredentialInput,
    LinkCredentialsInput,
    PublishCredentialInput,
    RecognizeCredentialInput,
    RetireCredentialInput,
    RevokeRecognitionInput,
    TransferCredentialInput,
    UpdateCredentialInput,
)
from registry.api.payloads import (
    CredentialPayload,
    RecognitionPayload,
    credential_payload,
    recognition_payload,
    user_errors,
)
from registry.domain import ids
from registry.domain.errors import Problem
from registry.domain.listings import check_changes
from registry.services import listings, recognitions

WRITE, PUBLISH, RECOGNIZE = "credentials:write", "credentials:publish", "recognitions:write"


def _offerings_here(credential: CredentialInput) -> list[Problem]:
    """A single listing's write takes no offerings (addOffering does; submitCredentials takes sets)."""
    if credential.offerings is None:
        return []
    return [
        Problem(
            ("credential", "offerings"),
            "NOT_HERE",
            "Add offerings with addOffering, or give a listing's whole set in submitCredentials.",
        )
    ]


def _what(description: str):
    return strawberry.argument(description=description)


async def create_credential(
    info: strawberry.Info,
    input: Annotated[CreateCredentialInput, _what("What to do.")],
) -> CredentialPayload:
    principal = permissions.require(info, WRITE)
    provider_id = None
    if input.provider_id is not None:
        provider_id = ids.decode_as(input.provider_id, "Provider")
        if provider_id is None:
            return _refused(Problem(("providerId",), "INVALID_ID", "`providerId` is not the ID of a Provider."))
    problems: list[Problem] = _offerings_here(input.credential)
    changes = input.credential.to_changes(problems)
    if problems:  # IDs that name no skill: reported with whatever else the rules find
        return _refused(*problems, *check_changes(changes, creating=True))
    return credential_payload(await listings.create(info.context.primary, principal, provider_id, changes))


async def update_credential(
    info: strawberry.Info,
    input: Annotated[UpdateCredentialInput, _what("What to do.")],
) -> CredentialPayload:
    principal = permissions.require(info, WRITE)
    problems: list[Problem] = _offerings_here(input.credential)
    changes = input.credential.to_changes(problems)
    if problems:
        return _refused(*problems, *check_changes(changes, creating=False))
    return credential_payload(
        await listings.update(
            info.context.primary, principal, ids.decode_as(input.id, "Credential"), input.expected_version, changes
        )
    )


async def publish_credential(
    info: strawberry.Info,
    input: Annotated[PublishCredentialInput, _what("What to do.")],
) -> CredentialPayload:
    principal = permissions.require(info, PUBLISH)
    return credential_payload(
        await listings.publish(
            info.context.primary, principal, ids.decode_as(input.id, "Credential"), input.expected_version
        )
    )


async def retire_credential(
    info: strawberry.Info,
    input: Annotated[RetireCredentialInput, _what("What to do.")],
) -> CredentialPayload:
    principal = permissions.require(info, PUBLISH)
    return credential_payload(
        await listings.retire(info.context.primary, principal, ids.decode_as(input.id, "Credential"), input.reason)
    )


async def transfer_credential(
    info: strawberry.Info,
    input: Annotated[TransferCredentialInput, _what("What to do.")],
) -> CredentialPayload:
    principal = permissions.require(info, WRITE)
    moved = await listings.transfer(
        info.context.primary,
        principal,
        ids.decode_as(input.id, "Credential"),
        ids.decode_as(input.to_provider_id, "Provider"),
        input.reason,
    )
    return credential_payload(moved)


async def link_credentials(
    info: strawberry.Info,
    input: Annotated[LinkCredentialsInput, _what("What to do.")],
) -> CredentialPayload:
    principal = permissions.require(info, WRITE)
    return credential_payload(
        await listings.link(
            info.context.primary,
            principal,
            ids.decode_as(input.from_id, "Credential"),
            ids.decode_as(input.to_id, "Credential"),
            input.kind.value,
        )
    )


async def recognize_credential(
    info: strawberry.Info,
    input: Annotated[RecognizeCredentialInput, _what("What to do.")],
) -> RecognitionPayload:
    principal = permissions.require(info, RECOGNIZE)
    return recognition_payload(
        await recognitions.recognize(
            info.context.primary,
            principal,
            credential_id=ids.decode_as(input.credential_id, "Credential"),
            authority=ids.decode_as(input.authority_id, "RecognitionAuthority") if input.authority_id else None,
            authority_named=input.authority_id is not None,
            kind=input.kind.value,
            valid_from=input.valid_from,
            valid_until=input.valid_until,
            note=input.note,
            today=info.context.today,
        )
    )


async def revoke_recognition(
    info: strawberry.Info,
    input: Annotated[RevokeRecognitionInput, _what("What to do.")],
) -> RecognitionPayload:
    principal = permissions.require(info, RECOGNIZE)
    return recognition_payload(
        await recognitions.revoke(info.context.primary, principal, ids.decode_as(input.id, "Recognition"), input.reason)
    )


def _refused(*problems: Problem) -> CredentialPayload:
    return CredentialPayload(credential=None, user_errors=user_errors(list(problems)))
