"""What every resolver of one request can reach: the database, the viewer, the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from starlette.datastructures import State
from starlette.types import Scope

from auth.resource import SCOPE_KEY
from auth.tokens import AccessToken
from registry.api.loaders import Loaders
from registry.config import Settings
from registry.db import Database, Executor
from registry.domain.principals import visibility_of
from registry.domain.search import Visibility
from registry.read_routing import ReadRouter
from registry.services.facet_index import LiveFacetIndex

SUB_RESPONSE = "registry.sub_response"  # the ASGI scope key of the response whose status resolvers may set


@dataclass
class Context:
    """The context object of one GraphQL request.

    ``primary`` is the primary database: writes go there (services open their transactions
    on it), and reads that must not lag. ``db`` is where the request reads: the primary, or
    for a query a replica the read router chose (see ReadRouting).
    """

    primary: Database
    access: AccessToken | None = None
    settings: Settings = field(default_factory=Settings)
    # The host's date: recognitions' "in force today", as their SQL compares with current_date.
    today: date = field(default_factory=date.today)
    # The request's instant: an offering's "today" is the date it makes where the offering runs
    # (domain/local_dates.py), as the searches' SQL reads it (store/search.py, _today).
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    router: ReadRouter | None = None
    scope: Scope = field(default_factory=dict)  # the request's ASGI scope, for what the HTTP layers log
    facet_index: LiveFacetIndex | None = None  # the process's facet index (None: PostgreSQL counts)
    document_cost: int = 0  # asked (charged unless refused) for parsing a new document (api/throttle.py)
    throttle_status: dict | None = None  # the caller's bucket after the request's last charge (api/throttle.py)
    db: Executor = field(init=False)
    viewer: Visibility = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.db = self.primary
        self.viewer = visibility_of(self.access)
        self.loaders = Loaders(self.db, self.viewer)

    @classmethod
    def of_request(cls, scope: Scope, state: State) -> Context:
        """The context of a request (its ASGI ``scope``) to the app whose ``state`` holds the
        database, settings and read router: the same for /graphql and for the pages."""
        return cls(
            primary=state.db,
            access=scope.get(SCOPE_KEY),
            settings=state.settings,
            router=state.router,
            scope=scope,
            facet_index=state.facet_index,
        )

    def set_status(self, status: int, headers: dict[str, str]) -> None:
        """Answer with HTTP ``status`` (and ``headers``) instead of 200."""
        response = self.scope.get(SUB_RESPONSE)
        if response is not None:
            response.status_code = status
            response.headers.update(headers)

    def read_from(self, db: Executor) -> None:
        """Send this request's reads (and its loaders') to ``db``."""
        self.db = db
        self.loaders = Loaders(db, self.viewer)
