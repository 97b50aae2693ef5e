"""Who acts, and what they may do: the permission rules every entry point shares.

A principal is an OAuth client of this registry, a caller of a trusted external issuer,
or an operator at the command line. Scopes say what kind of act it may do; its binding
(a provider or an authority) says for whom; `registry:admin` may do anything for anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from registry.domain.search import PUBLIC, Visibility

ADMIN_SCOPE = "registry:admin"


@dataclass(frozen=True)
class Principal:
    """The acting party of a request or a command."""

    client_id: str
    scopes: frozenset[str]
    provider_id: UUID | None
    authority_id: UUID | None
    # A portal's client: the jurisdictions it serves (keyword-only, so that kinds of principal
    # can add fields of their own).
    portal_jurisdictions: tuple[str, ...] = field(default=(), kw_only=True)
    # A publisher's client: the providers operators granted it to act for (read at every request).
    acts_for: frozenset[UUID] = field(default=frozenset(), kw_only=True)

    @property
    def is_admin(self) -> bool:
        return ADMIN_SCOPE in self.scopes

    @property
    def is_portal(self) -> bool:
        return bool(self.portal_jurisdictions)

    def may_act_for_provider(self, provider_id: UUID | None) -> bool:
        """Whether it may write the listings of ``provider_id``: its own provider's, those of
        the providers it was granted to act for, or anyone's for operators."""
        return self.is_admin or (provider_id is not None and provider_id in self.own_providers)

    @property
    def own_providers(self) -> frozenset[UUID]:
        """The providers it writes for: the one it is bound to, or those it acts for."""
        return self.acts_for | ({self.provider_id} if self.provider_id else set())

    def may_act_for_authority(self, authority_id: UUID | None) -> bool:
        """Whether it may record or revoke recognitions as ``authority_id``."""
        return self.is_admin or (authority_id is not None and authority_id == self.authority_id)

    @property
    def visibility(self) -> Visibility:
        """What it may read: its providers' drafts, or everything for operators."""
        return Visibility(own_provider_ids=self.own_providers, admin=self.is_admin)


def operator(name: str) -> Principal:
    """An operator at the command line of the server (``cli:<user>`` in the audit trail)."""
    return Principal(client_id=f"cli:{name}", scopes=frozenset({ADMIN_SCOPE}), provider_id=None, authority_id=None)


def visibility_of(principal: Principal | None) -> Visibility:
    """What ``principal`` (None: anyone) may read."""
    return PUBLIC if principal is None else principal.visibility


class Refused(Exception):
    """The act is not allowed at all (not a problem with its input); ``code`` is stable."""

    code = "FORBIDDEN"


class Unauthenticated(Refused):
    """The act needs a principal, and there is none."""

    code = "UNAUTHENTICATED"


class Forbidden(Refused):
    """The principal may not do this."""

    code = "FORBIDDEN"


def require_operator(principal: Principal) -> None:
    """Refused unless ``principal`` is an operator (`registry:admin`)."""
    if not principal.is_admin:
        raise Forbidden("Only operators (`registry:admin`) may do this.")


def require(principal: Principal | None, scope: str) -> Principal:
    """``principal`` if it holds ``scope`` (operators hold every scope); else Refused."""
    if principal is None:
        raise Unauthenticated("This needs a bearer token (see /oauth/token).")
    if scope not in principal.scopes and not principal.is_admin:
        raise Forbidden(f"This needs the `{scope}` scope.")
    return principal
