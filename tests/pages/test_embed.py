"""The embed: a compact, script-free result list other sites may frame; every other page still
refuses to be framed. (The browser test frames it from another origin: test_browser.py.)"""

from __future__ import annotations

import dataclasses
import re

import pytest

from registry.config import Settings, frame_ancestors
from tests.support import demo_oracle as oracle
from tests.support.apps import SETTINGS, api_client
from tests.support.graphql import data

NEWEST = """
query($f: CredentialFilter) { searchCredentials(filter: $f, orderBy: NEWEST, first: 10) { totalCount nodes { id } } }
"""


def _ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]+)", response.headers["content-security-policy"]).group(1)


async def test_the_embed_lists_a_province_s_newest_listings_and_any_site_may_frame_it(demo_client):
    embed = await demo_client.get("/embed/search?region=CA-ON")
    assert embed.status_code == 200 and _ancestors(embed) == "*"
    assert "x-frame-options" not in embed.headers and "script" not in embed.headers["content-security-policy"]
    expected = (await data(demo_client, NEWEST, {"f": {"regions": ["CA-ON"]}}))["searchCredentials"]
    shown = re.findall(r'<a href="/credentials/([^"]+)" target="_blank" rel="noopener">', embed.text)
    assert shown == [node["id"] for node in expected["nodes"]]
    assert f"All {expected['totalCount']:,}".replace(",", "\u202f") in embed.text
    assert 'href="/?region=CA-ON"' in embed.text


async def test_a_provider_s_embed_in_french_links_to_french_pages(demo_client):
    provider = oracle.gid("Provider", oracle.published()[0].provider_id)
    embed = await demo_client.get(f"/fr/embed/search?deliverer={provider}")
    assert '<html lang="fr">' in embed.text and "/fr/credentials/" in embed.text


@pytest.mark.parametrize("path", ["/", "/fr/", "/statistics", "/no-such-page", "/feeds/search.atom"])
async def test_every_other_page_refuses_to_be_framed(demo_client, path):
    page = await demo_client.get(path)
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors" not in page.headers.get("content-security-policy", "") or _ancestors(page) == "'none'"


async def test_operators_choose_which_sites_may_frame_the_embed(demo_dsn):
    chosen = dataclasses.replace(SETTINGS, embed_frame_ancestors=("https://portal.example.ca", "https://*.college.ca"))
    async with api_client(demo_dsn, chosen) as client:
        embed = await client.get("/embed/search")
    assert _ancestors(embed) == "https://portal.example.ca https://*.college.ca"


@pytest.mark.parametrize("value", ["'none'; script-src *", "javascript:", "https://a.ca/path'"])
def test_a_frame_ancestors_setting_that_is_not_a_source_list_is_refused(value):
    with pytest.raises(ValueError, match="MICROCRED_EMBED_FRAME_ANCESTORS"):
        frame_ancestors(value)


def test_the_setting_reads_sources_separated_by_spaces_or_commas():
    assert frame_ancestors("https://a.ca, https://b.ca  'self'") == ("https://a.ca", "https://b.ca", "'self'")
    assert Settings.from_env({"DATABASE_URL": "postgresql://x/y"}).embed_frame_ancestors == ("*",)
