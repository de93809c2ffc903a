"""The data commands, import notes and doctor speak the user's language (issue: English
lines, raw ids and Python reprs in Dutch output): every line in Dutch with --taal nl and in
English with --taal en, labels instead of ids, no ``['`` or ``{2015: …}``."""

from __future__ import annotations

import re
import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

from buurtbalans.cli import app
from buurtbalans.errors import Msg
from buurtbalans.sources.batch import Listed, indicator_label

runner = CliRunner()

REPR = re.compile(r"\['|\{\d{4}: |\bNone\b|\bnan\b")


def run(*args: object) -> tuple[int, str]:
    res = runner.invoke(app, [str(a) for a in args])
    return res.exit_code, res.output


def cli(*args: object) -> tuple[int, str]:
    """A fresh process (errors are written by the entry point): exit code, stdout + stderr."""
    res = subprocess.run(
        [sys.executable, "-m", "buurtbalans", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return res.returncode, res.stdout + res.stderr


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "s.duckdb"
    kwb = tmp_path / "kwb-2020.csv"
    kwb.write_text("gwb_code_10;a_inw;BU_NAAM;foo_bar\nBU01410101;100;x;1\nBU01410102;50;y;2\n")
    code, text = run("--taal", "nl", "import", "file", kwb, "--store", path)
    assert code == 0, text
    return path, text


def test_import_notes_are_in_the_users_language(store, tmp_path):
    path, text = store
    assert "let op: 2 kolommen staan niet in de codelijst (niet geïmporteerd)" in text
    assert "BU_NAAM en foo_bar" in text
    assert "not in the catalogue" not in text and not REPR.search(text)
    new = tmp_path / "kwb2020-nieuw.csv"
    new.write_text("gwb_code_10;a_inw\nBU01410101;150\n")
    code, nl = run(
        "--taal", "nl", "import", "file", new, "--jaar", 2020, "--vervang", "--store", path
    )
    assert code == 0 and "1 waarde van een andere bron vervangen" in nl
    assert "replaced 1 value" not in nl and "from kwb-file" not in nl
    stored = (
        duckdb.connect(str(path), read_only=True).execute("SELECT report FROM sources").fetchall()
    )
    assert "replaced 1 value stored from another source" in stored[-1][0]  # English record
    other = tmp_path / "kwb2020-en.csv"
    other.write_text("gwb_code_10;a_inw;BU_NAAM\nBU01410101;150;x\n")
    code, en = run("--taal", "en", "import", "file", other, "--jaar", 2020, "--store", path)
    assert code == 0 and "note: 1 column not in the catalogue (not imported): BU_NAAM" in en
    assert "let op" not in en and "kolom" not in en


def test_a_long_note_shows_labels_and_the_first_eight():
    ids = ["a_inw", "g_woz", "p_werkloos", *[f"x{i}" for i in range(10)]]
    note = Msg("imp_lacking", n=len(ids), indicators=Listed([indicator_label(i) for i in ids]))
    nl, en = note.text("nl"), note.text("en")
    assert "Aantal inwoners" in nl and "Residents" in en and "a_inw" not in nl + en
    assert nl.endswith(", …") and "x7" not in nl and "indicatoren van de codelijst" in nl
    assert "codebook indicators are not in this file" in en


def test_doctor_findings_in_dutch_and_english(store, tmp_path):
    path, _ = store
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE observations SET value = -5 WHERE area_code = 'BU01410102'")
    code, nl = run("--taal", "nl", "doctor", "--store", path)
    assert code == 0, nl
    assert "waarschuwing: 1 waarde van Aantal inwoners ligt buiten de grenzen" in nl
    assert "oplossing: importeer opnieuw" in nl and "rijen per tabel:" in nl
    assert "a_inw" not in nl and "re-import" not in nl and "rows:" not in nl
    assert "in orde" not in nl and "leesbaar, met 1 waarschuwing" in nl
    code, en = run("--taal", "en", "doctor", "--store", path)
    assert "1 value of Residents lies outside its bounds" in en and "rows per table:" in en
    assert "waarde" not in en and "fine" not in en and "readable, with 1 warning" in en


def test_doctor_on_a_folder_asks_for_the_store_file(store):
    path, _ = store
    code, nl = run("--taal", "nl", "doctor", "--store", path.parent)
    assert code == 1 and "is een map, geen store-bestand" in nl and str(path) in nl
    assert "uitvoermap" not in nl
    code, en = run("--taal", "en", "doctor", "--store", path.parent)
    assert code == 1 and "is a folder, not a store file" in en


def test_show_areas_indicators_sources_crosswalk_in_both_languages(store):
    path, _ = store
    code, nl = run("--taal", "nl", "show", "a_inw", "-g", "GM0141", "--store", path)
    assert code == 0, nl
    assert "Aantal inwoners — GM0141" in nl and "100" in nl and "100,0" not in nl
    code, en = run("--taal", "en", "show", "a_inw", "-g", "GM0141", "--store", path)
    assert "Residents — GM0141" in en and "100.0" not in en
    code, nl = cli("--taal", "nl", "show", "nietbestaand", "-g", "GM0141", "--store", path)
    assert code == 1 and "onbekende indicator 'nietbestaand'" in nl
    assert "buurtbalans indicators" in nl and "no values" not in nl
    code, nl = cli("--taal", "nl", "areas", "-g", "GM0141", "--niveau", "straat", "--store", path)
    assert code == 2 and "onbekend niveau 'straat'" in nl and "buurt, wijk" in nl
    code, en = run("--taal", "en", "areas", "-g", "GM0141", "--store", path)
    assert code == 0 and "neighbourhood of GM0141" in en and "buurt van" not in en
    code, en = run("--taal", "en", "indicators", "--store", path)
    assert "label (Dutch)" not in en and "Residents" in en and "Aantal inwoners" not in en
    assert " aantal " not in en and " arbeid " not in en and "Labour" in en
    code, nl = run("--taal", "nl", "indicators", "--store", path)
    assert "Aantal inwoners" in nl and "Labour" not in nl
    code, en = run("--taal", "en", "sources", "--store", path)
    assert "KWB file" in en and "kwb-file" not in en
    code, nl = cli(
        "--taal", "nl", "crosswalk", "-g", "GM0141", "--van", 2020, "--naar", 2099, "--store", path
    )
    assert code == 1 and "geen buurtindeling 2099" in nl and "wel: 2020" in nl
    assert "geen opvolger" not in nl
    for text in (nl, en):
        assert not REPR.search(text)
