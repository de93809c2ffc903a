"""The messages of reading input tables (mappings, files, sheets, cells, boundaries,
regions) come from the terms catalogue: wholly Dutch for a Dutch reader, and ``str()`` is
the English text as before."""

from __future__ import annotations

import pandas as pd
import pytest

from buurtbalans.errors import DataError
from buurtbalans.sources.boundaries import detect_crs
from buurtbalans.sources.codebook import catalogue
from buurtbalans.sources.municipal import TableMapping
from buurtbalans.sources.regios import aggregate, region_of
from buurtbalans.sources.symbols import check_not_negative
from buurtbalans.sources.tables import check_bounds, clean_codes, require_columns
from buurtbalans.sources.values import reconcile_year, refuse_blank_rows
from said import both


def test_unknown_keys_in_a_mapping_are_named_in_either_language(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('[table]\ncode_column = "buurt"\nperiode = 2024\n[extra]\n', "utf-8")
    with pytest.raises(DataError) as exc:
        TableMapping.load(path)
    en, nl = str(exc.value), exc.value.text("nl")
    assert en.startswith("unknown section [extra] in the mapping (file ")
    assert en.endswith("Fix: use [table], [columns] and [missing_values]")
    assert nl.startswith("onbekende sectie [extra] in de mapping (bestand ")
    assert nl.endswith("Oplossing: gebruik [table], [columns] en [missing_values]")


def test_years_that_disagree_are_said_in_dutch():
    with pytest.raises(DataError) as exc:
        reconcile_year({"the file name": 2020, "--jaar": 2021}, file="kwb-2020.csv")
    assert "contradictory: the file name says 2020, --jaar says 2021" in str(exc.value)
    nl = exc.value.text("nl")
    assert "tegenstrijdig: de bestandsnaam zegt 2020, --jaar zegt 2021 (bestand kwb-2020" in nl
    assert "says" not in nl and "Fix" not in nl


def test_cells_and_columns_in_dutch():
    with pytest.raises(DataError) as exc:
        clean_codes(pd.Series(["BU01410101", "BUXX"]), file="t.csv", column="code")
    assert str(exc.value).startswith("'BUXX' is not a CBS area code (1 bad code) (file t.csv")
    assert exc.value.text("nl").startswith("'BUXX' is geen CBS-gebiedscode (1 foute code)")
    with pytest.raises(DataError) as exc:
        require_columns(pd.DataFrame(columns=["a", "b", "c"]), ["x", "y"], file="t.csv")
    assert str(exc.value).startswith("missing column(s) x and y; the file has a, b and c")
    assert exc.value.text("nl").startswith("ontbrekende kolom(men) x en y; het bestand heeft a")
    with pytest.raises(DataError) as exc:
        refuse_blank_rows([False, True, True, False], file="t.csv")
    assert str(exc.value).startswith("row 3 is empty, between data rows (2 empty rows)")
    assert exc.value.text("nl").startswith("rij 3 is leeg, tussen rijen met gegevens (2 lege")
    with pytest.raises(DataError) as exc:
        check_not_negative(pd.Series([1.0, -4.0]), file="t.csv", column="a_inw")
    assert "negatief aantal -4 in een kolom met aantallen" in exc.value.text("nl")


def test_bounds_numbers_in_the_language_of_the_reader():
    with pytest.raises(DataError) as exc:
        check_bounds(pd.Series([10.0, 100.5]), catalogue()["p_hh_li"], file="t.csv", column="p")
    en, nl = str(exc.value), exc.value.text("nl")
    assert en.startswith("100.5 is above 100: p_hh_li (")
    assert "is a share in % with bounds 0–100; 1 such cell" in en
    assert nl.startswith("100,5 is hoger dan 100: p_hh_li (")
    assert "is een aandeel in % met grenzen 0–100; 1 zo'n cel" in nl


def test_boundaries_and_regions_in_dutch():
    with pytest.raises(DataError) as exc:
        detect_crs((5.0, 52.0, 5.5, 52.5), "EPSG:28992", file="b.geojson")
    assert str(exc.value).startswith("the file declares EPSG:28992 but its coordinates are")
    assert exc.value.text("nl").startswith("het bestand geeft EPSG:28992 op, maar de coördinaten")
    with pytest.raises(DataError) as exc:
        region_of(pd.DataFrame(columns=["gemeente", "jaar", "soort", "regio"]), "GM0141", "x")
    both(
        exc.value,
        "unknown region kind 'x'. Fix: use one of provincie, corop, ggd and arbeidsmarktregio",
        "onbekende regiosoort 'x'. Oplossing: gebruik een van provincie, corop, ggd en "
        "arbeidsmarktregio",
    )
    with pytest.raises(DataError) as exc:
        aggregate(pd.DataFrame(), ["GM0141"], "geen_indicator")
    assert exc.value.text("nl").startswith("onbekende indicator 'geen_indicator'")
