"""What mutations answer: the object made or changed, or `userErrors` saying why nothing was."""

from __future__ import annotations

from typing import Optional

import strawberry

from registry.api.types import Credential, Recognition
from registry.domain.errors import Problem


@strawberry.type(description="Why a mutation (or one item of a batch) was refused. Nothing was changed.")
class UserError:
    field: Optional[list[str]] = strawberry.field(
        description='Path to the input field at fault, e.g. ["credential", "title"]; null when not about one field.'
    )
    code: str = strawberry.field(description="Stable machine-readable code, e.g. REQUIRED, CONFLICT, NOT_FOUND.")
    message: str = strawberry.field(description="What is wrong, for people.")


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [UserError(field=list(p.field) or None, code=p.code, message=p.message) for p in problems]


@strawberry.type(description="The result of a listing mutation: the listing, or why nothing changed.")
class CredentialPayload:
    credential: Optional[Credential] = strawberry.field(description="The listing after the change; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why the mutation was refused; empty on success.")


@strawberry.type(description="The result of a recognition mutation: the recognition, or why nothing changed.")
class RecognitionPayload:
    recognition: Optional[Recognition] = strawberry.field(
        description="The recognition after the change; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(description="Why the mutation was refused; empty on success.")


def credential_payload(outcome) -> CredentialPayload:
    """The payload of a listing service's outcome."""
    made = Credential.from_record(outcome.value) if outcome.ok else None
    return CredentialPayload(credential=made, user_errors=user_errors(list(outcome.problems)))


def recognition_payload(outcome) -> RecognitionPayload:
    """The payload of a recognition service's outcome."""
    made = Recognition.from_record(outcome.value) if outcome.ok else None
    return RecognitionPayload(recognition=made, user_errors=user_errors(list(outcome.problems)))
