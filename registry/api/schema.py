"""The Strawberry schema: the Query and Mutation types, assembled from their resolvers, and the
request-wide extensions."""

from __future__ import annotations

import functools
from typing import Optional, cast

import strawberry
from graphql import GraphQLUnionType
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig

from registry.api import admin, feed, harvest, limits, mutations, query, statistics
from registry.api import currency as currency_api
from registry.api import offerings as offering_api
from registry.api import webhooks as webhook_api
from registry.api.inputs import entity_representation
from registry.api.kept_documents import KeptParsing, KeptValidation
from registry.api.lookups import check_lookups
from registry.api.payloads import CredentialPayload, RecognitionPayload
from registry.api.planned_execution import PlannedExecutionContext
from registry.api.read_routing import ReadRouting
from registry.api.releasing_execution import ReleasingExecutionContext
from registry.api.scalars import SCALARS
from registry.api.submissions import SubmitCredentialsPayload, submit_credentials
from registry.api.text_hygiene import RefuseUnstorableText
from registry.api.throttle import CostThrottle, DocumentToll
from registry.api.types import (
    Connection,
    Credential,
    CredentialSearchResult,
    Node,
    Occupation,
    Provider,
    Recognition,
    RecognitionAuthority,
    Skill,
    Viewer,
)
from registry.services.webhooks import MAX_WEBHOOKS


@strawberry.type(
    description="Reads of the registry. Without a token, only published listings are visible "
    "(retired ones by ID only, so old links keep working)."
)
class Query:
    node: Optional[Node] = strawberry.field(
        resolver=query.node, description="Any object by its global ID; null when unknown, malformed or not visible."
    )
    nodes: list[Optional[Node]] = strawberry.field(
        resolver=query.nodes,
        description="Several objects by global ID, in the order asked (at most 100); null for each "
        "unknown, malformed or invisible ID.",
    )
    credential: Optional[Credential] = strawberry.field(
        resolver=query.credential,
        description="A listing by global ID. Unknown, malformed or invisible IDs give a NOT_FOUND error.",
    )
    credential_by_external_id: Optional[Credential] = strawberry.field(
        resolver=query.credential_by_external_id,
        description="A listing by its provider's own key for it (`externalId`).",
    )
    search_credentials: CredentialSearchResult = strawberry.field(
        resolver=query.search_credentials,
        description="Full-text search over listings (English and French, accents ignored; "
        '`"quoted phrases"`, `-exclusions` and `or` work), with filters, an order, '
        "facet counts and cursor pagination. A query with no full-text match falls back "
        "to typo-tolerant title matching.",
        # Its statement scans every match (facets, total, the fuzzy fallback): tens of ms of
        # the database whatever the page, so its cost says so (found by attacking: 30 aliased
        # fuzzy searches cost 60 and stalled other callers).
        metadata={"cost": query.SEARCH_COST},
    )
    provider: Optional[Provider] = strawberry.field(
        resolver=query.provider, description="A provider by global ID or by slug (give one of them)."
    )
    providers: Connection[Provider] = strawberry.field(
        resolver=query.providers,
        description="Providers by slug, optionally within one jurisdiction (`CA-ON`, or `CA` for all).",
    )
    recognition_authorities: Connection[RecognitionAuthority] = strawberry.field(
        resolver=query.recognition_authorities, description="Recognition authorities, by slug."
    )
    skills: Connection[Skill] = strawberry.field(
        resolver=query.skills, description="Skills, alphabetically by English label, optionally matching a query."
    )
    occupations: Connection[Occupation] = strawberry.field(
        resolver=query.occupations,
        description="Occupations (NOC 2021 unit groups), found by the words of their titles and of the job"
        " titles people use for them; by code without a query.",
    )
    occupation: Optional[Occupation] = strawberry.field(
        resolver=query.occupation,
        description="One occupation by its code (NOC 2021 unless another classification is named); null"
        " when there is none.",
    )

    viewer: Optional[Viewer] = strawberry.field(
        resolver=query.viewer, description="The caller, from its bearer token; null without a token."
    )
    changes: feed.ChangeFeed = strawberry.field(
        resolver=feed.changes,
        description="The change feed: every create, update, publish, retire, recognition and revocation, in an "
        "order that never changes behind you. Public readers see changes of public listings; a "
        "provider's token also sees its own drafts'.",
    )
    harvest_sources: Connection[harvest.HarvestSource] = strawberry.field(
        resolver=harvest.harvest_sources_query,
        description="Every harvest source with its runs, oldest first (`registry:admin`).",
    )
    webhooks: list[webhook_api.Webhook] = strawberry.field(
        resolver=webhook_api.my_webhooks,
        description="Your webhooks (at most 10), with their delivery history (`webhooks:manage`).",
        metadata={"max_items": MAX_WEBHOOKS},
    )
    oauth_clients: list[admin.OAuthClient] = strawberry.field(
        resolver=admin.oauth_clients, description="Every OAuth client, oldest first (`registry:admin`)."
    )
    registry_statistics: statistics.RegistryStatistics = strawberry.field(
        resolver=statistics.registry_statistics,
        description="Counts over the published listings: by province, delivery mode, provider kind and recognition, "
        "and publications per month. Public.",
    )
    audit_trail: list[admin.AuditEntry] = strawberry.field(
        resolver=admin.audit_trail,
        description="The operators' audit trail, newest first: clients, providers and authorities registered or "
        "revoked, by whom (`registry:admin`).",
    )


