"""The demo PDF as a council member reads it, in Dutch and in English: one language per
report, no raw identifiers, every table header in the text, no near-empty pages, the
synthetic banner once per page, Dutch numbers in the Dutch report."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from buurtbalans.report import build_report
from buurtbalans.store import Store

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)

# words that only occur in the other language (whole words, case-insensitive)
DUTCH_WORDS = (
    "buurt",
    "buurten",
    "gemeente",
    "inwoners",
    "verbeterd",
    "verslechterd",
    "klasse",
    "zeer hoog",
    "gemiddeld",
    "kosten",
    "aantal",
    "bron",
    "veerkracht",
    "kwetsbaar",
    "overlast",
    "onveiligheid",
    "ongeveer gelijk",
    "huishoudens",
    "geen gegevens",
    "onvoldoende",
    "kaart",
    "opleiding",
    "inkomen",
    "gezondheid",
    "woonomgeving",
    "benchmarkgemeenten",
    "weggelaten",
    "indeling",
    "definitiebreuk",
    "problemen",
    "corporatie",
    "Nederland",
    "punten",
    "per inwoner",
)
ENGLISH_WORDS = (
    "neighbourhood",
    "neighbourhoods",
    "municipality",
    "residents",
    "improved",
    "worsened",
    "very high",
    "average",
    "costs",
    "source",
    "resilience",
    "vulnerable",
    "nuisance",
    "safety",
    "has no data",
    "left out",
    "higher = better",
    "percentile;",
    "input-pooled",
    "reweight",
    "peers",
    "the",
    "and",
    "with",
    "open source",
)
# raw identifiers a reader must never see
RAW = (
    "score_min",
    "score_max",
    "aandeel_inwoners",
    "slechtste_10",
    "beste_10",
    "hoogste_score",
    "meeste_inwoners",
    "minste_verbetering",
    "kaart1_overlast",
    "kaart7_veerkracht",
    "p_hh_li",
    "g_woz",
    "lbm_onv",
    "p_wcorpw",
    "np.int64",
    "np.float64",
    "area_code",
    "kosten_per_inwoner",
    "NaN",
    "nan",
    "None",
)


def _build(demo_store_path, tmp_path_factory, taal):
    out = tmp_path_factory.mktemp(f"rapport-{taal}")
    with Store(demo_store_path, read_only=True) as store:
        return build_report(store, "GM9999", 2015, 2024, uit=out, taal=taal, synthetic=True)


@pytest.fixture(scope="module")
def nl(demo_store_path, tmp_path_factory):
    return _build(demo_store_path, tmp_path_factory, "nl")


@pytest.fixture(scope="module")
def en(demo_store_path, tmp_path_factory):
    return _build(demo_store_path, tmp_path_factory, "en")


def _pages(report) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(report.files["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if not pages[-1].strip() else pages


def _words(text: str) -> str:
    # the synthetic place names and the banner are the same in both languages
    text = re.sub(r"Voorbeeld\w*( [A-L]\b)?|voorbeeldstad-\w+", " ", text)
    text = re.sub(r"\s+", " ", text)
    # a cited document by its own title ('Veerkracht in de gemeente Almelo') is a name
    return " " + re.sub(r"‘[^’]{1,80}’", " ", text) + " "


def _found(text: str, words: tuple[str, ...], *, case: bool = False) -> list[str]:
    flag = "" if case else "(?i)"
    return [w for w in words if re.search(rf"{flag}(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def test_english_report_has_no_dutch(en):
    pages = _pages(en)
    banner = "SYNTHETIC DEMO DATA"
    text = _words("\n".join(pages))
    assert _found(text, DUTCH_WORDS) == []
    assert all(p.count(banner) == 1 for p in pages), "synthetic banner once per page"


def test_dutch_report_has_no_english(nl):
    pages = _pages(nl)
    text = _words("\n".join(pages))
    assert _found(text, ENGLISH_WORDS) == []
    assert all(p.count("SYNTHETISCHE DEMODATA") == 1 for p in pages)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_raw_identifiers(lang, nl, en):
    report = nl if lang == "nl" else en
    text = "\n".join(_pages(report))
    html = report.files["html"].read_text()
    visible = re.sub(r"<[^>]+>|data:image/png;base64,[A-Za-z0-9+/=]+", " ", html)
    for found in (_found(text, RAW, case=True), _found(visible, RAW, case=True)):
        assert found == []


def test_dutch_numbers_everywhere(nl):
    text = "\n".join(_pages(nl))
    # thousands with a point, decimals with a comma; no English-style 1,234 or 12.5
    assert re.search(r"\b\d{1,3}\.\d{3}\b", text)
    assert not re.search(r"(?<![\d.,])\d{1,3},\d{3}(?![\d,])", text)
    assert "€\u00a0" in nl.files["html"].read_text() or "€ " in text
    legends = [f.title for f in nl.figures]
    assert legends


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_table_header_is_in_the_pdf(lang, nl, en):
    report = nl if lang == "nl" else en
    flat = re.sub(r"\s+", " ", " ".join(_pages(report)))
    flat_nospace = re.sub(r"\s+", "", flat)
    tables = [b.table for c in report.chapters for b in c.blocks if b.kind == "table"]
    assert len(tables) >= 8
    for table in tables:
        for header in table.columns:
            # headers may wrap inside their cell; the letters must all be there, in order
            words = [w for w in str(header).split() if w]
            assert all(w in flat for w in words), header
            assert re.sub(r"\s+", "", str(header)) in flat_nospace or len(words) > 1, header


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_near_empty_pages(lang, nl, en, tmp_path):
    import matplotlib.image as mpimg

    report = nl if lang == "nl" else en
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(report.files["pdf"]), str(tmp_path / "p")],
        check=True,
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 15
    for page in pages[:-1]:
        img = mpimg.imread(page)[..., :3]
        h = img.shape[0]
        body = img[int(0.07 * h) : int(0.93 * h)]  # without banner and footer
        rows = (body.min(axis=(1, 2)) < 0.9).nonzero()[0]
        filled = (rows.max() - rows.min()) / body.shape[0] if len(rows) else 0.0
        assert filled > 0.10, page.name


def test_every_chapter_of_the_seed_report_is_there(nl, en):
    ids = [c.id for c in nl.chapters]
    for needed in (
        "inleiding",
        "bevindingen",
        "mdi",
        "domeinen",
        "prioritering",
        "profiel",
        "veerkracht",
        "benchmark",
        "methode",
        "bijlage",
        "colofon",
    ):
        assert needed in ids
    text = "\n".join(_pages(nl))
    assert "Inhoud" in text and "Colofon" in text and "Handelingsperspectieven" in text
    assert "Contents" in "\n".join(_pages(en))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_nothing_is_cut_at_the_page_edge(lang, nl, en, tmp_path):
    """Rendered pages (pdftoppm): no table or figure runs past the right or left margin —
    a cut-off table or label would leave ink in the outer 3 % of the page."""
    import matplotlib.image as mpimg

    report = nl if lang == "nl" else en
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(report.files["pdf"]), str(tmp_path / "p")],
        check=True,
    )
    for page in sorted(tmp_path.glob("p-*.png")):
        img = mpimg.imread(page)[..., :3]
        h, w = img.shape[:2]
        body = img[int(0.08 * h) : int(0.92 * h)]  # without banner and footer
        edge = int(0.03 * w)
        for side in (body[:, :edge], body[:, w - edge :]):
            assert side.min() > 0.6, f"{page.name}: ink at the page edge"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_table_cell_is_in_the_pdf(lang, nl, en):
    """Every word of every cell of the report's tables reaches the PDF text (a clipped cell
    loses its last words; wrapped cells may interleave with their neighbours in the text)."""
    report = nl if lang == "nl" else en
    words = set(re.findall(r"[\w%€.,–-]+", "".join(_pages(report))))
    shown = ("prioritering", "profiel", "onzekerheid", "uncertainty", "benchmark")
    for name, table in report.tables.items():
        if name not in shown or not hasattr(table, "to_numpy"):
            continue  # workbook-only tables; the appendix is spot-checked by its headers
        for value in table.astype(str).to_numpy().ravel()[:400]:
            if value in ("nan", "None", "<NA>"):
                continue
            for word in re.findall(r"[\w%€.,–-]+", value):
                assert word in words or len(word) < 3, (name, value, word)
