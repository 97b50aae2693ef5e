"""The visibility rule in SQL (its statement: registry.domain.search.Visibility.may_see).

A listing is public from its first publication on; so is its history, version by version
(`credential_versions.listed`, copied to the change feed's `listed`). Drafts, versions
written before the first publication, and who made each change are for the listing's
provider and operators only. Every read path builds its condition from these functions.
"""

from __future__ import annotations

from registry.domain.search import Visibility
from registry.store.sql import Params

# Set on a listing by its first publication and never cleared (retiring keeps it).
PUBLIC_LISTING = "c.published_at is not null"


def sees_all_of(params: Params, viewer: Visibility, provider_sql: str = "c.provider_id") -> str:
    """True where the viewer is the listing's provider or an operator."""
    own = params.add(sorted(viewer.own_provider_ids))
    return f"({params.add(viewer.admin)}::boolean or {provider_sql} = any({own}::uuid[]))"


def listing_visible(params: Params, viewer: Visibility) -> str:
    """A listing (alias ``c``) the viewer may read by ID."""
    return f"({PUBLIC_LISTING} or {sees_all_of(params, viewer)})"


def entry_visible(params: Params, viewer: Visibility, listed_sql: str) -> str:
    """A version or change-feed entry (public when ``listed_sql``) of listing ``c``."""
    return f"({listed_sql} or {sees_all_of(params, viewer)})"


def public_actor(actor_sql: str) -> str:
    """Who made a change, as the public sees it: bulk loads by name, a harvest run as
    `harvest:<run ID>`, otherwise only the kind of party (`provider`, or `registry` for an
    operator), never a client ID."""
    return (
        f"(case when {actor_sql} in ('seed', 'import') or {actor_sql} like 'harvest:%' then {actor_sql}"
        f" when exists (select 1 from oauth_clients oc where oc.client_id = {actor_sql}"
        f" and oc.binding = 'ADMIN') then 'registry' else 'provider' end)"
    )
