"""The analyst's files and the chapter machinery: xlsx (rounded, labelled, frozen header,
filters, provenance rows, domain scores per year), GeoPackage (per year, no name_x/y),
Table 1 in council form, and a chapter list a builder can be added to."""

from __future__ import annotations

import pandas as pd
import pytest

from buurtbalans.report import build_report
from buurtbalans.report.chapters import CHAPTERS
from buurtbalans.report.context import Chapter, fmt_number, fmt_range
from buurtbalans.report.terms import TERMS
from buurtbalans.store import Store


@pytest.fixture(scope="module")
def report(demo_store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("rapport-xlsx")
    with Store(demo_store_path, read_only=True) as store:
        return build_report(store, "GM9999", 2015, 2024, uit=out, synthetic=True, pdf=False)


def test_workbook_is_council_and_analyst_ready(report):
    import openpyxl

    wb = openpyxl.load_workbook(report.files["xlsx"])
    assert wb.sheetnames[0] == "domeinscores per jaar" and "herkomst" in wb.sheetnames
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref, ws.title
        assert ws.column_dimensions["A"].width >= 8
    scores = pd.read_excel(report.files["xlsx"], sheet_name="domeinscores per jaar")
    assert set(scores["Jaar"]) == {2015, 2024} and len(scores) == 120
    assert {"buurt", "code", "nr.", "Inkomen", "Gezondheid", "MDI-score", "klasse"} <= set(
        scores.columns
    )
    assert (scores["Inkomen"].dropna().round(1) == scores["Inkomen"].dropna()).all()
    prov = pd.read_excel(report.files["xlsx"], sheet_name="herkomst")
    assert list(prov.columns) == ["onderdeel", "waarde"] and len(prov) >= 8
    assert not prov["waarde"].astype(str).str.startswith("{").any()  # no JSON cells
    prio = pd.read_excel(report.files["xlsx"], sheet_name="prioritering")
    assert pd.api.types.is_numeric_dtype(prio["Kosten sociaal domein per inwoner"])


def test_geopackage_per_year(report):
    import pyogrio

    info = pyogrio.read_info(report.files["gpkg"], layer="mdi")
    fields = set(info["fields"])
    assert not {"name_x", "name_y"} & fields
    for year in (2015, 2024):
        assert {f"score_{year}", f"rank_{year}", f"class_{year}", f"inkomen_{year}"} <= fields
    assert info["features"] == 60


def test_table1_in_council_form(report):
    t1 = report.tables["prioritering"]
    assert list(t1.columns) == [
        "Optie (ten hoogste 10 buurten uit de hoogste klasse)",
        "MDI-scores (bereik)",
        "Kosten sociaal domein per inwoner",
        "Inwoners (aandeel bevolking)",
    ]
    assert t1.iloc[:4, 2].str.startswith("€").all()
    assert t1.iloc[:4, 1].str.fullmatch(r"\d+,\d – \d+,\d").all()
    assert t1.iloc[4, 3].endswith("(100 %)")  # the gemeente for comparison
    sentences = next(c for c in report.chapters if c.id == "prioritering").sentences()
    assert sum(s.startswith("Optie ") for s in sentences) == 4


def test_method_notes_are_sentences(report):
    text = " ".join(next(c for c in report.chapters if c.id == "methode").sentences())
    assert "has no data" not in text and "is weggelaten" in text
    assert "(domein " not in text  # the analysis' notes name indicators by their label


def test_a_chapter_can_be_added(demo_store_path, tmp_path):
    def extra(ctx):
        return Chapter("extra", "Extra").text(f"{ctx.gm_name}: extra hoofdstuk")

    builders = [*CHAPTERS[:-2], extra, *CHAPTERS[-2:]]
    with Store(demo_store_path, read_only=True) as store:
        rep = build_report(store, "GM9999", 2015, 2024, uit=tmp_path, pdf=False, chapters=builders)
    ids = [c.id for c in rep.chapters]
    assert ids.index("extra") == len(ids) - 3
    assert "Voorbeeldstad: extra hoofdstuk" in rep.files["html"].read_text()


def test_numbers_and_terms():
    assert fmt_number(12345.678, "nl") == "12.346" and fmt_number(12.345, "nl") == "12,3"
    assert fmt_number(12345.678, "en") == "12,346" and fmt_range(0.8, 13.24, "nl") == "0,8 – 13,2"
    assert fmt_number(-0.01, "nl", 1) == "0,0"
    assert all(set(v) == {"nl", "en"} for v in TERMS.values())


def test_buurten_without_enough_data_are_shown_as_such(tmp_path):
    """Three buurten lose their income data in 2024: no score, rank or class; hatched and
    labelled on every map, named in the findings, 'onvoldoende gegevens' in the tables."""
    from buurtbalans.demo import load_demo

    store = Store(tmp_path / "weak.duckdb")
    load_demo(store)
    weak = ["BU99990301", "BU99990302", "BU99990303"]
    store.con.execute(
        "DELETE FROM observations WHERE period = 2024 AND indicator IN "
        "('p_hh_li', 'p_hh_lkk', 'g_hh_sti') AND area_code IN (?, ?, ?)",
        weak,
    )
    rep = build_report(store, "GM9999", 2015, 2024, uit=tmp_path / "r", synthetic=True, pdf=False)
    status = rep.analysis.index.table.query("period == 2024").set_index("area_code")["status"]
    assert (status[weak] != "ok").all()
    assert any("3 buurten hebben in 2024 te weinig gegevens" in f for f in rep.findings)
    table = rep.tables["buurten"]
    assert (table["klasse 2024"] == "onvoldoende gegevens").sum() == 3
    html = rep.files["html"].read_text()
    assert "onvoldoende gegevens" in html
    maps = [f for f in rep.figures if f.kind == "map"]
    assert maps and all(f.has_legend for f in maps)


def test_legend_ranges_in_the_report_language():
    import numpy as np

    from buurtbalans.report.figures import _range_labels

    assert _range_labels(np.array([13.24, 20.0]), 0.8, "nl") == ["0,8 – 13,2", "13,2 – 20,0"]
    assert _range_labels(np.array([1234.5]), -0.04, "en") == ["0.0 – 1,234.5"]


def test_english_workbook(demo_store_path, tmp_path):
    with Store(demo_store_path, read_only=True) as store:
        rep = build_report(
            store, "GM9999", 2015, 2024, uit=tmp_path, taal="en", synthetic=True, pdf=False
        )
    sheets = pd.read_excel(rep.files["xlsx"], sheet_name=None, engine="openpyxl")
    assert {"domain scores per year", "neighbourhoods", "prioritisation", "provenance"} <= set(
        sheets
    )
    scores = sheets["domain scores per year"]
    assert {"neighbourhood", "Year", "Income", "MDI score", "class"} <= set(scores.columns)
    assert set(scores["class"].dropna()) <= {"very low", "low", "average", "high", "very high"}
    assert list(sheets["provenance"].columns) == ["item", "value"]
