"""The write API: institutions create, update, publish and retire their own listings.

Every mutation checks the token (UNAUTHENTICATED / FORBIDDEN errors), validates its input
against the domain rules (userErrors with a field path and a stable code), and writes in
one transaction: the change, its version and its change-feed entry land together or not at all.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Optional
from uuid import UUID

import asyncpg
import strawberry

from registry.api.enums import (
    AssessmentType,
    Audience,
    CredentialLinkKind,
    CredentialType,
    DeliveryMode,
    Pace,
    RecognitionKind,
)
from registry.api.errors import RegistryError
from registry.api.scalars import URL, LanguageTag
from registry.api.types import Credential, Recognition
from registry.domain import ids
from registry.domain.errors import Problem
from registry.domain.listings import ListingChanges, check_changes, check_publishable
from registry.store import credentials as credential_store
from registry.store import listings
from registry.store import recognitions as recognition_store


class Unauthenticated(RegistryError):
    """The request needs a bearer token."""

    code = "UNAUTHENTICATED"


class Forbidden(RegistryError):
    """The token does not allow this."""

    code = "FORBIDDEN"


@strawberry.type(description="Why a mutation (or one item of a batch) was refused. Nothing was changed.")
class UserError:
    field: Optional[list[str]] = strawberry.field(description="Path to the input field at fault, e.g. "
                                                             "[\"credential\", \"title\"]; null when not about one field.")
    code: str = strawberry.field(description="Stable machine-readable code, e.g. REQUIRED, CONFLICT, NOT_FOUND.")
    message: str = strawberry.field(description="What is wrong, for people.")


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [UserError(field=list(p.field) or None, code=p.code, message=p.message) for p in problems]


@strawberry.input(description="A text in one language.")
class LocalizedStringInput:
    lang: LanguageTag = strawberry.field(description="BCP 47 language tag, e.g. `en`, `fr`, `fr-CA`.")
    value: str = strawberry.field(description="The text.")


@strawberry.input(description="An amount of money in a currency.")
class MoneyInput:
    amount: float = strawberry.field(description="The amount, in units of the currency (not cents).")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. `CAD`.")


@strawberry.input(description="A level in a qualifications framework.")
class FrameworkLevelInput:
    framework: str = strawberry.field(description="The framework, e.g. `EQF`.")
    value: str = strawberry.field(description="The level, e.g. `5`.")


def _map(items: Optional[list[LocalizedStringInput]]) -> dict[str, str] | None:
    return None if items is None else {item.lang: item.value for item in items}


@strawberry.input(description="The fields of a listing. On update, omitted fields stay as they are.")
class CredentialInput:
    external_id: Optional[str] = strawberry.field(default=None, description="Your own key for the listing, unique "
                                                                            "within your institution.")
    credential_type: Optional[CredentialType] = strawberry.field(default=None, description="The kind of credential.")
    title: Optional[list[LocalizedStringInput]] = strawberry.field(default=None, description="Title per language.")
    description: Optional[list[LocalizedStringInput]] = strawberry.field(default=None, description="Description per language.")
    learning_outcomes: Optional[list[list[LocalizedStringInput]]] = strawberry.field(
        default=None, description="Learning outcomes, each with its translations.")
    skill_ids: Optional[list[strawberry.ID]] = strawberry.field(default=None, description="Skills taught (global IDs).")
    occupation_codes: Optional[list[str]] = strawberry.field(default=None, description="Occupations (NOC 2021 codes).")
    level: Optional[FrameworkLevelInput] = strawberry.field(default=None, description="Framework level.")
    level_reason: Optional[str] = strawberry.field(
        default=None, description="Why no framework level applies (publishing needs a level or this reason).")
    workload_hours: Optional[float] = strawberry.field(default=None, description="Notional learning hours (required).")
    ects_credits: Optional[float] = strawberry.field(default=None, description="ECTS credits.")
    duration_weeks: Optional[float] = strawberry.field(default=None, description="Typical duration in weeks.")
    delivery_mode: Optional[DeliveryMode] = strawberry.field(default=None, description="How learners take part (required).")
    pace: Optional[Pace] = strawberry.field(default=None, description="Self-paced or scheduled (required).")
    languages: Optional[list[LanguageTag]] = strawberry.field(default=None, description="Languages of instruction.")
    regions: Optional[list[str]] = strawberry.field(default=None, description="Regions offered (ISO 3166-2).")
    cost: Optional[MoneyInput] = strawberry.field(default=None, description="Tuition for the whole credential.")
    assessment: Optional[AssessmentType] = strawberry.field(default=None, description="How it is assessed (required).")
    quality_assurance: Optional[str] = strawberry.field(default=None, description="Quality-assurance process.")
    prerequisites: Optional[list[LocalizedStringInput]] = strawberry.field(default=None, description="Prerequisites.")
    audiences: Optional[list[Audience]] = strawberry.field(default=None, description="Groups it is designed for.")
    funding_programs: Optional[list[str]] = strawberry.field(default=None, description="Public funding it is eligible for.")
    url: Optional[URL] = strawberry.field(default=None, description="The listing's https page (required).")

    def to_changes(self, problems: list[Problem]) -> ListingChanges:
        """The domain change; IDs that are not skills' are added to ``problems``."""
        skills = None
        if self.skill_ids is not None:
            skills = [ids.decode_as(s, "Skill") for s in self.skill_ids]
            problems += [Problem(("credential", "skillIds"), "INVALID_ID", f"{raw!r} is not the ID of a Skill.")
                         for raw, s in zip(self.skill_ids, skills) if s is None]
            skills = [s for s in skills if s is not None]
        return ListingChanges(
            external_id=self.external_id, credential_type=_value(self.credential_type), title=_map(self.title),
            description=_map(self.description),
            learning_outcomes=None if self.learning_outcomes is None else [_map(o) for o in self.learning_outcomes],
            skill_ids=skills, occupation_codes=self.occupation_codes,
            level_framework=self.level.framework if self.level else None,
            level_value=self.level.value if self.level else None, level_reason=self.level_reason,
            workload_hours=self.workload_hours, ects_credits=self.ects_credits, duration_weeks=self.duration_weeks,
            delivery_mode=_value(self.delivery_mode), pace=_value(self.pace), languages=self.languages,
            regions=self.regions, cost_amount=self.cost.amount if self.cost else None,
            cost_currency=self.cost.currency if self.cost else None, assessment=_value(self.assessment),
            quality_assurance=self.quality_assurance, prerequisites=_map(self.prerequisites),
            audiences=None if self.audiences is None else [a.value for a in self.audiences],
            funding_programs=self.funding_programs, url=self.url,
        )


