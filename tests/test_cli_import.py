"""The import commands from a fresh process: bad options are usage errors (exit 2), bad
files one named error (exit 1), never a traceback; --vervang and doctor work end to end."""

from __future__ import annotations

import subprocess
import sys

import pytest


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "buurtbalans", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["import", "file", "x.csv", "--jaar", "0"],
        ["import", "file", "x.csv", "--jaar", "-5"],
        ["import", "file", "x.csv", "--jaar", "99999999999"],
        ["import", "file", "x.csv", "--vintage", "12"],
        ["import", "file", "x.csv", "--encoding", "klingon"],
        ["import", "cbs", "--jaren", "1-2000000000", "-g", "Almelo"],
        ["import", "cbs", "--jaren", "2024-2015", "-g", "Almelo"],
    ],
)
def test_bad_options_are_usage_errors(tmp_path, args):
    (tmp_path / "x.csv").write_text("gwb_code_10;a_inw\nBU01410101;1\n")
    res = cli(*args, "--store", tmp_path / "s.duckdb")
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr and "Ongeldige waarde" in res.stderr
    assert not (tmp_path / "s.duckdb").exists()  # nothing written


def test_bad_file_is_one_named_error_and_vervang(tmp_path):
    store = tmp_path / "s.duckdb"
    old = tmp_path / "kwb-2020.csv"
    old.write_text("gwb_code_10;a_inw\nBU01410101;100\n")
    assert cli("import", "file", old, "--store", store).returncode == 0
    bad = tmp_path / "kwb-2021.csv"
    bad.write_text("gwb_code_10;a_inw\nBU01410101;1.250\n")
    res = cli("import", "file", bad, "--store", store)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "rij 2" in res.stderr and "a_inw" in res.stderr and "Oplossing:" in res.stderr
    new = tmp_path / "kwb2020-nieuw.csv"
    new.write_text("gwb_code_10;a_inw\nBU01410101;150\n")
    res = cli("import", "file", new, "--jaar", "2020", "--store", store)
    assert res.returncode == 1 and "--vervang" in res.stderr
    res = cli("import", "file", new, "--jaar", "2020", "--vervang", "--store", store)
    assert res.returncode == 0 and "1 waarde van een andere bron vervangen" in res.stdout
    res = cli("doctor", "--store", store)
    assert res.returncode == 0 and "in orde" in res.stdout
