"""Resolving a gemeente with DuckDB alone, and usage errors before anything heavy loads."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from buurtbalans.errors import StoreError
from buurtbalans.store.lookup import resolve_in_file


def test_resolve_in_file_names_codes_and_typos(demo_store_path: Path):
    assert resolve_in_file(demo_store_path, "voorbeeldstad") == "GM9999"
    assert resolve_in_file(demo_store_path, "9999") == "GM9999"
    with pytest.raises(StoreError, match="no gemeente named 'Voorbeeldstd'.*did you mean"):
        resolve_in_file(demo_store_path, "Voorbeeldstd")
    # no store file: left as given, for the Store to answer (import data first)
    assert resolve_in_file(demo_store_path.parent / "none.duckdb", "Almelo") == "Almelo"


@pytest.mark.parametrize(
    "args",
    [
        ["rapport", "-g", "Voorbeeldstd"],
        ["rapport", "-g", "Voorbeeldstad", "--van", "2024", "--tot", "2015"],
        ["index", "-g", "Voorbeeldstd"],
    ],
)
def test_a_usage_error_is_answered_before_pandas_is_imported(demo_store_path: Path, args):
    script = textwrap.dedent(f"""
        import sys
        sys.argv = ["buurtbalans", *{args!r}, "--store", {str(demo_store_path)!r}]
        from buurtbalans.cli import main
        try:
            main()
        except SystemExit as exc:
            print("exit", exc.code, "pandas" in sys.modules, "matplotlib" in sys.modules)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.stdout.split()[-3:] in (["1", "False", "False"], ["2", "False", "False"]), (
        proc.stdout + proc.stderr
    )
