"""The authorization server (authlib): token, revocation and introspection endpoints,
the JWKS and the RFC 8414 metadata document.

authlib's server is synchronous, and the registry's database is not: each request looks
its client up first, then hands authlib a server that already holds that client.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, InvalidScopeError, OAuth2Request, grants
from authlib.oauth2.rfc6749.errors import InvalidClientError, InvalidRequestError
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from auth import tokens
from auth.keys import Keys
from registry.config import Settings
from registry.db import Executor
from registry.domain.clients import is_client_id, secret_matches
from registry.store import oauth
from registry.store.oauth import ClientRecord

SCOPES = ["credentials:write", "credentials:publish", "recognitions:write", "webhooks:manage", "registry:admin"]
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class FormRequest(OAuth2Request):
    """An OAuth 2.0 request whose parameters came in a form body (RFC 6749 §3.2)."""

    def __init__(self, request: Request, form: dict[str, str]) -> None:
        super().__init__(method=request.method, uri=str(request.url), headers=request.headers)
        self._form = form
        self.payload = BasicOAuth2Payload(form)

    @property
    def args(self) -> dict:
        return dict(self._form)

    @property
    def form(self) -> dict:
        return self._form


class Client(ClientMixin):
    """An OAuth client as authlib sees it."""

    def __init__(self, record: ClientRecord) -> None:
        self.record = record

    def get_client_id(self) -> str:
        return self.record.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        """The requested scopes the client holds (all it holds when none are requested)."""
        if not scope:
            return " ".join(self.record.scopes)
        return " ".join(s for s in scope.split() if s in self.record.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return self.record.revoked_at is None and secret_matches(client_secret, self.record.secret_sha256)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """RFC 6749 §4.4, narrowing the requested scope to what the client holds."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def validate_token_request(self) -> None:
        super().validate_token_request()
        requested = self.request.payload.scope
        if requested and not self.request.client.get_allowed_scope(requested):
            raise InvalidScopeError("The client holds none of the requested scopes.")


class _Server(AuthorizationServer):
    """An authorization server for one request, holding the client that request names."""

    def __init__(self, client: ClientRecord | None, issue) -> None:
        super().__init__(scopes_supported=SCOPES)
        self._client = Client(client) if client else None
        self.register_grant(ClientCredentialsGrant)
        self.register_token_generator("client_credentials", issue)

    def query_client(self, client_id: str) -> Client | None:
        if self._client and self._client.get_client_id() == client_id:
            return self._client
        return None

    def save_token(self, token, request) -> None:
        """JWTs are self-contained: nothing to store."""

    def send_signal(self, name, *args, **kwargs) -> None:
        pass

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def handle_response(self, status: int, body: Any, headers) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers=dict(headers))


