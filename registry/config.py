"""Settings read once from the environment into one frozen object."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

# The domain's rules are the one definition of a slug, a province code and the provinces.
from registry.domain.parties import PROVINCE, SLUG
from registry.domain.vocabularies import PROVINCES_AND_TERRITORIES


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# A CSP source a portal may frame the embed from: any site, or an origin (wildcards allowed in
# the host, as CSP allows), or a scheme.
FRAME_SOURCE = re.compile(r"^(\*|'self'|https?:|https?://(\*\.)?[A-Za-z0-9.-]+(:\d+)?)$")


def frame_ancestors(value: str | None) -> tuple[str, ...]:
    """``MICROCRED_EMBED_FRAME_ANCESTORS`` (spaces or commas between sources; "*" when unset)."""
    sources = tuple(part for part in re.split(r"[\s,]+", value or "*") if part)
    wrong = [source for source in sources if not FRAME_SOURCE.match(source)]
    if wrong or not sources:
        raise ValueError(f"MICROCRED_EMBED_FRAME_ANCESTORS: {wrong or value!r} are not CSP frame-ancestors sources")
    return sources


def _pair(value: str) -> tuple[float, float]:
    """``"capacity,restore"`` as two numbers."""
    capacity, restore = (float(part) for part in value.split(","))
    return capacity, restore


@dataclass(frozen=True)
class TrustedIssuer:
    """Another authorization server (a province's own) whose access tokens the registry accepts.

    issuer: the exact ``iss``; jwks_url: where its public keys are; audience: the ``aud``
    its tokens must carry for the registry; provider_claim: the claim holding the slug of
    the provider the caller acts for; algorithms: the signature algorithms accepted.
    providers / jurisdictions: whom it may act for: providers with one of these slugs, or
    whose jurisdiction is one of these ISO 3166-2 codes (``CA-ON``). At least one is needed:
    an issuer trusted for "any provider" could speak for every institution in the country.
    """

    issuer: str
    jwks_url: str
    audience: str
    provider_claim: str = "provider"
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    providers: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse an entry that would trust too much, whichever way it was built."""
        where = f"MICROCRED_TRUSTED_ISSUERS: issuer {self.issuer!r}"
        if any(a.lower() == "none" or a.upper().startswith("HS") for a in self.algorithms):
            raise ValueError(f"{where}: trusted issuers sign asymmetrically: 'none' and HMAC algorithms are refused.")
        if not isinstance(self.provider_claim, str) or not self.provider_claim:
            raise ValueError(f"{where}: `provider_claim` is the name of a claim (text).")
        if not self.providers and not self.jurisdictions:
            raise ValueError(
                f"{where} names neither `providers` (slugs) nor `jurisdictions` (ISO 3166-2 codes "
                'such as "CA-ON"): say which providers it may act for.'
            )
        bad_slugs = [s for s in self.providers if not SLUG.match(s)]
        if bad_slugs:
            raise ValueError(f"{where}: {bad_slugs} are not provider slugs (lower-case words joined by hyphens).")
        bad_codes = [j for j in self.jurisdictions if not PROVINCE.match(j)]
        if bad_codes:
            raise ValueError(f'{where}: {bad_codes} are not ISO 3166-2 codes in capitals such as "CA-ON".')

    def may_act_for(self, slug: str, jurisdiction: str) -> bool:
        """Whether this issuer's tokens may act for the provider with this slug and jurisdiction."""
        return slug in self.providers or jurisdiction in self.jurisdictions

    @classmethod
    def from_json(cls, text: str) -> tuple["TrustedIssuer", ...]:
        """Parse ``MICROCRED_TRUSTED_ISSUERS``: a JSON list of objects with these fields."""
        entries = json.loads(text)
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ValueError("MICROCRED_TRUSTED_ISSUERS is a JSON list of objects, one per issuer.")
        return tuple(cls._from_entry(entry) for entry in entries)

    @classmethod
    def _from_entry(cls, entry: dict) -> "TrustedIssuer":
        """One issuer of ``MICROCRED_TRUSTED_ISSUERS``; a clear ValueError when it is incomplete."""
        missing = [name for name in ("issuer", "jwks_url", "audience") if not isinstance(entry.get(name), str)]
        if missing:
            raise ValueError(f"MICROCRED_TRUSTED_ISSUERS: an entry lacks {', '.join(missing)} (text).")

        def texts(name: str) -> tuple[str, ...]:
            # A bare string would otherwise become a tuple of its characters.
            value = entry.get(name) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(
                    f"MICROCRED_TRUSTED_ISSUERS: issuer {entry['issuer']!r}: `{name}` is a list of strings."
                )
            return tuple(value)

        return cls(
            entry["issuer"],
            entry["jwks_url"],
            entry["audience"],
            entry.get("provider_claim", "provider"),
            texts("algorithms") or ("RS256", "ES256"),
            texts("providers"),
            texts("jurisdictions"),
        )


# Canada and its provinces and territories: the portals' jurisdictions, each with an export file.
EXPORT_JURISDICTIONS = ("CA", *PROVINCES_AND_TERRITORIES)


@dataclass(frozen=True)
class Settings:
    """Everything the registry reads from its environment.

    database_url: a PostgreSQL server to use; None starts the embedded one.
    read_database_urls: streaming replicas of it for public reads (``READ_DATABASE_URL``,
      comma-separated); writes and a writer's reads right after its writes stay on the primary.
    data_dir: where the embedded PostgreSQL keeps its data (``.microcred`` by default).
    server_timing: add a ``Server-Timing`` header with SQL statement counts and time.
    issuer, audience: the ``iss`` and ``aud`` of the access tokens this registry issues.
    secret_key / secret_key_file: encrypts token signing keys at rest; without either, a
      key is generated into ``data_dir/secret.key`` (fine for development only).
    response_cache_bytes: memory for anonymous GraphQL responses per process (0: no cache).
    response_cache_ttl_seconds: the longest an entry lives even without a change notice.
    response_cache_stale_seconds: how long after a change an answer from before it may still be
      served while the fresh one is computed (0: never; readers then wait for it).
    cache_max_age_seconds: the ``max-age`` public responses carry (0: revalidate by ETag).
    facet_index: count search facets and totals from the per-process facet index (built at
      start, registry/services/facet_index.py); off, PostgreSQL counts them for each request.
    safelist: anonymous requests may run only the named operations of graphql/operations/.
    max_body_bytes: the largest request body accepted (413 beyond).
    cors_origins: the browser origins allowed to call the API ("*" for any); none by default.
    embed_frame_ancestors: who may put /embed/search in a frame (CSP frame-ancestors sources:
      "*" for any site, the default, or origins such as https://www.example.ca); every other
      page refuses framing.
    pool_timeout_seconds: how long a request waits for a database connection before a 503.
    max_query_cost: the most an operation may cost (see registry/api/cost.py).
    production: hide the schema's "Did you mean ...?" suggestions from error messages.
    planned_execution: complete a selection's repeated objects (a page of listings) from a plan
      made once per request (registry/api/planned_execution.py); off, graphql-core completes
      every field the general way (``MICROCRED_PLANNED_EXECUTION=0``, a switch for operators).
    stale_after_days: a listing its provider has not confirmed (nor written) for this long is
      stale (``MICROCRED_STALE_AFTER_DAYS``, 365); the worker reminds the provider 30 days before.
    drain_seconds: on SIGTERM, how long requests in flight (then webhook deliveries in
      progress) may take to finish before they are cut off.
    rate_anonymous / rate_client / rate_portal: (bucket capacity, points restored a second) of
      the cost buckets per IP address without a token, per client with one, and per portal's
      client (a portal serves many people, so it gets more).
    export_dir: where the bulk export's snapshot files live (``data_dir/exports`` when None);
      processes sharing the folder share the files and build them one at a time.
    export_jurisdictions: the jurisdictions that get a snapshot file of their own besides the
      full export; other filters are spooled from the database per request.
    export_debounce_seconds: the snapshot is rebuilt once changes have been quiet this long
      (and at the latest twelve times this long after the first change not yet in it).
    credential_engine_api_key: the API key CREDENTIAL_ENGINE harvest sources send (as a bearer
      token) to Credential Engine's CTDL query endpoint, which asks for one.
    exports_per_caller: export downloads one caller (a client with a token, else an IP
      address) may have running at once in one process; more get 429.
    """

    database_url: str | None = None
    read_database_urls: tuple[str, ...] = ()
    data_dir: Path = Path(".microcred")
    server_timing: bool = False
    pool_min_size: int = 2
    pool_max_size: int = 10
    statement_timeout_ms: int = 15_000
    lock_timeout_ms: int = 5_000
    idle_in_transaction_ms: int = 30_000
    pool_timeout_seconds: float = 5.0
    issuer: str = "http://127.0.0.1:8000"
    audience: str = "microcred-registry"
    token_lifetime_seconds: int = 3600
    secret_key: str | None = None
    secret_key_file: Path | None = None
    trusted_issuers: tuple[TrustedIssuer, ...] = field(default_factory=tuple)
    webhooks_allow_loopback: bool = False
    webhooks_allow_private: bool = False
    credential_engine_api_key: str | None = None
    webhook_retry_base_seconds: float = 30.0
    webhook_give_up_hours: float = 24.0
    response_cache_bytes: int = 64 * 2**20
    response_cache_ttl_seconds: float = 60.0
    response_cache_stale_seconds: float = 0.5
    cache_max_age_seconds: int = 0
    facet_index: bool = True
    safelist: bool = False
    max_body_bytes: int = 4 * 2**20
    max_query_cost: int = 5_000
    production: bool = False
    planned_execution: bool = True
    rate_anonymous: tuple[float, float] = (10_000.0, 1_000.0)
    rate_client: tuple[float, float] = (20_000.0, 2_000.0)
    rate_portal: tuple[float, float] = (100_000.0, 10_000.0)
    cors_origins: tuple[str, ...] = ()
    embed_frame_ancestors: tuple[str, ...] = ("*",)
    drain_seconds: float = 20.0
    stale_after_days: int = 365
    export_dir: Path | None = None
    export_jurisdictions: tuple[str, ...] = EXPORT_JURISDICTIONS
    export_debounce_seconds: float = 5.0
    exports_per_caller: int = 2

    @property
    def idempotency_lease_seconds(self) -> float:
        """How long an unanswered Idempotency-Key claim is presumed alive: a request's
        statements are bounded by the statement timeout, its wait for a connection by the
        pool timeout; past twice that, its process has died."""
        return 2 * self.statement_timeout_ms / 1000 + self.pool_timeout_seconds

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read the settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            read_database_urls=tuple(
                url.strip() for url in (env.get("READ_DATABASE_URL") or "").split(",") if url.strip()
            ),
            data_dir=Path(env.get("MICROCRED_DATA_DIR") or ".microcred"),
            server_timing=_flag(env.get("MICROCRED_SERVER_TIMING"), False),
            pool_min_size=int(env.get("MICROCRED_POOL_MIN", "2")),
            pool_max_size=int(env.get("MICROCRED_POOL_MAX", "10")),
            statement_timeout_ms=int(env.get("MICROCRED_STATEMENT_TIMEOUT_MS", "15000")),
            lock_timeout_ms=int(env.get("MICROCRED_LOCK_TIMEOUT_MS", "5000")),
            idle_in_transaction_ms=int(env.get("MICROCRED_IDLE_IN_TRANSACTION_MS", "30000")),
            pool_timeout_seconds=float(env.get("MICROCRED_POOL_TIMEOUT", "5")),
            issuer=env.get("MICROCRED_ISSUER") or "http://127.0.0.1:8000",
            audience=env.get("MICROCRED_AUDIENCE") or "microcred-registry",
            token_lifetime_seconds=int(env.get("MICROCRED_TOKEN_LIFETIME", "3600")),
            secret_key=env.get("MICROCRED_SECRET_KEY") or None,
            secret_key_file=Path(env["MICROCRED_SECRET_KEY_FILE"]) if env.get("MICROCRED_SECRET_KEY_FILE") else None,
            trusted_issuers=TrustedIssuer.from_json(env["MICROCRED_TRUSTED_ISSUERS"])
            if env.get("MICROCRED_TRUSTED_ISSUERS")
            else (),
            webhooks_allow_loopback=_flag(env.get("MICROCRED_WEBHOOKS_ALLOW_LOOPBACK"), False),
            webhooks_allow_private=_flag(env.get("MICROCRED_WEBHOOKS_ALLOW_PRIVATE"), False),
            credential_engine_api_key=env.get("MICROCRED_CREDENTIAL_ENGINE_API_KEY") or None,
            webhook_retry_base_seconds=float(env.get("MICROCRED_WEBHOOK_RETRY_BASE", "30")),
            response_cache_bytes=int(env.get("MICROCRED_RESPONSE_CACHE_BYTES", str(64 * 2**20))),
            response_cache_ttl_seconds=float(env.get("MICROCRED_RESPONSE_CACHE_TTL", "60")),
            response_cache_stale_seconds=float(env.get("MICROCRED_RESPONSE_CACHE_STALE", "0.5")),
            cache_max_age_seconds=int(env.get("MICROCRED_CACHE_MAX_AGE", "0")),
            facet_index=_flag(env.get("MICROCRED_FACET_INDEX"), True),
            safelist=_flag(env.get("MICROCRED_SAFELIST"), False),
            max_body_bytes=int(env.get("MICROCRED_MAX_BODY_BYTES", str(4 * 2**20))),
            max_query_cost=int(env.get("MICROCRED_MAX_QUERY_COST", "5000")),
            production=_flag(env.get("MICROCRED_PRODUCTION"), False),
            planned_execution=_flag(env.get("MICROCRED_PLANNED_EXECUTION"), True),
            rate_anonymous=_pair(env.get("MICROCRED_RATE_ANONYMOUS") or "10000,1000"),
            rate_client=_pair(env.get("MICROCRED_RATE_CLIENT") or "20000,2000"),
            rate_portal=_pair(env.get("MICROCRED_RATE_PORTAL") or "100000,10000"),
            cors_origins=tuple(o.strip() for o in (env.get("MICROCRED_CORS_ORIGINS") or "").split(",") if o.strip()),
            embed_frame_ancestors=frame_ancestors(env.get("MICROCRED_EMBED_FRAME_ANCESTORS")),
            drain_seconds=float(env.get("MICROCRED_DRAIN_SECONDS", "20")),
            stale_after_days=int(env.get("MICROCRED_STALE_AFTER_DAYS", "365")),
            export_dir=Path(env["MICROCRED_EXPORT_DIR"]) if env.get("MICROCRED_EXPORT_DIR") else None,
            export_jurisdictions=tuple(j.strip() for j in env["MICROCRED_EXPORT_JURISDICTIONS"].split(",") if j.strip())
            if "MICROCRED_EXPORT_JURISDICTIONS" in env
            else EXPORT_JURISDICTIONS,
            export_debounce_seconds=float(env.get("MICROCRED_EXPORT_DEBOUNCE", "5")),
            exports_per_caller=int(env.get("MICROCRED_EXPORTS_PER_CALLER", "2")),
        )
