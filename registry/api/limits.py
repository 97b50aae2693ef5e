"""How big a GraphQL document may be: nesting depth, aliases and tokens, checked before any
resolver runs, each refusal with its own stable code.

The deepest named operation (a credential's links' targets' provider) nests 6 levels; 12
leaves room for honest queries and none for a recursive bomb. Aliases multiply a field's
cost; 30 covers a page asking for every language of every text. 5,000 tokens is many times
the largest named operation, and the parser stops counting there.
"""

from __future__ import annotations

from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5_000

# The refusal messages of the limiters (graphql-core's and Strawberry's) -> the code clients see.
CODES = {
    "exceeds maximum operation depth": "QUERY_TOO_DEEP",
    "aliases found. Allowed:": "TOO_MANY_ALIASES",
    "Document contains more than": "TOO_MANY_TOKENS",
}


def extensions() -> list:
    """The schema extensions enforcing the limits."""
    return [lambda: QueryDepthLimiter(max_depth=MAX_DEPTH), lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS)]


def code_of(message: str) -> str | None:
    """The limit a refusal message is about, if any."""
    return next((code for fragment, code in CODES.items() if fragment in message), None)