def _value(enum_value):
    return None if enum_value is None else enum_value.value


@strawberry.input(description="A new draft listing.")
class CreateCredentialInput:
    provider_id: Optional[strawberry.ID] = strawberry.field(
        default=None, description="The provider; only operators need it (a provider's client acts for its own).")
    credential: CredentialInput = strawberry.field(description="The listing's fields.")


@strawberry.input(description="Changes to a listing, made only if nobody changed it since `expectedVersion`.")
class UpdateCredentialInput:
    id: strawberry.ID = strawberry.field(description="The listing's global ID.")
    expected_version: int = strawberry.field(description="The `version` you read; a newer one gives CONFLICT.")
    credential: CredentialInput = strawberry.field(description="The fields to change.")


@strawberry.input(description="Publish a listing (it must have every mandatory element).")
class PublishCredentialInput:
    id: strawberry.ID = strawberry.field(description="The listing's global ID.")
    expected_version: Optional[int] = strawberry.field(default=None, description="When given, publish only this version.")


@strawberry.input(description="Retire a listing: no longer offered, still resolvable by ID.")
class RetireCredentialInput:
    id: strawberry.ID = strawberry.field(description="The listing's global ID.")
    reason: str = strawberry.field(description="Why it is retired (kept in its history).")


@strawberry.type(description="The result of a listing mutation: the listing, or why nothing changed.")
class CredentialPayload:
    credential: Optional[Credential] = strawberry.field(description="The listing after the change; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why the mutation was refused; empty on success.")


@strawberry.input(description="Link one of your listings to another listing (stackability).")
class LinkCredentialsInput:
    from_id: strawberry.ID = strawberry.field(description="Your listing (the link's source).")
    to_id: strawberry.ID = strawberry.field(description="The listing it is part of, prepares for, or supersedes.")
    kind: CredentialLinkKind = strawberry.field(description="How the source relates to the target.")