@strawberry.type(description="Changes to the registry. Every mutation needs a bearer token with the right scope.")
class Mutation:
    create_credential: CredentialPayload = strawberry.mutation(
        resolver=mutations.create_credential,
        description="Create a draft listing for your institution (`credentials:write`).",
    )
    update_credential: CredentialPayload = strawberry.mutation(
        resolver=mutations.update_credential,
        description="Change a listing, if nobody changed it since `expectedVersion` (`credentials:write`); a stale "
        "version gives a CONFLICT user error.",
    )
    publish_credential: CredentialPayload = strawberry.mutation(
        resolver=mutations.publish_credential,
        description="Publish a listing (`credentials:publish`); it must have the EU mandatory elements.",
    )
    retire_credential: CredentialPayload = strawberry.mutation(
        resolver=mutations.retire_credential,
        description="Retire a listing (`credentials:publish`): never listed again, still resolvable by ID.",
    )
    transfer_credential: CredentialPayload = strawberry.mutation(
        resolver=mutations.transfer_credential,
        description="Move a listing to another provider (`credentials:write`; operators, or a publisher acting for "
        "both providers): its ID, CTID, history, recognitions and offerings stay; the feed says TRANSFERRED.",
    )
    link_credentials: CredentialPayload = strawberry.mutation(
        resolver=mutations.link_credentials,
        description="Link one of your listings to another (`credentials:write`); linking twice changes nothing, and "
        "links never form a cycle.",
    )
    recognize_credential: RecognitionPayload = strawberry.mutation(
        resolver=mutations.recognize_credential,
        description="Recognise a published listing as your authority (`recognitions:write`).",
    )
    revoke_recognition: RecognitionPayload = strawberry.mutation(
        resolver=mutations.revoke_recognition,
        description="Revoke a recognition your authority made (`recognitions:write`).",
    )
    add_offering: offering_api.OfferingPayload = strawberry.mutation(
        resolver=offering_api.add_offering,
        description="Add an offering (an intake: dates, place, seats) to one of your listings (`credentials:write`).",
    )
    update_offering: offering_api.OfferingPayload = strawberry.mutation(
        resolver=offering_api.update_offering,
        description="Change an offering of one of your listings (`credentials:write`); with `expectedVersion`, a "
        "stale version gives CONFLICT.",
    )
    cancel_offering: offering_api.OfferingPayload = strawberry.mutation(
        resolver=offering_api.cancel_offering,
        description="Cancel an offering (`credentials:write`): it stays on record, marked cancelled.",
    )
    confirm_credentials: currency_api.ConfirmCredentialsPayload = strawberry.mutation(
        resolver=currency_api.confirm_credentials,
        description="Confirm that your listings are still current (`credentials:write`): each gets `lastVerifiedAt` "
        "now and a CONFIRMED change, and is no longer stale; a listing is also confirmed by any change to it.",
    )
    submit_credentials: SubmitCredentialsPayload = strawberry.mutation(
        resolver=submit_credentials,
        description="Create or update up to 1,000 of your listings by `externalId` in one call "
        "(`credentials:write`); each item is reported on its own.",
    )
    create_provider: admin.ProviderPayload = strawberry.mutation(
        resolver=admin.create_provider, description="Register a provider (`registry:admin`)."
    )
    create_recognition_authority: admin.RecognitionAuthorityPayload = strawberry.mutation(
        resolver=admin.create_recognition_authority, description="Register a recognition authority (`registry:admin`)."
    )
    create_client: admin.ClientPayload = strawberry.mutation(
        resolver=admin.create_client,
        description="Create an OAuth client (`registry:admin`); its secret is returned once.",
    )
    register_webhook: webhook_api.WebhookPayload = strawberry.mutation(
        resolver=webhook_api.register_webhook,
        description="Have changes POSTed to a URL, signed with a shared secret (`webhooks:manage`).",
    )
    delete_webhook: webhook_api.DeleteWebhookPayload = strawberry.mutation(
        resolver=webhook_api.delete_webhook, description="Stop a webhook of yours (`webhooks:manage`)."
    )
    grant_acting_for: admin.ActingForPayload = strawberry.mutation(
        resolver=admin.grant_acting_for,
        description="Let a publisher's client act for one more provider (`registry:admin`; audited).",
    )
    revoke_acting_for: admin.ActingForPayload = strawberry.mutation(
        resolver=admin.revoke_acting_for,
        description="End a publisher's right to act for a provider (`registry:admin`; audited, kept on record): its "
        "writes for it are refused from the next request on, whatever token it holds.",
    )
    revoke_client: admin.RevokeClientPayload = strawberry.mutation(
        resolver=admin.revoke_client, description="Revoke an OAuth client and all its tokens (`registry:admin`)."
    )