@dataclass
class OAuthEndpoints:
    """The HTTP endpoints of the authorization server, bound to a database and keys."""

    settings: Settings
    keys: Keys

    def _db(self, request: Request) -> Executor:
        return request.app.state.db

    async def _prepare(self, request: Request) -> tuple[OAuth2Request, ClientRecord | None]:
        """The request as authlib wants it, and the client it names (looked up now, while we may await)."""
        try:
            form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        except Exception as error:  # a malformed body is the client's error, not ours
            raise InvalidRequestError("The body must be application/x-www-form-urlencoded.") from error
        oauth_request = FormRequest(request, form)
        client_id = _client_id(request.headers.get("authorization"), form)
        client = await oauth.client_by_id(self._db(request), client_id) if client_id else None
        return oauth_request, client

    async def token(self, request: Request) -> Response:
        """POST /oauth/token: the client-credentials grant."""
        try:
            oauth_request, client = await self._prepare(request)
        except OAuth2Error as error:
            return error_response(error)
        ring = await self.keys.ring(self._db(request))

        def issue(grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=False):
            allowed = client.get_allowed_scope(scope).split()
            access_token, lifetime = tokens.issue(ring, self.settings, client.record, allowed)
            return {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": lifetime,
                "scope": " ".join(allowed),
            }

        return _Server(client, issue).create_token_response(oauth_request)

    async def revoke(self, request: Request) -> Response:
        """POST /oauth/revoke (RFC 7009): the client's own tokens only; 200 whatever the token."""
        try:
            oauth_request, client = await self._prepare(request)
        except OAuth2Error as error:
            return error_response(error)
        authenticated = self._authenticate(client, oauth_request, "revocation")
        if isinstance(authenticated, Response):
            return authenticated
        access = await self._verify(request, oauth_request.form.get("token", ""))
        if access is not None and access.client_id == authenticated.client_id:
            await oauth.revoke_token(self._db(request), access.jti, access.client_id, access.expires_at)
        return JSONResponse({}, headers=NO_STORE)

    async def introspect(self, request: Request) -> Response:
        """POST /oauth/introspect (RFC 7662): for clients with ``registry:admin``."""
        try:
            oauth_request, client = await self._prepare(request)
        except OAuth2Error as error:
            return error_response(error)
        authenticated = self._authenticate(client, oauth_request, "introspection")
        if isinstance(authenticated, Response):
            return authenticated
        if "registry:admin" not in authenticated.scopes:
            return JSONResponse(
                {"error": "access_denied", "error_description": "Introspection needs registry:admin."},
                status_code=403,
                headers=NO_STORE,
            )
        access = await self._verify(request, oauth_request.form.get("token", ""))
        if access is None:
            return JSONResponse({"active": False}, headers=NO_STORE)
        return JSONResponse(introspection(access, self.settings), headers=NO_STORE)

    async def jwks(self, request: Request) -> Response:
        """GET /.well-known/jwks.json: every key that may have signed a live token."""
        ring = await self.keys.ring(self._db(request))
        return JSONResponse(ring.jwks(), headers={"Cache-Control": "public, max-age=300"})

    async def metadata(self, request: Request) -> Response:
        """GET /.well-known/oauth-authorization-server (RFC 8414)."""
        base = self.settings.issuer.rstrip("/")
        return JSONResponse(
            {
                "issuer": self.settings.issuer,
                "token_endpoint": f"{base}/oauth/token",
                "jwks_uri": f"{base}/.well-known/jwks.json",
                "revocation_endpoint": f"{base}/oauth/revoke",
                "introspection_endpoint": f"{base}/oauth/introspect",
                "grant_types_supported": ["client_credentials"],
                "response_types_supported": [],
                "scopes_supported": SCOPES,
                "token_endpoint_auth_methods_supported": AUTH_METHODS,
                "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
                "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
                "service_documentation": f"{base}/graphql",
            }
        )

    def _authenticate(self, client: ClientRecord | None, oauth_request: OAuth2Request, endpoint: str):
        """The authenticated client, or the RFC 6749 error response."""
        server = _Server(client, None)
        try:
            return server.authenticate_client(oauth_request, AUTH_METHODS, endpoint).record
        except OAuth2Error as error:
            return error_response(error)

    async def _verify(self, request: Request, token: str) -> tokens.AccessToken | None:
        """The token if it is ours, valid and not revoked; None otherwise."""
        db = self._db(request)
        try:
            ring = await self.keys.ring(db, kid=tokens.unverified_kid(token))
            access = tokens.verify(ring, self.settings, token)
        except tokens.InvalidToken:
            return None
        standing = await oauth.token_standing(db, access.client_id, access.jti)
        return access if standing.client_ok and not standing.token_revoked else None


def error_response(error: OAuth2Error) -> JSONResponse:
    """An RFC 6749 §5.2 error as an HTTP response."""
    status, body, headers = error(None)
    return JSONResponse(dict(body), status_code=status, headers={**dict(headers), **NO_STORE})


def introspection(access: tokens.AccessToken, settings: Settings) -> dict:
    """The RFC 7662 answer for an active token."""
    body = {
        "active": True,
        "scope": " ".join(sorted(access.scopes)),
        "client_id": access.client_id,
        "sub": access.client_id,
        "token_type": "Bearer",
        "iss": access.issuer,
        "aud": settings.audience,
        "jti": access.jti,
        "iat": int(access.issued_at.timestamp()),
        "exp": int(access.expires_at.timestamp()),
    }
    if access.provider_id:
        body["provider_id"] = str(access.provider_id)
    if access.authority_id:
        body["authority_id"] = str(access.authority_id)
    return body


def _client_id(authorization: str | None, form: dict) -> str | None:
    """The client a request names, from HTTP Basic credentials, else from the form; None when
    it has not the form of a client ID (a NUL, say), so that only IDs that could exist are looked up."""
    basic = _basic_user(authorization)
    value = basic if basic is not None else form.get("client_id")
    return value if is_client_id(value) else None


def _basic_user(authorization: str | None) -> str | None:
    """The user of HTTP Basic credentials, read as authlib reads them; None without them.

    Raises InvalidClientError (401) for a header authlib's own reading would crash on (no
    credentials after the scheme, base64 that is not of UTF-8 text), before it gets to it.
    """
    if not authorization or " " not in authorization:
        return None
    parts = authorization.split(None, 1)
    if len(parts) != 2:
        raise _malformed_basic()
    scheme, token = parts
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token).decode()
    except ValueError as error:  # not base64 (binascii.Error), not ASCII, not UTF-8 (UnicodeDecodeError)
        raise _malformed_basic() from error
    return unquote(decoded.partition(":")[0])


def _malformed_basic() -> InvalidClientError:
    return InvalidClientError(
        status_code=401, description="HTTP Basic credentials must be base64 of UTF-8 `client_id:client_secret`."
    )
