"""Who is calling, and whether they may: the GraphQL side of registry.domain.principals.

Refusals are the domain's (Unauthenticated, Forbidden); registry.api.errors gives them their
GraphQL code, wherever a resolver or a service raised them.
"""

from __future__ import annotations

import strawberry

from registry.domain.principals import Principal
from registry.domain.principals import require as require_scope


def principal(info: strawberry.Info) -> Principal | None:
    """The caller: the bearer token's principal, or None for an anonymous request."""
    return info.context.access


def require(info: strawberry.Info, scope: str) -> Principal:
    """The caller, if it holds ``scope`` (operators hold every scope); else a refusal."""
    return require_scope(principal(info), scope)
