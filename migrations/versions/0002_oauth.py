"""OAuth 2.0: clients, signing keys, revoked tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from registry.migrate import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UP = r"""
create type client_binding as enum ('PROVIDER', 'AUTHORITY', 'ADMIN');

-- Machine clients. The secret is stored only as its SHA-256: secrets are 256 random bits,
-- so a fast hash is as safe as a slow one and keeps the token endpoint fast.
create table oauth_clients (
  client_id text primary key check (client_id ~ '^mc_[A-Za-z0-9_-]{16,64}$'),
  name text not null check (length(btrim(name)) between 1 and 200),
  secret_sha256 bytea not null check (length(secret_sha256) = 32),
  binding client_binding not null,
  provider_id uuid references providers (id),
  authority_id uuid references recognition_authorities (id),
  scopes text[] not null check (cardinality(scopes) > 0
    and scopes <@ array['credentials:write', 'credentials:publish', 'recognitions:write',
                        'webhooks:manage', 'registry:admin']),
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  check ((binding = 'PROVIDER') = (provider_id is not null)),
  check ((binding = 'AUTHORITY') = (authority_id is not null)),
  check (binding = 'ADMIN' or not ('registry:admin' = any(scopes)))
);

-- Token signing keys. The private key is encrypted with the registry's secret key; tokens
-- signed by a retired key keep validating until they expire.
create table signing_keys (
  kid text primary key,
  algorithm text not null check (algorithm in ('ES256', 'RS256')),
  public_jwk jsonb not null,
  private_key_encrypted bytea not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);

create table revoked_tokens (
  jti text primary key,
  client_id text not null references oauth_clients (client_id),
  expires_at timestamptz not null,
  revoked_at timestamptz not null default now()
);
create index revoked_tokens_expiry on revoked_tokens (expires_at);
"""

DOWN = r"""
drop table if exists revoked_tokens, signing_keys, oauth_clients;
drop type if exists client_binding;
"""


def upgrade() -> None:
    execute_script(UP)


def downgrade() -> None:
    execute_script(DOWN)
