"""The connectors' messages (CBS OData and regional tables, StatLine CSV and exports, KWB
files, Leefbaarometer, codebook, import file) come from the catalogue: wholly Dutch when
shown in Dutch, and ``str()`` the English text, with lists as words and no Python repr."""

from __future__ import annotations

import pytest

from buurtbalans.errors import DataError, SourceError
from buurtbalans.sources.cbs_odata import kwb_table, read_saved_table
from buurtbalans.sources.codebook import resolve_keys_by_stem
from buurtbalans.sources.detect import import_path
from buurtbalans.sources.statline_csv import year_of_table
from said import both


def test_an_unknown_kwb_year_in_dutch_and_english() -> None:
    with pytest.raises(SourceError) as exc:
        kwb_table(2009)
    assert str(exc.value) == exc.value.text("en")
    both(
        exc.value,
        "no KWB table known for 2009; known years: 2013-2025. Fix: pick one of those",
        "geen KWB-tabel bekend voor 2009; bekende jaren: 2013-2025. "
        "Oplossing: kies een van die jaren",
    )


def test_a_saved_odata_folder_names_the_missing_files_as_words(tmp_path) -> None:
    (tmp_path / "data.json").write_text("[]", "utf-8")
    with pytest.raises(DataError) as exc:
        read_saved_table(tmp_path)
    en, nl = str(exc.value), exc.value.text("nl")
    assert en.startswith(
        "missing TableInfos.json and DataProperties.json in the saved OData folder (file "
    )
    assert "[" not in en and "Fix: save the table's TableInfos and DataProperties" in en
    assert nl.startswith("TableInfos.json en DataProperties.json ontbreken in de opgeslagen")
    assert "(bestand " in nl and ". Oplossing: sla de TableInfos en DataProperties" in nl
    assert "Fix" not in nl and "missing" not in nl


def test_the_kwb_tables_in_the_fix_are_a_list_in_the_readers_language(tmp_path) -> None:
    with pytest.raises(DataError) as exc:
        year_of_table(tmp_path / "amsterdam.csv", None)
    en, nl = str(exc.value), exc.value.text("nl")
    assert en.startswith("cannot tell which KWB year this StatLine CSV is (file ")
    assert "84583NED = 2019, " in en and " and 86165NED = 2025)" in en
    assert nl.startswith("niet te zien van welk KWB-jaar deze StatLine-CSV is (bestand ")
    assert "Oplossing: geef het jaar met --jaar JJJJ (KWB-tabellen: 82339NED = 2013" in nl
    assert nl.endswith(" en 86165NED = 2025)")


def test_two_keys_for_one_indicator_and_a_wrong_sheet_option(tmp_path) -> None:
    with pytest.raises(DataError) as exc:
        resolve_keys_by_stem(["AantalInwoners_5", "AantalInwoners_9"], file="x.csv")
    both(
        exc.value,
        "columns 'AantalInwoners_5' and 'AantalInwoners_9' both mean indicator a_inw "
        "(file x.csv, column 'AantalInwoners_9'). Fix: keep one of the two columns",
        "de kolommen 'AantalInwoners_5' en 'AantalInwoners_9' betekenen allebei indicator "
        "a_inw (bestand x.csv, kolom 'AantalInwoners_9'). Oplossing: houd een van de twee "
        "kolommen",
    )
    plain = tmp_path / "kwb-2020.csv"
    plain.write_text("gwb_code_10;a_inw\nBU01410101;5\n", "utf-8")
    with pytest.raises(DataError) as exc:
        import_path(plain, blad="data")
    assert str(exc.value).startswith("--blad 'data' is for spreadsheets; this is a .csv file")
    assert exc.value.text("nl").startswith(
        "--blad 'data' is alleen voor spreadsheets; dit is een .csv-bestand"
    )
    assert exc.value.text("nl").endswith("Oplossing: laat --blad weg")


def test_a_bad_leefbaarometer_year_in_dutch(tmp_path) -> None:
    path = tmp_path / "lbm.csv"
    path.write_text("wk_code,jaar,lbm\nWK036201,twintig,4.1\n", "utf-8")
    with pytest.raises(DataError, match="'twintig' is not a year between 1900 and 2100") as exc:
        import_path(path)
    nl = exc.value.text("nl")
    assert nl.startswith("'twintig' is geen jaar tussen 1900 en 2100 (bestand ")
    assert "rij 2, kolom 'jaar'). Oplossing: geef het jaar in vier cijfers" in nl
