"""submitCredentials: an institution upserts up to 1,000 listings by its own keys in one call.

Each item is checked on its own and reported on its own; valid items are stored even when
others fail. The writes are set-based (a handful of statements whatever the batch size).
An item that changes nothing is not written again, so resubmitting a batch is harmless.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Optional

import asyncpg
import strawberry

from registry.api import ids
from registry.api.errors import BadUserInput, Conflict
from registry.api.mutations import CredentialInput, Forbidden, UserError, _may_act_for, _require, user_errors
from registry.api.types import Credential
from registry.domain.errors import Problem
from registry.domain.listings import ListingChanges, check_changes, check_publishable
from registry.domain.search import Visibility
from registry.store import credentials as credential_store
from registry.store import history, listings

MAX_BATCH = 1000


@strawberry.input(description="A batch of listings to create or update by `externalId`.")
class SubmitCredentialsInput:
    provider_id: Optional[strawberry.ID] = strawberry.field(
        default=None, description="The provider; only operators need it.")
    credentials: list[CredentialInput] = strawberry.field(
        description="Up to 1,000 listings; each needs an `externalId`, your key for it.")
    publish: Optional[bool] = strawberry.field(
        default=False, description="Also publish every stored listing that has the mandatory elements "
                                   "(needs `credentials:publish`).")


@strawberry.type(description="What happened to one listing of a batch.")
class SubmissionResult:
    index: int = strawberry.field(description="The item's position in the batch, from 0.")
    external_id: Optional[str] = strawberry.field(description="The item's `externalId`.")
    credential: Optional[Credential] = strawberry.field(description="The listing as stored; null when refused.")
    created: bool = strawberry.field(description="True when the listing is new.")
    user_errors: list[UserError] = strawberry.field(
        description="Why the item was refused, or (with `publish`) why a stored listing stayed a draft.")


@strawberry.type(description="The outcome of a batch submission, item by item.")
class SubmitCredentialsPayload:
    results: list[SubmissionResult] = strawberry.field(description="One result per submitted item, in order.")
    created_count: int = strawberry.field(description="How many listings were created.")
    updated_count: int = strawberry.field(description="How many existing listings changed.")
    failed_count: int = strawberry.field(description="How many items were refused (nothing stored for them).")


class _Item:
    """One submitted listing on its way through the batch."""

    def __init__(self, index: int, changes: ListingChanges, problems: list[Problem]) -> None:
        self.index, self.changes, self.problems = index, changes, problems
        self.existing = None
        self.credential_id: uuid.UUID | None = None
        self.occupations: list[uuid.UUID] | None = None
        self.written = False
        self.notes: list[Problem] = []

    def refuse(self, field: str, code: str, message: str) -> None:
        self.problems.append(Problem(("credentials", str(self.index), field), code, message))


def _relocate(index: int, problems: list[Problem]) -> list[Problem]:
    """Item problems say ("credential", field); in a batch they are ("credentials", index, field)."""
    return [Problem(("credentials", str(index), *p.field[1:]), p.code, p.message) for p in problems]


async def submit_credentials(
    info: strawberry.Info,
    input: Annotated[SubmitCredentialsInput, strawberry.argument(description="What to submit.")],
) -> SubmitCredentialsPayload:
    access = _require(info, "credentials:write")
    if input.publish:
        _require(info, "credentials:publish")
    if len(input.credentials) > MAX_BATCH:
        raise BadUserInput(f"A batch holds at most {MAX_BATCH} listings (got {len(input.credentials)}).",
                           field="credentials")
    provider_id = _provider(access, input.provider_id)
    items = _parse(input.credentials)
    try:
        async with info.context.db.transaction() as tx:
            await _load_existing(tx, provider_id, items)
            await _check_references(tx, items)
            await _write(tx, provider_id, items, access.client_id)
            if input.publish:
                await _publish(tx, items, access.client_id)
            written = [i.credential_id for i in items if i.credential_id and not i.problems]
            stored = await credential_store.by_ids(tx, written, Visibility(admin=True))
    except asyncpg.UniqueViolationError as error:
        # Another request created some of these externalIds meanwhile; nothing of this batch was kept.
        raise Conflict("Another request is creating the same listings; resubmit the batch.") from error
    return _payload(items, stored)


def _provider(access, global_id) -> uuid.UUID:
    provider_id = access.provider_id
    if global_id is not None:
        provider_id = ids.decode_as(global_id, "Provider")
        if provider_id is None:
            raise BadUserInput("`providerId` is not the ID of a Provider.", field="providerId")
        if not _may_act_for(access, provider_id):
            raise Forbidden("A provider's client may only submit listings for its own provider.")
    if provider_id is None:
        raise BadUserInput("Operators must name the `providerId`.", field="providerId")
    return provider_id


def _parse(inputs: list[CredentialInput]) -> list[_Item]:
    items, seen = [], set()
    for index, item_input in enumerate(inputs):
        problems: list[Problem] = []
        item = _Item(index, item_input.to_changes(problems), _relocate(index, problems))
        key = item.changes.external_id
        if not key or not key.strip():
            item.refuse("externalId", "REQUIRED", "Each submitted listing needs its `externalId`.")
        elif key in seen:
            item.refuse("externalId", "DUPLICATE", f"{key!r} appears earlier in this batch.")
        seen.add(key)
        items.append(item)
    return items


async def _load_existing(tx, provider_id, items: list[_Item]) -> None:
    keys = [i.changes.external_id for i in items if i.changes.external_id]
    existing = await listings.lock_by_external_ids(tx, provider_id, keys)
    for item in items:
        item.existing = existing.get(item.changes.external_id)
        item.problems += _relocate(item.index, check_changes(item.changes, creating=item.existing is None))


async def _check_references(tx, items: list[_Item]) -> None:
    skill_ids = {s for i in items for s in (i.changes.skill_ids or [])}
    unknown = set(await listings.unknown_skills(tx, list(skill_ids))) if skill_ids else set()
    codes = {c for i in items for c in (i.changes.occupation_codes or [])}
    occupations = await listings.occupations_by_code(tx, list(codes)) if codes else {}
    for item in items:
        for skill in item.changes.skill_ids or []:
            if skill in unknown:
                item.refuse("skillIds", "UNKNOWN_SKILL", f"No skill has the ID {ids.encode('Skill', skill)!r}.")
        if item.changes.occupation_codes is not None:
            for code in item.changes.occupation_codes:
                if code not in occupations:
                    item.refuse("occupationCodes", "UNKNOWN_OCCUPATION", f"No occupation has the code {code!r}.")
            item.occupations = [occupations[c] for c in item.changes.occupation_codes if c in occupations]


async def _write(tx, provider_id, items: list[_Item], actor: str) -> None:
    valid = [i for i in items if not i.problems]
    new = [i for i in valid if i.existing is None]
    for item in new:
        item.credential_id = uuid.uuid4()
    existing = [i for i in valid if i.existing is not None]
    current_tags = await _current_tags(tx, [i.existing.id for i in existing])
    for item in existing:
        item.credential_id = item.existing.id
    changed = [i for i in existing if _differs(i, current_tags)]
    if new:
        await listings.insert_many(tx, provider_id, [(i.credential_id, i.changes) for i in new])
    if changed:
        await listings.update_many(tx, [(i.credential_id, i.changes) for i in changed])
    written = new + changed
    skills = {i.credential_id: list(i.changes.skill_ids) for i in written if i.changes.skill_ids is not None}
    occupations = {i.credential_id: i.occupations for i in written if i.occupations is not None}
    await listings.replace_tags(tx, skills, occupations)
    if written:
        await listings.refresh_search(tx, [i.credential_id for i in written])
    if new:
        await history.record_changes(tx, [i.credential_id for i in new], "CREATED", actor)
    if changed:
        await history.record_changes(tx, [i.credential_id for i in changed], "UPDATED", actor)
    for item in written:
        item.written = True


async def _current_tags(tx, credential_ids):
    if not credential_ids:
        return {}, {}
    skills = await credential_store.skills_of(tx, credential_ids)
    occupations = await credential_store.occupations_of(tx, credential_ids)
    return ({cid: [s.id for s in found] for cid, found in skills.items()},
            {cid: [o.id for o in found] for cid, found in occupations.items()})


def _differs(item: _Item, current_tags) -> bool:
    """Whether the submission changes the stored listing at all."""
    skills, occupations = current_tags
    record = item.existing
    for name, value in item.changes.given().items():
        if name == "skill_ids":
            if list(value) != skills.get(record.id, []):
                return True
        elif name == "occupation_codes":
            if item.occupations != occupations.get(record.id, []):
                return True
        elif getattr(record, name) != value:
            return True
    return False


async def _publish(tx, items: list[_Item], actor: str) -> None:
    candidates = [i for i in items if not i.problems]
    stored = await credential_store.by_ids(tx, [i.credential_id for i in candidates], Visibility(admin=True))
    ready = []
    for item in candidates:
        listing = stored[item.credential_id]
        if listing.status == "PUBLISHED":
            continue
        missing = check_publishable(listing)
        if missing:
            item.notes = _relocate(item.index, missing)
        else:
            ready.append(item.credential_id)
    if ready:
        await listings.publish_many(tx, ready)
        await history.record_changes(tx, ready, "PUBLISHED", actor)


def _payload(items: list[_Item], stored: dict) -> SubmitCredentialsPayload:
    results, created, updated, failed = [], 0, 0, 0
    for item in items:
        if item.problems:
            failed += 1
            results.append(SubmissionResult(index=item.index, external_id=item.changes.external_id, credential=None,
                                            created=False, user_errors=user_errors(item.problems)))
            continue
        is_new = item.existing is None
        created += is_new
        updated += (not is_new) and item.written
        results.append(SubmissionResult(
            index=item.index, external_id=item.changes.external_id,
            credential=Credential.from_record(stored[item.credential_id]), created=is_new,
            user_errors=user_errors(item.notes)))
    return SubmitCredentialsPayload(results=results, created_count=created, updated_count=updated,
                                    failed_count=failed)
