"""The pages in a real browser: headless Chromium (Debian's package) driven by Playwright,
against a real `microcred serve` on the demo data. Each test keeps a screenshot; with
MICROCRED_SCREENSHOTS=docs/screenshots (`make screenshots`) they become the README's."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from tests.support import demo_oracle as oracle
from tests.support.file_server import file_server
from tests.support.processes import process_env, serve_process

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Headless in a sandbox as root, and quiet on a machine without Internet access.
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("MICROCRED_SCREENSHOTS") or tempfile.mkdtemp(prefix="microcred-screens-"))


@pytest.fixture(scope="module")
def site(demo_dsn):
    # Every page here comes from one address, one after another, faster than a person browses:
    # a page's operation is charged its requested cost (a search page about 2,200 points), and
    # the default anonymous budget (10,000, 1,000 a second) answered "busy" part way through.
    unlimited = "1e12,1e12"
    with serve_process(process_env(DATABASE_URL=demo_dsn, MICROCRED_RATE_ANONYMOUS=unlimited), "--no-demo") as served:
        yield served.base


@pytest.fixture(scope="module")
async def browser():
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    opened = await context.new_page()
    yield opened
    await context.close()


async def shoot(page, name: str, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page)


def api_total(site: str, filter_: dict | None = None, query: str | None = None) -> int:
    response = httpx.post(
        f"{site}/graphql",
        json={
            "query": "query($f: CredentialFilter, $q: String) { searchCredentials(filter: $f, query: $q) { totalCount } }",
            "variables": {"f": filter_, "q": query},
        },
        timeout=30,
    )
    return response.json()["data"]["searchCredentials"]["totalCount"]


def heading(page):
    return page.locator("#results-heading")


async def test_a_learner_finds_a_recognised_online_micro_credential_in_french(site, page):
    await page.goto(f"{site}/fr/")
    await expect(page.locator("html")).to_have_attribute("lang", "fr")
    # The stylesheet loads under the pages' content security policy.
    await expect(page.locator("header.site")).to_have_css("background-color", "rgb(29, 79, 145)")
    await page.get_by_role("link", name="Titres reconnus seulement").click()
    await page.locator("[data-facet=mode]", has_text="En ligne").click()
    await page.locator("[data-facet=type]", has_text="Microtitre").click()
    expected = api_total(
        site, {"recognized": True, "deliveryModes": ["ONLINE"], "credentialTypes": ["MICRO_CREDENTIAL"]}
    )
    await expect(heading(page)).to_have_text(f"{expected} résultats")
    await shoot(page, "search-fr")
    await page.locator(".card h3 a").first.click()
    await expect(page.locator(".credential .badge")).to_have_text("Reconnu")
    await expect(page.locator(".facts")).to_contain_text("En ligne")
    await expect(page.locator("html")).to_have_attribute("lang", "fr")
    await shoot(page, "credential-fr", full_page=True)


async def test_words_are_searched_in_french(site, page):
    await page.goto(f"{site}/fr/")
    await page.get_by_label("Que voulez-vous apprendre?").fill("gestion")
    await page.get_by_role("button", name="Rechercher").click()
    await expect(page).to_have_url(f"{site}/fr/?q=gestion&sort=RELEVANCE")
    await expect(heading(page)).to_have_text(f"{api_total(site, query='gestion')} résultats")


async def test_words_and_facets_are_applied_and_removed_in_english(site, page):
    await page.goto(f"{site}/")
    await page.get_by_label("What do you want to learn?").fill("data")
    await page.get_by_label("What do you want to learn?").press("Enter")
    await expect(page).to_have_url(f"{site}/?q=data&sort=RELEVANCE")  # the form sends its order too
    await expect(heading(page)).to_have_text(f"{api_total(site, query='data')} results")
    await page.locator("[data-facet=mode]", has_text="Online").click()
    await expect(page).to_have_url(f"{site}/?q=data&mode=ONLINE")
    await expect(heading(page)).to_have_text(f"{api_total(site, {'deliveryModes': ['ONLINE']}, 'data')} results")
    await expect(page.locator("[data-facet=mode][aria-current=true]")).to_contain_text("Online")
    await shoot(page, "search-en")
    await page.locator(".chips .chip", has_text="Online").click()
    await expect(page).to_have_url(f"{site}/?q=data")
    await expect(heading(page)).to_have_text(f"{api_total(site, query='data')} results")


async def test_pages_go_forward_and_back_and_the_back_button_retraces_them(site, page):
    await page.goto(f"{site}/?sort=TITLE")
    first_title = await page.locator(".card h3 a").first.inner_text()
    await page.get_by_role("link", name="Next page").click()
    await expect(page.locator(".pages span")).to_have_text("2")
    second_title = await page.locator(".card h3 a").first.inner_text()
    assert second_title != first_title
    await page.get_by_role("link", name="Previous page").click()
    await expect(page.locator(".card h3 a").first).to_have_text(first_title)
    await page.go_back()
    await expect(page.locator(".card h3 a").first).to_have_text(second_title)


async def test_the_statistics_page_draws_its_charts_from_the_public_query(site, page):
    stats = httpx.post(
        f"{site}/graphql", json={"query": "{ registryStatistics { byProvince { value count } } }"}, timeout=30
    ).json()["data"]["registryStatistics"]
    await page.goto(f"{site}/statistics")
    await expect(page.locator("svg[role=img]")).to_have_count(5)
    await page.locator("summary").first.click()
    first_row = page.locator("figure").first.locator("tbody tr").first
    await expect(first_row.locator("td")).to_have_text(f"{stats['byProvince'][0]['count']:,}")
    await shoot(page, "statistics", full_page=True)


@pytest.mark.parametrize(
    "path", ["/", "/fr/statistics", "/compare?ids={listing}&ids={stacked}", "/embed/search", "/fr/professions/33102"]
)
async def test_a_phone_width_needs_no_sideways_scrolling(site, browser, path):
    context = await browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    phone = await context.new_page()
    await phone.goto(f"{site}{path.format(listing=_shared_listing(), stacked=_stacked_listing())}")
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 375
    await context.close()


async def test_the_keyboard_reaches_the_results_through_the_skip_link(site, page):
    await page.goto(f"{site}/")
    await page.keyboard.press("Tab")
    await expect(page.locator(":focus")).to_have_text("Skip to the results")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.closest('#results') !== null")


@pytest.mark.parametrize(
    ("path", "place_label", "within_label", "button", "results"),
    [
        ("/", "Place or postal code", "Within", "Show what is near", "results"),
        ("/fr/", "Lieu ou code postal", "Dans un rayon de", "Afficher ce qui est proche", "résultats"),
    ],
)
async def test_a_learner_searches_near_a_place_by_keyboard_in_either_language(
    site, page, path, place_label, within_label, button, results
):
    await page.goto(f"{site}{path}?sort=TITLE")
    await page.get_by_label(place_label).fill("Sudbury, ON")
    await page.get_by_label(within_label).select_option("250")
    await page.get_by_role("button", name=button).focus()
    await page.keyboard.press("Enter")
    expected = api_total(site, {"near": {"place": "Sudbury, ON", "withinKm": 250}})
    assert expected > 1
    await expect(heading(page)).to_have_text(f"{expected:,}".replace(",", "\u202f") + f" {results}")
    assert "sort=TITLE" in page.url  # the rest of the search stays
    await page.get_by_label(place_label).fill("Atlantis")
    await page.get_by_role("button", name=button).click()
    await expect(page.get_by_role("alert")).to_contain_text("Atlantis")
    await expect(heading(page)).to_have_text(f"{api_total(site):,}".replace(",", "\u202f") + f" {results}")
    await shoot(page, f"search-near-{path.strip('/') or 'en'}")


async def test_a_college_site_of_another_origin_frames_the_embed_but_not_the_search_page(site, page):
    with file_server() as college:
        college.files["/index.html"] = (
            '<!doctype html><html lang="en"><head><title>A college</title></head><body><h1>Our programs</h1>'
            f'<iframe title="Micro-credentials in Ontario" src="{site}/embed/search?region=CA-ON"></iframe>'
            f'<iframe title="The whole registry" src="{site}/"></iframe></body></html>'
        ).encode()
        assert college.base.rsplit(":", 1)[-1] != site.rsplit(":", 1)[-1]  # another origin: another port
        await page.goto(college.url("/index.html"), wait_until="load")  # the frames loaded, or were refused
        embed = page.frame_locator('iframe[title="Micro-credentials in Ontario"]')
        await expect(embed.locator("h1")).to_have_text("Micro-credentials")
        await expect(embed.locator("ol.embed-list > li")).to_have_count(10)
        refused = page.frame_locator('iframe[title="The whole registry"]')
        await expect(refused.locator("header.site")).to_have_count(0)
        await shoot(page, "embed-in-another-site")


@pytest.mark.parametrize(
    ("path", "add", "view", "heading"),
    [
        ("/?q=data", "Add to comparison", "Compare the 2 chosen listings", "Compare listings"),
        ("/fr/?q=donn%C3%A9es", "Ajouter à la comparaison", "Comparer les 2 titres choisis", "Comparer des titres"),
    ],
)
async def test_a_learner_compares_two_results_by_keyboard_in_either_language(site, page, path, add, view, heading):
    await page.goto(f"{site}{path}")
    for _ in range(2):  # the first result not chosen yet, each time
        await page.get_by_role("link", name=add).first.focus()
        await page.keyboard.press("Enter")
        await page.wait_for_load_state()
    await page.get_by_role("link", name=view).focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    await expect(page.locator("thead th[scope=col]")).to_have_count(3)  # the labels' column and two listings
    await shoot(page, f"compare-{'fr' if path.startswith('/fr') else 'en'}", full_page=True)


@pytest.mark.parametrize(
    ("path", "words", "suggestions", "occupation", "recognised"),
    [
        (
            "/fr/",
            "préposé aux bénéficiaires",
            "Professions correspondant à vos mots",
            "Aides-infirmiers/aides-infirmières, aides-soignants/aides-soignantes et préposés/préposées aux bénéficiaires",
            "Titres reconnus pour cette profession",
        ),
        ("/", "welder", "Occupations matching your words", "Welders and related machine operators",
         "Recognised credentials for this occupation"),
    ],
)  # fmt: skip
async def test_a_worker_types_a_job_title_and_reaches_recognised_credentials_for_it_by_keyboard(
    site, page, path, words, suggestions, occupation, recognised
):
    await page.goto(f"{site}{path}")
    await page.locator("#q").focus()
    await page.keyboard.type(words)
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    offered = page.get_by_role("navigation", name=suggestions).get_by_role("link").first
    await expect(offered).to_contain_text(occupation)
    await offered.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(occupation)
    first_recognised = page.locator("section.recognised ol.cards > li").first
    await expect(first_recognised.locator(".badge")).to_be_visible()
    await shoot(page, f"occupation-{'fr' if path.startswith('/fr') else 'en'}")
    await first_recognised.get_by_role("link").first.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("link", name=occupation)).to_be_visible()  # the listing leads back to it


# axe-core (npm, installed by `make install`), run in Chromium over every page: no WCAG 2.2 A
# or AA violation, nor any of its best practices. The pages' policy forbids every script, so
# the checking context bypasses it to inject axe; the pages stay as they are served.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def _shared_listing() -> str:
    """A published demo listing with much to show: delivery partners, offerings, recognitions."""
    listings = oracle.listings()
    shared = {credential for credential, _, _ in listings.partners}
    offered = {offering.credential_id for offering in listings.offerings}
    recognised = {r.credential_id for r in listings.recognitions}
    chosen = next(c for c in oracle.published() if c.id in shared and c.id in offered and c.id in recognised)
    return oracle.gid("Credential", chosen.id)


def _stacked_listing() -> str:
    """A published demo listing in the middle of a stack: it links to one and one links to it."""
    links = oracle.listings().links
    sources, targets = {link.from_id for link in links}, {link.to_id for link in links}
    chosen = next(c for c in oracle.published() if c.id in sources and c.id in targets)
    return oracle.gid("Credential", chosen.id)


EVERY_PAGE = [
    "/",
    "/fr/",
    "/?mode=ONLINE&recognized=yes&cost=500&starts=90",
    "/fr/?near=Sudbury%2C%20ON&km=100&sort=NEAREST",
    "/?near=Atlantis",
    "/?deliverer={provider}",
    "/credentials/{listing}",
    "/fr/credentials/{listing}",
    "/credentials/{stacked}",
    "/fr/credentials/{stacked}",
    "/statistics",
    "/fr/statistics",
    "/?after=not-a-cursor",
    "/no-such-page",
    "/fr/no-such-page",
    "/embed/search?region=CA-ON",
    "/compare?ids={listing}&ids={stacked}",
    "/fr/comparer?ids={listing},{stacked}",
    "/?q=data&compare={listing}",
    "/fr/embed/search?q=soudage",
    "/occupations/72106",
    "/fr/professions/33102",
    "/occupations/33102?by={authority}",
    "/fr/?q=pr%C3%A9pos%C3%A9%20aux%20b%C3%A9n%C3%A9ficiaires",
]


@pytest.fixture(scope="module")
async def checker(browser):
    assert AXE.is_file(), f"{AXE} is missing: `make install` runs `npm ci`, which installs axe-core"
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield await context.new_page()
    await context.close()


@pytest.mark.parametrize("path", EVERY_PAGE)
async def test_axe_core_finds_no_accessibility_violation_on_any_page(site, checker, path):
    provider = oracle.gid("Provider", oracle.listings().partners[0][1])
    authority = oracle.gid("RecognitionAuthority", oracle.ref().authorities[0].id)
    ids = {"listing": _shared_listing(), "stacked": _stacked_listing(), "provider": provider, "authority": authority}
    await checker.goto(f"{site}{path.format(**ids)}")
    await checker.add_script_tag(path=AXE)
    found = await checker.evaluate(
        "tags => axe.run(document, { runOnly: { type: 'tag', values: tags } })"
        ".then(r => r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target).join(', ')}`))",
        AXE_TAGS,
    )
    assert found == [], "\n".join(found)
