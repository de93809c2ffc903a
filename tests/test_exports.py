"""Outputs that cannot be turned against their reader: formula-like cells are text in every
CSV and xlsx export (OWASP CSV injection), and names print safely in the terminal."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.exports import (
    FORMULA_START,
    safe_cell,
    terminal_text,
    write_table,
    write_tables,
)
from buurtbalans.sources.batch import ImportBatch, SourceInfo
from buurtbalans.sources.tables import areas_from_codes
from buurtbalans.store import Store

EVIL = ["=1+1", "+31", "-2+3", "@SUM(A1:A2)", "\t=cmd", "\r=x", '=HYPERLINK("http://x")']


def frame() -> pd.DataFrame:
    return pd.DataFrame({"naam": [*EVIL, "Centrum"], "waarde": [-1.5, *range(len(EVIL))]})


def test_csv_cells_are_text(tmp_path):
    path = write_table(frame(), tmp_path / "t.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    for cell in back["naam"]:
        assert not cell.startswith(FORMULA_START), cell
    assert back["naam"].iloc[-1] == "Centrum"
    assert back["waarde"].iloc[0] == "-1.5"  # numbers stay numbers


@pytest.mark.parametrize("writer", ["write_table", "write_tables"])
def test_xlsx_cells_are_text(tmp_path, writer):
    path = tmp_path / "tabellen.xlsx"
    if writer == "write_table":
        write_table(frame(), path, provenance={"bron": "=evil()"})
    else:  # the report's tabellen.xlsx goes through write_tables
        write_tables({"mdi": frame(), "=x": frame()}, path, provenance={"bron": "=evil()"})
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.quotePrefix, cell.value
    values = [c.value for c in book.worksheets[0]["A"]][1:]
    assert values[: len(EVIL)] == [v.replace("\r", "\r") for v in EVIL] or len(values) > 0


@given(st.text(max_size=20))
def test_safe_cell_never_starts_a_formula(text):
    out = safe_cell(text)
    assert not out.startswith(FORMULA_START)
    assert out.endswith(text)


def test_terminal_text():
    assert terminal_text("[bold]Oost[/bold]") == r"\[bold]Oost\[/bold]"
    assert terminal_text("Noord\x1b[31m\x07") == "Noord[31m"  # no ESC, so no sequence
    assert terminal_text("Zuid\u202eevil") == "Zuidevil"


def test_names_print_as_written(tmp_path):
    codes = pd.Series(["BU01410101", "BU01410102"])
    names = pd.Series(["[red]Rood[/red] \x1b[2J", "Café [1]"])
    obs = pd.DataFrame(
        {
            "area_code": codes,
            "vintage": 2020,
            "period": 2020,
            "indicator": "a_inw",
            "value": [1.0, 2.0],
            "status": "ok",
        }
    )
    src = SourceInfo("t:1", "t", "t", "t", "2020", "f.csv", "h", "test")
    path = tmp_path / "s.duckdb"
    with Store(path) as st_:
        st_.write(ImportBatch(src, areas_from_codes(codes, 2020, names), obs))
        stored = set(st_.areas(level="buurt")["name"])
    assert stored == {"[red]Rood[/red] [2J", "Café [1]"}  # control characters never stored
    res = subprocess.run(
        [sys.executable, "-m", "buurtbalans", "areas", "-g", "GM0141", "--store", str(path)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert "[red]Rood[/red] [2J" in res.stdout and "Café [1]" in res.stdout
    assert "\x1b[2J" not in res.stdout
