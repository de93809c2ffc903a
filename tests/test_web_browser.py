"""The dashboard in headless Chromium (Playwright) against a real uvicorn server on
127.0.0.1: map, panel, year and domain, shared URL, CSV download, language, keyboard,
escaping of names, and axe-core (no serious or critical violations).

Skipped when Playwright or Chromium (/usr/bin/chromium, Debian package ``chromium``) is
absent. Screenshots go to $BUURTBALANS_SCREENSHOTS (default: the test's tmp folder)."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

pytest.importorskip("fastapi")
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=60_000)  # a buurt's profile is one index run: slow on a busy CI

CHROMIUM = os.environ.get("BUURTBALANS_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "web_assets" / "axe.min.js"
EVIL = '<img src=x onerror="window.__xss=1">Haven'
THIN = "BU99990501"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args: list[str]) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "buurtbalans", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode())  # type: ignore[union-attr]
            try:
                httpx.get(base + "/api/v1/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server(demo_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo store with one buurt renamed to an HTML snippet, served by the CLI."""
    path = tmp_path_factory.mktemp("web") / "store.duckdb"
    shutil.copy(demo_store_path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE areas SET name = ? WHERE code = 'BU99990601'", [EVIL])
        con.execute(  # one buurt without income data in 2024: "onvoldoende gegevens"
            "DELETE FROM observations WHERE area_code = ? AND period = 2024 AND indicator IN "
            "('p_hh_li', 'p_hh_lkk', 'g_hh_sti', 'r_bijstand')",
            [THIN],
        )
    yield from _serve(["--store", str(path)])


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("BUURTBALANS_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _ready(page) -> None:
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)


def _axe(page, label: str) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{label}: {bad}"


def test_serve_demo_starts_and_serves_voorbeeldstad() -> None:
    for base in _serve(["--demo"]):
        gms = httpx.get(base + "/api/v1/gemeenten", timeout=30).json()
        assert [g["naam"] for g in gms] == ["Voorbeeldstad"]
        assert httpx.get(base + "/", timeout=30).status_code == 200
        assert httpx.get(base + "/static/vendor/leaflet-1.9.4/leaflet.js").status_code == 200


def test_dashboard_walkthrough(server: str, browser, shots: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    external: list[str] = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(server) else None,
    )
    page.goto(server + "/")
    _ready(page)
    assert "SYNTHETISCHE DEMODATA" in page.locator("#banner").inner_text()
    paths = page.locator("#map path.leaflet-interactive")
    assert paths.count() == 60
    # click a buurt → the panel
    page.locator("#ranking button[data-code='BU99991001']").click()
    expect(page.locator("#panel h2")).to_have_text("Oud Molen")
    panel = page.locator("#panel")
    assert "Domeinscores" in panel.inner_text()
    assert panel.locator(".bars li").count() == 7
    assert "Onderliggende indicatoren" in panel.inner_text()
    assert "Verandering sinds 2015" in panel.inner_text()
    # a buurt without enough data says so, and has no score or rank
    page.locator(f"#ranking button[data-code='{THIN}']").click()
    expect(page.locator("#panel .status-warn")).to_contain_text("onvoldoende gegevens")
    page.select_option("#f-view", "coverage")
    assert "onvoldoende gegevens" in page.locator("#legend").inner_text()
    thin = page.locator("#map path[aria-label*='onvoldoende gegevens']")
    assert thin.count() == 1
    page.screenshot(path=str(shots / "dashboard-dekking.png"), full_page=False)
    page.select_option("#f-view", "score")
    paths.nth(10).click()
    expect(page.locator("#panel h2")).not_to_have_text("Oud Zuid")
    # keyboard: focus a buurt on the map and press Enter
    target = paths.nth(5)
    name = target.get_attribute("aria-label").split(":")[0]
    target.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#panel h2")).to_have_text(name)
    expect(page.locator("#panel h2")).to_be_focused()  # focus moves to the panel
    page.screenshot(path=str(shots / "dashboard-kaart.png"), full_page=False)
    # switch year and domain; the URL follows
    page.select_option("#f-jaar", "2020")
    expect(page.locator("#ranking h2")).to_contain_text("2020")
    page.select_option("#f-view", "d:werk")
    assert "Werk" in page.locator("#map-title").inner_text()
    page.select_option("#f-view", "change")
    assert "2015–2020" in page.locator("#map-title").inner_text()
    page.select_option("#f-view", "coverage")
    assert "onvoldoende gegevens" in page.locator("#legend").inner_text()
    page.select_option("#f-view", "d:werk")
    # HTML in a name is shown as text, never run
    page.locator("#ranking button[data-code='BU99990601']").click()
    expect(page.locator("#panel h2")).to_have_text(EVIL)
    assert page.evaluate("() => window.__xss") is None
    url = page.url
    assert "jaar=2020" in url and "weergave=d%3Awerk" in url and "buurt=BU99990601" in url
    # a CSV download
    with page.expect_download() as dl:
        page.locator("#ranking a", has_text="Download CSV (ranglijst)").click()
    with Path(dl.value.path()).open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][:3] == ["area_code", "name", "period"]
    assert len(table) == 61
    # the shared URL restores the view in a fresh page
    other = context.new_page()
    other.goto(url)
    _ready(other)
    assert other.locator("#f-jaar").input_value() == "2020"
    assert other.locator("#f-view").input_value() == "d:werk"
    expect(other.locator("#panel h2")).to_have_text(EVIL)
    # English
    other.locator("#lang").click()
    assert other.locator("html").get_attribute("lang") == "en"
    assert "Map shows" in other.locator("#controls").inner_text()
    # the other views
    page.locator("#t-prioriteiten").click()
    page.wait_for_selector("#p-prioriteiten table")
    prio = page.locator("#p-prioriteiten").inner_text()
    assert "hoogste MDI-score" in prio and "hoogste_score" not in prio
    page.locator("#t-veerkracht").click()
    page.wait_for_selector("#vklegend li")
    assert page.locator("#vkmap path.leaflet-interactive").count() == 60
    page.screenshot(path=str(shots / "dashboard-veerkracht.png"), full_page=False)
    page.locator("#t-benchmark").click()
    page.wait_for_selector("#p-benchmark table")  # the demo's synthetic peer gemeenten
    assert "Voorbeeldgemeente" in page.locator("#p-benchmark").inner_text()
    page.locator("#t-bronnen").click()
    page.wait_for_selector("#p-bronnen table")
    assert not errors, errors
    assert not external, external  # no CDN, no tiles, nothing remote
    context.close()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?tab=prioriteiten",
        "?tab=veerkracht&taal=en",
        "?weergave=change&buurt=BU99990102&tab=bronnen",
    ],
)
def test_axe_finds_no_serious_violation(server: str, browser, query: str) -> None:
    # axe is injected as an inline script, which the page's CSP rightly forbids
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(server + "/" + query)
    _ready(page)
    page.wait_for_timeout(500)
    _axe(page, query or "kaart")
    context.close()