@strawberry.input(description="Record that your authority recognises a published listing.")
class RecognizeCredentialInput:
    credential_id: strawberry.ID = strawberry.field(description="The recognised listing.")
    kind: RecognitionKind = strawberry.field(description="What the recognition says.")
    valid_from: Optional[date] = strawberry.field(default=None, description="First day in force; today when left out.")
    valid_until: Optional[date] = strawberry.field(default=None, description="Last day in force; open-ended when left out.")
    note: Optional[str] = strawberry.field(default=None, description="A note, e.g. the programme it falls under.")
    authority_id: Optional[strawberry.ID] = strawberry.field(
        default=None, description="The authority; only operators need it (an authority's client acts for its own).")


@strawberry.input(description="Revoke a recognition your authority made. It stays on record, marked revoked.")
class RevokeRecognitionInput:
    id: strawberry.ID = strawberry.field(description="The recognition's global ID.")
    reason: str = strawberry.field(description="Why it is revoked.")


@strawberry.type(description="The result of a recognition mutation: the recognition, or why nothing changed.")
class RecognitionPayload:
    recognition: Optional[Recognition] = strawberry.field(description="The recognition after the change; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why the mutation was refused; empty on success.")


def _refused(problems: list[Problem]) -> CredentialPayload:
    return CredentialPayload(credential=None, user_errors=user_errors(problems))


def _require(info: strawberry.Info, scope: str):
    access = info.context.access
    if access is None:
        raise Unauthenticated("This mutation needs a bearer token (see /oauth/token).")
    if scope not in access.scopes and not access.is_admin:
        raise Forbidden(f"This mutation needs the `{scope}` scope.")
    return access


def _may_act_for(access, provider_id: UUID) -> bool:
    return access.is_admin or access.provider_id == provider_id


async def _occupations(tx, changes: ListingChanges, problems: list[Problem]) -> list[UUID] | None:
    if changes.occupation_codes is None:
        return None
    found = await listings.occupations_by_code(tx, changes.occupation_codes)
    problems += [Problem(("credential", "occupationCodes"), "UNKNOWN_OCCUPATION", f"No occupation has the code {code!r}.")
                 for code in changes.occupation_codes if code not in found]
    return [found[code] for code in changes.occupation_codes if code in found]


async def _skills_known(tx, changes: ListingChanges, problems: list[Problem]) -> None:
    if changes.skill_ids:
        problems += [Problem(("credential", "skillIds"), "UNKNOWN_SKILL", f"No skill has the ID {ids.encode('Skill', s)!r}.")
                     for s in await listings.unknown_skills(tx, changes.skill_ids)]


async def _locked_own(tx, info, access, global_id: str) -> tuple[object | None, list[Problem]]:
    """The listing, locked, if it exists and the caller may change it."""
    uuid = ids.decode_as(global_id, "Credential")
    listing = await listings.lock(tx, uuid) if uuid else None
    if listing is None or not info.context.viewer.may_see(listing.provider_id, listing.published_at):
        return None, [Problem(("id",), "NOT_FOUND", f"No credential has the ID {global_id!r}.")]
    if not _may_act_for(access, listing.provider_id):
        raise Forbidden("This listing belongs to another provider.")
    return listing, []


