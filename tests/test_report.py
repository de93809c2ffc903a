"""The report as a reader sees it: key numbers against the analysis tables, maps with
legends, PDF pages rendered to PNG, and the HTML in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from buurtbalans.report import build_report
from buurtbalans.sources.detect import import_path
from buurtbalans.store import Store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def demo_report(demo_store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("rapport")
    with Store(demo_store_path, read_only=True) as store:
        return build_report(store, "GM9999", 2015, 2024, uit=out, synthetic=True)


def _png_array(png: bytes) -> np.ndarray:
    import io

    import matplotlib.image as mpimg

    return mpimg.imread(io.BytesIO(png), format="png")


def test_findings_are_computed_from_the_analysis(demo_report):
    a = demo_report.analysis
    ch = a.change
    improved = int((ch["direction"] == "verbeterd").sum())
    first = demo_report.findings[0]
    assert f"laten {improved} van de {len(ch)} buurten een verbetering zien" in first
    f = a.flows
    assert f"ging van {f['toen']} in 2015 naar {f['nu']} in 2024" in demo_report.findings[1]
    top = ch[ch["class_2024"] == "zeer hoog"]["inwoners"].sum()
    share = round(100 * top / ch["inwoners"].sum())
    assert f"{share} % van de inwoners" in demo_report.findings[2]
    table = demo_report.tables["buurten"]
    scores = table["MDI 2024"].str.replace(",", ".").astype(float)
    assert len(table) == 60 and scores.is_monotonic_decreasing
    # names with the map number beside them, never codes
    assert not table["buurt"].str.startswith("BU").any() and table["nr."].str.isdigit().all()


def test_every_output_is_written_and_labelled(demo_report):
    files = demo_report.files
    assert {"html", "pdf", "xlsx", "gpkg", "run"} <= set(files)
    run = json.loads(files["run"].read_text())
    assert "bestaat niet" in run["let op"]
    assert run["report"]["vintage"] == 2022 and run["spec_hash"]
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(files["gpkg"])}
    assert layers == {"mdi", "veerkracht"}
    assert pyogrio.read_info(files["gpkg"], layer="mdi")["features"] == 60


def test_maps_have_legends_and_nothing_is_empty(demo_report):
    maps = [f for f in demo_report.figures if f.kind == "map"]
    assert len(maps) == 2 + 2 * 7 + 7  # score, change, 7 domains × (level, change), veerkracht
    for fig in demo_report.figures:
        img = _png_array(fig.png)
        assert img.shape[0] > 200 and img[..., :3].std() > 0.02, fig.title
        assert fig.n_drawn > 0
    assert all(f.has_legend and f.n_drawn == 60 for f in maps)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_pdf_pages_render_and_say_synthetic(demo_report, tmp_path):
    pdf = demo_report.files["pdf"]
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 8
    import matplotlib.image as mpimg

    for page in pages:
        assert mpimg.imread(page)[..., :3].std() > 0.01, page.name  # no blank pages
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    per_page = text.split("\f")[: len(pages)]
    assert all(p.count("SYNTHETISCHE DEMODATA") == 1 for p in per_page)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed")
def test_html_in_headless_chromium(demo_report, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(demo_report.files["html"].as_uri())
        images = page.evaluate("""() => [...document.images].map(i =>
            [i.alt, i.complete && i.naturalWidth > 0])""")
        assert images and all(ok for _alt, ok in images)
        legends = page.evaluate("""() => [...document.querySelectorAll(
            'figure[data-kind=map]')].map(f => f.dataset.legend)""")
        assert legends and set(legends) == {"true"}
        overlaps = page.evaluate("""() => {
            const bad = [];
            for (const row of document.querySelectorAll('table.tabel tr')) {
              const cells = [...row.children].map(c => [c, c.getBoundingClientRect()]);
              for (let i = 1; i < cells.length; i++) {
                if (cells[i][1].left < cells[i-1][1].right - 1) bad.push(row.innerText);
              }
              for (const [c] of cells) if (c.scrollWidth > c.clientWidth + 1)
                bad.push(c.innerText);
            }
            return bad; }""")
        assert overlaps == []
        page.screenshot(path=str(tmp_path / "rapport.png"), full_page=False)
        browser.close()
    assert (tmp_path / "rapport.png").stat().st_size > 10_000


def test_english_report(demo_store_path, tmp_path):
    with Store(demo_store_path, read_only=True) as store:
        rep = build_report(
            store, "GM9999", 2015, 2024, uit=tmp_path, taal="en", synthetic=True, pdf=False
        )
    html = rep.files["html"].read_text()
    assert 'lang="en"' in html and "Key findings" in html and "Hoofdbevindingen" not in html
    assert "neighbourhoods improved" in rep.findings[0]
    assert "SYNTHETIC DEMO DATA" in html and "very high" in html
    titles = [f.title for f in rep.figures]
    assert "Map 7 Resilience, 2015–2024" in titles
    assert not [x for x in titles if "Verandering" in x or "klassen" in x or "Kaart" in x]


# The real data hold health (50090NED) for every year but income, work and housing only for
# Almere in 2014: under the MDI's minimum (inkomen and werk, 70 % of the weight) no change can
# be reported. The report machinery is checked on a stated health-only basis instead.
HEALTH_ONLY = dict(min_weight_share=0.1, required_domains=(), name="MDI, alleen gezondheid")


def test_almere_report_from_real_data(raw, tmp_path):
    """KWB 2014 with boundaries plus national health 2012-2020 on the 2020 codes."""
    from buurtbalans.errors import DataError
    from buurtbalans.spec import load_spec

    store = Store(tmp_path / "almere.duckdb")
    store.write(import_path(raw / "cbs-kwb2014-almere-nens" / "almere_buurten.geojson", jaar=2014))
    for year in (2012, 2016, 2020):
        store.write(
            import_path(
                raw / "cbs-rivm-gezondheid-wijkbuurt" / f"gezondheid_wijkbuurt_{year}_18plus.xlsx"
            )
        )
    for van in (2012, 2014):  # health only in both years / KWB 2014 against health 2020
        with pytest.raises(DataError, match="cannot be compared on an equal basis") as exc:
            build_report(store, "GM0034", van, 2020, uit=tmp_path / "x", vintage=2014, pdf=False)
        assert "import cbs --gemeente GM0034" in str(exc.value)
    spec = load_spec("mdi").with_options(**HEALTH_ONLY)
    rep = build_report(
        store, "GM0034", 2012, 2020, uit=tmp_path / "r", vintage=2014, spec=spec, pdf=False
    )
    a = rep.analysis
    # all NL buurten have health data: the national reference, pooled over both years
    assert a.index.run.spec.reference == "national-pooled"
    assert a.basis["domeinen"] == ["gezondheid"] and a.basis["referentie"] == "national-pooled"
    assert "gz_langdurig_ziek_beperkt" in a.basis["weggelaten_indicatoren"]  # only in 2020
    assert any("inwoners van 2014" in n for n in a.notes)  # population of another year
    assert len(a.change) == 63
    # buurten without health data in a year get no class and are counted, never ranked
    bad = a.change["direction"] == "onvoldoende gegevens"
    assert bad.sum() > 0 and a.change.loc[bad, "delta"].isna().all()
    for year in (2012, 2020):
        unscored = a.change[f"status_{year}"] != "ok"
        assert a.change.loc[unscored, [f"class_{year}", f"score_{year}"]].isna().all().all()
    assert a.summary.set_index("richting").loc["onvoldoende gegevens", "buurten"] == bad.sum()
    run = json.loads(Path(rep.files["run"]).read_text())
    assert run["provenance"]["basis"]["domeinen"] == ["gezondheid"]
    assert run["provenance"]["notes"] == a.notes
    assert not any("no Leefbaarometer" in n or "Fout" in n for n in rep.notes)  # Dutch only
    # chapters without data say what is missing and how to add it
    assert any("Leefbaarometer" in n for n in rep.notes)
    assert any("kosten" in n.lower() and "import file" in n for n in rep.notes)
    counts = a.change["direction"].value_counts()
    assert f"laten {counts.get('verbeterd', 0)} van de" in rep.findings[0]
    basis = next(c for c in rep.chapters if c.id == "bevindingen").sentences()
    assert any("Gezondheid" in b and "Inkomen" in b for b in basis)
    assert len([f for f in rep.figures if f.kind == "map"]) >= 3


def test_report_without_boundaries_says_so(national_health_store, tmp_path):
    from buurtbalans.spec import load_spec

    spec = load_spec("mdi").with_options(**HEALTH_ONLY)
    with Store(national_health_store, read_only=True) as store:
        rep = build_report(store, "GM0141", 2012, 2020, uit=tmp_path, spec=spec, pdf=False)
    assert any("geen buurtgrenzen" in n for n in rep.notes)
    assert not [f for f in rep.figures if f.kind == "map"]
    assert "Er zijn geen buurtgrenzen" in Path(rep.files["html"]).read_text()


def test_a_synthetic_gemeente_is_marked_on_every_page_however_asked_for(demo_store_path, tmp_path):
    """``rapport -g Voorbeeldstad`` (no ``synthetic=True``, as the CLI asks) still carries
    the banner: its data come from synthetic sources."""
    from buurtbalans.report.terms import t

    with Store(demo_store_path, read_only=True) as store:
        rep = build_report(store, "GM9999", 2015, 2024, uit=tmp_path, pdf=False)
    html = rep.files["html"].read_text(encoding="utf-8")
    assert t("footer_synthetic", "nl") in html
    assert t("synthetic", "nl") in html