def test_focus_is_visible(server: str, browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/")
    _ready(page)
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # language button
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.id, s.outlineStyle, s.outlineWidth]; })()"
    )
    assert style[0] == "lang" and style[1] != "none" and style[2] != "0px"
    context.close()


TABS = ("kaart", "prioriteiten", "veerkracht", "benchmark", "stad", "bronnen")
RAW = r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\bNone\b|\bnan\b|\bnull\b|undefined|\[object|\['"
# visible text of the open tab: cells, headings, paragraphs, list items, options
VISIBLE = """() => [...document.querySelectorAll(
    '[role=tabpanel]:not([hidden]) :is(td, th, p, h2, h3, li, dt, dd, caption, a, option),'
    + ' #controls :is(label, option), .tabs [role=tab]')]
  .filter((n) => n.offsetParent !== null).map((n) => n.textContent.trim()).filter(Boolean)"""
OVERFLOW = """() => ({page: document.documentElement.scrollWidth,
  boxes: [...document.querySelectorAll('.tablewrap')].filter((w) => w.offsetParent
    && w.scrollWidth > w.clientWidth + 1).map((w) => w.getAttribute('aria-label'))})"""
# words of a visible table heading drawn on more than one line: broken inside the word
BROKEN = r"""() => { const out = [];
  for (const th of document.querySelectorAll('[role=tabpanel]:not([hidden]) th')) {
    if (th.offsetParent === null) continue;
    const walk = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let t = walk.nextNode(); t; t = walk.nextNode()) {
      const re = /\S+/g; let m;
      while ((m = re.exec(t.data))) {
        const r = document.createRange();
        r.setStart(t, m.index); r.setEnd(t, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0)
          .map((x) => Math.round(x.top)));
        if (tops.size > 1) out.push(m[0]);
      }
    }
  }
  return out; }"""
OTHER = {
    "nl": r"\b(the|neighbourhoods?|municipality|residents|peers|yes|Download Excel \(ranking)\b",
    "en": r"\b(de|het|buurten?|gemeenten?|inwoners|ja|nee|geen|en|van|verbeterd)\b",
}
# proper names and table ids of the demo, which are the same in both languages
NAMES = (
    r"voorbeeldstad-[a-z]+|Voorbeeld(stad|gemeente [A-Z])|Oud en Nieuw|Oud |Hoog |Laag "
    r"|Midden |Nieuw |<img[^>]*>Haven"
)


@pytest.mark.parametrize("taal", ["nl", "en"])
def test_every_tab_in_both_languages(server: str, browser, shots: Path, taal: str) -> None:
    """Every tab at 1280 px: no raw ids or None/nan in any visible text, no word of the other
    language, no horizontal overflow (page or table), axe without serious violations."""
    import re

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for tab in TABS:
        page.goto(f"{server}/?taal={taal}&tab={tab}&buurt=BU99991001")
        _ready(page)
        page.wait_for_selector(f"body[data-tab='{tab}:{taal}']", timeout=120_000)
        texts = page.evaluate(VISIBLE)
        raw = sorted({x for x in texts if re.search(RAW, x)})
        assert not raw, f"{taal}/{tab}: {raw[:5]}"
        other = sorted(
            {x for x in texts if re.search(OTHER[taal], re.sub(NAMES, "", x), re.IGNORECASE)}
        )
        assert not other, f"{taal}/{tab} shows the other language: {other[:5]}"
        broken = page.evaluate(BROKEN)
        assert not broken, f"{taal}/{tab}: headings broken inside a word: {broken[:5]}"
        size = page.evaluate(OVERFLOW)
        assert size["page"] <= 1280 and not size["boxes"], f"{taal}/{tab}: {size}"
        page.screenshot(path=str(shots / f"dashboard-{taal}-{tab}.png"), full_page=True)
        _axe(page, f"{taal}/{tab}")
    assert not errors, errors
    context.close()


@pytest.fixture(scope="module")
def bare_server(demo_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo store without any boundaries."""
    path = tmp_path_factory.mktemp("bare") / "store.duckdb"
    shutil.copy(demo_store_path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM boundaries")
    yield from _serve(["--store", str(path)])


@pytest.mark.parametrize("taal", ["nl", "en"])
def test_without_boundaries_the_ranking_stays_and_the_map_says_why(
    bare_server: str, browser, taal: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{bare_server}/?taal={taal}&van=2024&jaar=2024")
    _ready(page)
    assert page.locator("#error").is_hidden()
    note = page.locator("#mapnote")
    expect(note).to_be_visible()
    assert ("grenzen" if taal == "nl" else "boundaries") in note.inner_text()
    assert "buurtbalans import file" in note.inner_text()
    assert page.locator("#ranking tbody tr").count() > 50
    page.close()
