"""The 'Staat van de stad' chapter in Dutch and English: situation, trends and outlook per
theme, a trend chart per key indicator (gemeente, NL, region, peer band), a table per theme,
aandachtspunten, and the sources of every number."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from buurtbalans.analysis.stad import stad_analysis
from buurtbalans.report.chapters import CHAPTERS
from buurtbalans.report.chapters.stad import build_stad, theme_texts, trend
from buurtbalans.report.tables import source_label
from buurtbalans.report.terms import t
from buurtbalans.store import Store


@pytest.fixture(scope="module")
def analysis(demo_store_path):
    with Store(demo_store_path, read_only=True) as store:
        return stad_analysis(store, "GM9999", 2015, 2024)


def _ctx(a, taal):
    return SimpleNamespace(stad=a, taal=taal, synthetic=True, t=lambda key, **v: t(key, taal, **v))


def test_registered_after_the_benchmark():
    names = [b.__name__ for b in CHAPTERS]
    assert names.index("build_stad") == names.index("build_benchmark") + 1


@pytest.mark.parametrize("taal", ["nl", "en"])
def test_chapter_in_both_languages(analysis, taal):
    ch = build_stad(_ctx(analysis, taal))
    assert ch.id == "stad" and ch.title == t("stad", taal)
    headings = [b.text for b in ch.blocks if b.kind == "heading"]
    themes = [h for h in headings if h != t("stad_aandachtspunten", taal)]
    assert len(themes) >= 8
    text = " ".join(ch.sentences())
    for word in ("stad_situatie", "stad_trends", "stad_vooruitblik"):
        assert text.count(t(word, taal)) >= 8
    assert len(ch.figures) >= 8 and all(f.has_legend for f in ch.figures)
    assert all(f.n_drawn > 20 for f in ch.figures)  # gemeente, NL, region, band per year
    assert len([k for k in ch.tables if k.startswith("stad_")]) >= 9
    # the outlook has the forecast where the source has one, and says so where not
    assert t("stad_no_forecast", taal) in text
    assert "2040" in text and "voorbeeldstad-" not in text  # sources by title, not by id
    # sources and years per theme; the synthetic warning
    series = source_label("voorbeeldstad-gemeentereeksen", "", taal)
    assert text.count(series) >= 8
    assert t("stad_synthetic", taal, gemeente="Voorbeeldstad") in text
    # numbers in the reader's language
    share = analysis.table.set_index("indicator").loc["p_65_eo_jr", "waarde"]
    shown = f"{share:.1f}"
    assert (shown.replace(".", ",") if taal == "nl" else shown) in text
    other = "en" if taal == "nl" else "nl"
    assert t("stad_aandacht_intro", other, gemeente="X", van=1).split()[0] not in text.split()


def test_trend_sentence_reads_as_the_seed_asks(analysis):
    row = analysis.table.set_index("indicator").loc["p_65_eo_jr"].copy()
    row["indicator"] = "p_65_eo_jr"
    row["verandering"], row["waarde_van"], row["waarde"] = 3.5, 17.9, 21.4
    row["tempo_regio"], row["tempo_nl"] = "sneller", "sneller"
    line = trend(row, analysis, "nl")
    assert line.startswith("Aandeel inwoners 65 jaar of ouder steeg van 17,9 naar 21,4 %")
    assert "sneller dan in Voorbeeldregio (synthetisch)" in line
    assert "sneller dan in Nederland" in line
    row["tempo_nl"] = "tegengesteld"  # opposite only when NL's shown values fell
    row["nl_van"], row["nl"] = 18.1, 17.2
    assert "tegengesteld aan Nederland" in trend(row, analysis, "nl")
    en = trend(row, analysis, "en")
    assert "rose from 17.9 to 21.4 %" in en and "opposite to the Netherlands" in en


def test_theme_texts_keep_situation_trends_outlook(analysis):
    texts = theme_texts(analysis, "nl")
    assert {"situatie", "trends", "vooruitblik", "bronnen"} <= set(texts["demografie"])
    assert any("prognose" in s for s in texts["demografie"]["vooruitblik"])
    assert texts["arbeid"]["vooruitblik"] == [t("stad_no_forecast", "nl")]


def test_no_analysis_no_chapter():
    assert build_stad(SimpleNamespace(stad=None, taal="nl")) is None
