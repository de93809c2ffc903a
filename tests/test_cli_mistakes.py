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
        (["index", "-g", "Voorbeeldstad", "--jaren", "1-2000000000"], "between 1900 and 2100"),
        (["show", "a_inw", "-g", "Voorbeeldstad", "--jaren", "2015-99999"], "between 1900"),
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
    assert res.returncode != 0 and "not an area id" in res.stderr