@strawberry.type(description="Changes to the registry. Every mutation needs a bearer token with the right scope.")
class Mutation:
    @strawberry.mutation(description="Create a draft listing for your institution (`credentials:write`).")
    async def create_credential(
        self, info: strawberry.Info,
        input: Annotated[CreateCredentialInput, strawberry.argument(description="What to do.")],
    ) -> CredentialPayload:
        access = _require(info, "credentials:write")
        problems: list[Problem] = []
        provider_id = access.provider_id
        if input.provider_id is not None:
            provider_id = ids.decode_as(input.provider_id, "Provider")
            if provider_id is None:
                return _refused([Problem(("providerId",), "INVALID_ID", "`providerId` is not the ID of a Provider.")])
            if not _may_act_for(access, provider_id):
                raise Forbidden("A provider's client may only create listings for its own provider.")
        if provider_id is None:
            return _refused([Problem(("providerId",), "REQUIRED", "Operators must name the `providerId`.")])
        changes = input.credential.to_changes(problems)
        problems += check_changes(changes, creating=True)
        duplicate = Problem(("credential", "externalId"), "DUPLICATE",
                            f"Your institution already has a listing {changes.external_id!r}.")
        try:
            async with info.context.db.transaction() as tx:
                await _skills_known(tx, changes, problems)
                occupations = await _occupations(tx, changes, problems)
                if problems:
                    return _refused(problems)
                if changes.external_id and await listings.lock_by_external_ids(tx, provider_id, [changes.external_id]):
                    return _refused([duplicate])
                created = await listings.create(tx, provider_id, changes, occupations or [], access.client_id)
        except asyncpg.UniqueViolationError:  # a concurrent create took the same externalId first
            return _refused([duplicate])
        return CredentialPayload(credential=Credential.from_record(created), user_errors=[])

    @strawberry.mutation(description="Change a listing, if nobody changed it since `expectedVersion` "
                                     "(`credentials:write`); a stale version gives a CONFLICT user error.")
    async def update_credential(
        self, info: strawberry.Info,
        input: Annotated[UpdateCredentialInput, strawberry.argument(description="What to do.")],
    ) -> CredentialPayload:
        access = _require(info, "credentials:write")
        problems: list[Problem] = []
        changes = input.credential.to_changes(problems)
        problems += check_changes(changes, creating=False)
        async with info.context.db.transaction() as tx:
            listing, missing = await _locked_own(tx, info, access, input.id)
            if missing:
                return _refused(missing)
            await _skills_known(tx, changes, problems)
            occupations = await _occupations(tx, changes, problems)
            if problems:
                return _refused(problems)
            try:
                updated = await listings.update(tx, listing.id, input.expected_version, changes, occupations,
                                                access.client_id)
            except listings.VersionConflict as conflict:
                return _refused([Problem(("expectedVersion",), "CONFLICT",
                                         f"The listing is at version {conflict.current_version}, not "
                                         f"{input.expected_version}: read it again and retry.")])
        return CredentialPayload(credential=Credential.from_record(updated), user_errors=[])

    @strawberry.mutation(description="Publish a listing (`credentials:publish`); it must have the EU mandatory elements.")
    async def publish_credential(
        self, info: strawberry.Info,
        input: Annotated[PublishCredentialInput, strawberry.argument(description="What to do.")],
    ) -> CredentialPayload:
        access = _require(info, "credentials:publish")
        async with info.context.db.transaction() as tx:
            listing, missing = await _locked_own(tx, info, access, input.id)
            if missing:
                return _refused(missing)
            if input.expected_version is not None and input.expected_version != listing.version:
                return _refused([Problem(("expectedVersion",), "CONFLICT",
                                         f"The listing is at version {listing.version}, not {input.expected_version}.")])
            if listing.status == "PUBLISHED":
                return _refused([Problem(("id",), "ALREADY_PUBLISHED", "The listing is published already.")])
            problems = check_publishable(listing)
            if problems:
                return _refused(problems)
            published = await listings.set_status(tx, listing.id, "PUBLISHED", access.client_id)
        return CredentialPayload(credential=Credential.from_record(published), user_errors=[])

    @strawberry.mutation(description="Retire a listing (`credentials:publish`): never listed again, still "
                                     "resolvable by ID.")
    async def retire_credential(
        self, info: strawberry.Info,
        input: Annotated[RetireCredentialInput, strawberry.argument(description="What to do.")],
    ) -> CredentialPayload:
        access = _require(info, "credentials:publish")
        if not input.reason.strip():
            return _refused([Problem(("reason",), "REQUIRED", "Say why the listing is retired.")])
        async with info.context.db.transaction() as tx:
            listing, missing = await _locked_own(tx, info, access, input.id)
            if missing:
                return _refused(missing)
            if listing.status == "RETIRED":
                return _refused([Problem(("id",), "ALREADY_RETIRED", "The listing is retired already.")])
            retired = await listings.set_status(tx, listing.id, "RETIRED", access.client_id, input.reason.strip())
        return CredentialPayload(credential=Credential.from_record(retired), user_errors=[])

    @strawberry.mutation(description="Link one of your listings to another (`credentials:write`); linking twice "
                                     "changes nothing, and links never form a cycle.")
    async def link_credentials(
        self, info: strawberry.Info,
        input: Annotated[LinkCredentialsInput, strawberry.argument(description="What to do.")],
    ) -> CredentialPayload:
        access = _require(info, "credentials:write")
        async with info.context.db.transaction() as tx:
            source, missing = await _locked_own(tx, info, access, input.from_id)
            if missing:
                return _refused([Problem(("fromId",), p.code, p.message) for p in missing])
            target_id = ids.decode_as(input.to_id, "Credential")
            target = (await credential_store.by_ids(tx, [target_id], info.context.viewer)).get(target_id) if target_id else None
            if target is None:
                return _refused([Problem(("toId",), "NOT_FOUND", f"No credential has the ID {input.to_id!r}.")])
            if target.id == source.id:
                return _refused([Problem(("toId",), "SELF_LINK", "A listing cannot link to itself.")])
            if await listings.link_would_cycle(tx, source.id, target.id, input.kind.value):
                return _refused([Problem(("toId",), "CYCLE", f"The target already leads back here by {input.kind.value}.")])
            linked, _ = await listings.add_link(tx, source.id, target.id, input.kind.value, access.client_id)
        return CredentialPayload(credential=Credential.from_record(linked), user_errors=[])

    @strawberry.mutation(description="Recognise a published listing as your authority (`recognitions:write`).")
    async def recognize_credential(
        self, info: strawberry.Info,
        input: Annotated[RecognizeCredentialInput, strawberry.argument(description="What to do.")],
    ) -> RecognitionPayload:
        access = _require(info, "recognitions:write")
        authority_id = access.authority_id
        if input.authority_id is not None:
            authority_id = ids.decode_as(input.authority_id, "RecognitionAuthority")
            if authority_id is None or not (access.is_admin or authority_id == access.authority_id):
                raise Forbidden("A client may only recognise as its own authority.")
        if authority_id is None:
            raise Forbidden("Only an authority's client (or an operator naming `authorityId`) can recognise.")
        problems = []
        if input.valid_until and input.valid_until < (input.valid_from or info.context.today):
            problems.append(Problem(("validUntil",), "EMPTY_RANGE", "`validUntil` is before `validFrom`."))
        if input.note is not None and len(input.note) > 2000:
            problems.append(Problem(("note",), "OUT_OF_RANGE", "`note` may be at most 2,000 characters."))
        credential_id = ids.decode_as(input.credential_id, "Credential")
        async with info.context.db.transaction() as tx:
            listing = await listings.lock(tx, credential_id) if credential_id else None
            if listing is None or listing.status != "PUBLISHED":
                problems.append(Problem(("credentialId",), "NOT_FOUND", "No published credential has this ID."))
            if problems:
                return RecognitionPayload(recognition=None, user_errors=user_errors(problems))
            made = await recognition_store.create_recognition(
                tx, credential_id=listing.id, authority_id=authority_id, kind=input.kind.value,
                valid_from=input.valid_from, valid_until=input.valid_until, note=input.note)
        return RecognitionPayload(recognition=Recognition.from_record(made), user_errors=[])

    @strawberry.mutation(description="Revoke a recognition your authority made (`recognitions:write`).")
    async def revoke_recognition(
        self, info: strawberry.Info,
        input: Annotated[RevokeRecognitionInput, strawberry.argument(description="What to do.")],
    ) -> RecognitionPayload:
        access = _require(info, "recognitions:write")
        if not input.reason.strip():
            return RecognitionPayload(recognition=None, user_errors=user_errors(
                [Problem(("reason",), "REQUIRED", "Say why the recognition is revoked.")]))
        recognition_id = ids.decode_as(input.id, "Recognition")
        async with info.context.db.transaction() as tx:
            found = await recognition_store.lock_recognition(tx, recognition_id) if recognition_id else None
            if found is None:
                return RecognitionPayload(recognition=None, user_errors=user_errors(
                    [Problem(("id",), "NOT_FOUND", f"No recognition has the ID {input.id!r}.")]))
            if not (access.is_admin or found.authority_id == access.authority_id):
                raise Forbidden("Only the authority that made a recognition can revoke it.")
            if found.revoked_at is not None:
                return RecognitionPayload(recognition=None, user_errors=user_errors(
                    [Problem(("id",), "ALREADY_REVOKED", "The recognition is revoked already.")]))
            revoked = await recognition_store.revoke(tx, found.id, input.reason.strip())
        return RecognitionPayload(recognition=Recognition.from_record(revoked), user_errors=[])
