"""Newcomer mistakes found in a fresh-clone sweep: each ends in one clear line, never a
traceback or an 'Interne fout'."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "buurtbalans", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["index", "-g", "Voorbeeldstad", "--jaren", "1-2000000000"], "tussen 1900 en 2100"),
        (["show", "a_inw", "-g", "Voorbeeldstad", "--jaren", "2015-99999"], "tussen 1900"),
    ],
)
def test_year_ranges_are_checked_before_anything_is_built(args, message, demo_store_path):
    res = _run(*args, "--store", str(demo_store_path))
    assert res.returncode != 0 and message in res.stderr + res.stdout
    assert "Traceback" not in res.stderr and "Interne fout" not in res.stderr


def test_output_folder_that_is_a_file(demo_store_path, tmp_path):
    taken = tmp_path / "rapport"
    taken.write_text("not a folder")
    res = _run(
        "rapport", "-g", "Voorbeeldstad", "--geen-pdf", "--uit", str(taken),
        "--store", str(demo_store_path),
    )  # fmt: skip
    assert res.returncode == 1 and "kies een ander pad" in res.stderr
    assert "Traceback" not in res.stderr and "Interne fout" not in res.stderr
    assert taken.read_text() == "not a folder"


def test_indicator_given_as_id_column(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("buurt,p_hh_li\nA,10\nB,20\n")
    res = _run("index", "--input", str(data), "--id-column", "p_hh_li")
    flat = " ".join(res.stderr.replace("│", " ").split())
    assert (
        res.returncode == 2 and "is een indicator van de specificatie MDI, geen gebieds-id" in flat
    )


# -- one voice: every message a user meets on the main path in one language ---------------

# words that give the other language away (Dutch output must not have the English ones)
TELLTALE = {
    "nl": ("Fix:", "Error", "no data", "not found", "the store", "Usage", "Try ", "Invalid value"),
    "en": ("Fout", "Oplossing", "geen gegevens", "de store", "bestand", "Gebruik", "rij ", "kolom"),
}


def _allowed_ids() -> set[str]:
    """Indicator ids: the column names a user writes in a file (and a fix may ask for)."""
    from buurtbalans.sources.codebook import catalogue

    return set(catalogue())


def assert_one_language(text: str, taal: str, *paths: object) -> None:
    """No word of the other language, no snake_case id of the code, no Python repr."""
    import re

    for path in paths:  # the user's own paths may hold anything
        text = text.replace(str(path), "PATH")
    flat = " ".join(text.split())
    assert "Traceback" not in flat and "Interne fout" not in flat and "Internal error" not in flat
    other = [w for w in TELLTALE[taal] if w in flat]
    assert not other, f"{other} in {taal} output: {flat}"
    ids = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", flat)) - _allowed_ids()
    assert not ids, f"identifiers {ids} in: {flat}"
    reprs = re.findall(r"\bNone\b|\bnan\b|\[\]|\[['\"\d]|\(\s*'\s*\)", flat)
    assert not reprs, f"Python reprs {reprs} in: {flat}"


def _main(monkeypatch, capsys, *args: object) -> tuple[int, str]:
    from buurtbalans.cli import main

    monkeypatch.setattr(sys, "argv", ["buurtbalans", *map(str, args)])
    with pytest.raises(SystemExit) as exc:
        main()
    cap = capsys.readouterr()
    return int(exc.value.code or 0), cap.out + cap.err


def _files(folder):
    (folder / "bad.csv").write_text("buurt,p_hh_li\nA,10\nB,abc\nC,5\n")
    (folder / "dup.csv").write_text("buurt,p_hh_li\nA,10\nA,20\n")
    (folder / "f.docx").write_text("x")
    (folder / "kwb-2021.csv").write_text("gwb_code_10;a_inw\nBU99990101;1.250\n")
    return folder


MAIN_PATH = [
    (["index", "-g", "Almeo"], 1, ["Almeo"]),
    (["index", "-g", "GM0363"], 1, ["GM0363"]),
    (["verandering", "-g", "Voorbeeldstad", "--van", "2013", "--tot", "2024"], 1, ["2013"]),
    (["verandering", "-g", "Voorbeeldstad", "--van", "2024", "--tot", "2015"], 2, ["2015"]),
    (["index", "-g", "Voorbeeldstad", "--jaren", "1-2000000000"], 2, ["1900", "2100"]),
    (["index", "-g", "Voorbeeldstad", "--jaren", "2024-2015"], 2, ["2015-2024"]),
    (["index", "-g", "Voorbeeldstad", "--spec", "nosuch.toml"], 1, ["nosuch.toml", "mdi"]),
    (["index", "--input", "{d}/nope.csv", "--id-column", "buurt"], 1, ["nope.csv"]),
    (["index", "--input", "{d}/f.docx", "--id-column", "buurt"], 1, [".docx", "f.docx"]),
    (["index", "--input", "{d}/bad.csv", "--id-column", "buurt"], 1, ["bad.csv", "3", "p_hh_li"]),
    (["index", "--input", "{d}/dup.csv", "--id-column", "buurt"], 1, ["2", "buurt"]),
    (["import", "file", "{d}/nope.csv"], 1, ["nope.csv"]),
    (["import", "file", "{d}/kwb-2021.csv"], 1, ["kwb-2021.csv", "1.250", "2", "a_inw"]),
]


@pytest.mark.parametrize("taal", ["nl", "en"])
@pytest.mark.parametrize("args, code, named", MAIN_PATH, ids=[" ".join(a) for a, _, _ in MAIN_PATH])
def test_a_mistake_is_answered_in_one_language(
    monkeypatch, capsys, tmp_path, demo_store_path, taal, args, code, named
):
    folder = _files(tmp_path)
    args = [a.replace("{d}", str(folder)) for a in args]
    got, text = _main(monkeypatch, capsys, "--taal", taal, *args, "--store", demo_store_path)
    assert got == code, text
    assert all(n in text for n in named), text
    assert ("Oplossing" if taal == "nl" else "Fix") in text or code == 2
    assert_one_language(text, taal, demo_store_path, folder)


@pytest.mark.parametrize(
    "taal, wanted", [("nl", "onbekende taal 'fr'"), ("en", "unknown language")]
)
def test_an_unknown_language_is_refused_in_the_language_of_the_environment(
    monkeypatch, capsys, taal, wanted
):
    monkeypatch.setenv("BUURTBALANS_TAAL", taal)
    got, text = _main(monkeypatch, capsys, "--taal", "fr", "index")
    assert got == 2 and wanted in " ".join(text.replace("│", " ").split()), text
    assert_one_language(text, taal)


def test_the_language_follows_the_environment(monkeypatch, capsys, demo_store_path):
    monkeypatch.setenv("BUURTBALANS_TAAL", "en")
    got, text = _main(monkeypatch, capsys, "index", "-g", "Almeo", "--store", demo_store_path)
    assert got == 1 and "Error: no gemeente named 'Almeo'" in text
    assert_one_language(text, "en", demo_store_path)


@pytest.mark.parametrize("taal", ["nl", "en"])
def test_refusals_of_the_store_and_a_missing_extra_in_one_language(tmp_path, taal):
    from buurtbalans._compat import import_optional
    from buurtbalans.errors import MissingExtraError, StoreError
    from buurtbalans.store import Store
    from buurtbalans.store.world import claim_for_twin

    path = tmp_path / "s.duckdb"
    Store(path).close()
    with Store(path, read_only=True) as st, pytest.raises(StoreError) as read_only:
        st.write_all([])
    from buurtbalans.demo import load_demo

    with Store(path) as st:
        load_demo(st)
        with pytest.raises(StoreError) as mixing:
            claim_for_twin(st, {"size": "klein", "seed": 1, "files": []})
    with pytest.raises(MissingExtraError) as extra:
        import_optional("buurtbalans_no_such_package")
    for exc in (read_only, mixing, extra):
        text = exc.value.text(taal)
        assert_one_language(text, taal, path, "buurtbalans_no_such_package")
        assert str(exc.value) == exc.value.text("en")  # library users read English
    assert "nl.duckdb" in mixing.value.text(taal) and str(path) in read_only.value.text(taal)


def test_twin_files_without_the_twin_are_refused(tmp_path):
    """--bestanden alone would build the demo and quietly keep no files."""
    from typer.testing import CliRunner

    from buurtbalans.cli import app

    res = CliRunner().invoke(
        app, ["demo", "--bestanden", str(tmp_path / "f"), "--store", str(tmp_path / "s.duckdb")]
    )
    assert res.exit_code == 2 and "--nederland" in res.output
    assert not (tmp_path / "s.duckdb").exists()