class RegistrySchema(strawberry.federation.Schema):
    """The federation schema, minus Strawberry's logging of every error with its traceback:
    NOT_FOUND and FORBIDDEN are answers, not incidents. Unexpected errors are logged, with
    the request id, where they are masked (registry.api.errors.shape_errors)."""

    def process_errors(self, errors, execution_context=None) -> None:
        pass

    def entities_resolver(self, info: strawberry.Info, representations: list[FederationAny]) -> list[FederationAny]:
        """Federation's `_entities`, bounded like `nodes` (its cost counts each representation).

        `_Any` lets anything in, and Strawberry's resolver trusts each item to be a
        `{__typename, id}` object of an entity type. A malformed one is answered
        BAD_USER_INPUT at its own index (an error in the list is raised there), and the
        others still resolve, as a router expects of a batch.
        """
        check_lookups(len(representations), "representations")
        entity_union = self._schema.get_type("_Entity")
        if not isinstance(entity_union, GraphQLUnionType):
            raise TypeError("a federation schema has an _Entity union")
        entity_types = {member.name for member in entity_union.types}
        checked = [entity_representation(item, index, entity_types) for index, item in enumerate(representations)]
        # FederationAny is Strawberry's name for "any JSON value": the well-formed representations
        # go in, and the answer is entities and BadUserInput errors, each at its own index.
        well_formed = cast(list[FederationAny], [item for item in checked if isinstance(item, dict)])
        resolved = iter(super().entities_resolver(info, well_formed))
        return cast(list[FederationAny], [next(resolved) if isinstance(item, dict) else item for item in checked])


@functools.cache
def build_schema(hide_suggestions: bool = False, planned: bool = True) -> strawberry.Schema:
    """The registry's public schema; ``hide_suggestions`` drops the "Did you mean ...?" hints
    from errors (production mode: they map the schema out for anyone probing), and ``planned``
    completes repeated objects from per-request plans (registry/api/planned_execution.py)."""
    # A valid Apollo Federation 2 subgraph: portals can compose the registry into their supergraph.
    return RegistrySchema(
        federation_version="2.5",
        query=Query,
        mutation=Mutation,
        types=[Credential, Provider, Skill, Occupation, RecognitionAuthority, Recognition],
        config=StrawberryConfig(scalar_map=SCALARS, disable_field_suggestions=hide_suggestions),
        execution_context_class=PlannedExecutionContext if planned else ReleasingExecutionContext,
        extensions=[
            *limits.extensions(),
            DocumentToll,  # before the parse it charges for
            KeptParsing,
            KeptValidation,
            RefuseUnstorableText,
            CostThrottle,
            ReadRouting,
        ],
    )


schema = build_schema()
