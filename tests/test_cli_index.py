"""The ``index`` command on your own data with years: ``--period-column`` ranks within each
year in one call, the same as one call per year."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from buurtbalans.cli import app
from buurtbalans.errors import DataError

SPEC = (
    '[index]\nname = "eigen"\ntransform = "exponential"\nreference = "input"\n'
    '[[domain]]\nid = "inkomen"\nweight = 60\n[[domain]]\nid = "veiligheid"\n'
    'weight = 40\n[[indicator]]\nid = "p_hh_li"\ndomain = "inkomen"\n'
    'polarity = "+"\n[[indicator]]\nid = "lbm_onv"\ndomain = "veiligheid"\n'
    'polarity = "-"\n'
)


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=True)


def test_period_column_ranks_within_each_year_in_one_call(tmp_path):
    rng = np.random.default_rng(7)
    years = [2022, 2023, 2024]
    n = 12
    data = pd.DataFrame(
        {
            "buurt": [f"B{i:02d}" for i in range(n)] * len(years),
            "jaar": np.repeat(years, n),
            "p_hh_li": np.round(rng.uniform(5, 60, n * len(years))),  # ties
            "lbm_onv": rng.normal(size=n * len(years)),
        }
    )
    data.loc[[3, 20], "lbm_onv"] = np.nan  # a buurt missing a domain in two years
    data.to_csv(tmp_path / "eigen.csv", index=False)
    (tmp_path / "spec.toml").write_text(SPEC)
    common = ["index", "--spec", tmp_path / "spec.toml", "--id-column", "buurt"]
    out = tmp_path / "alle.csv"
    res = run(
        *common, "--input", tmp_path / "eigen.csv", "--period-column", "jaar", "--output", out
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert list(table.columns[:2]) == ["buurt", "jaar"]
    assert len(table) == n * len(years)
    # every year ranked on its own: ranks 1..n per year
    assert table.groupby("jaar")["rank"].apply(sorted).tolist() == [list(range(1, n + 1))] * 3
    run_json = json.loads(out.with_suffix(".run.json").read_text())
    assert run_json["period_column"] == "jaar"
    # the same numbers as one call per year
    for year in years:
        data[data["jaar"] == year].drop(columns="jaar").to_csv(tmp_path / "jaar.csv", index=False)
        one = tmp_path / f"{year}.csv"
        res = run(*common, "--input", tmp_path / "jaar.csv", "--output", one)
        assert res.exit_code == 0, res.output
        got = table[table["jaar"] == year].drop(columns="jaar").set_index("buurt")
        want = pd.read_csv(one).set_index("buurt")
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index())


def test_period_column_errors_are_clear(tmp_path):
    pd.DataFrame({"buurt": ["A", "B"], "p_hh_li": [1, 2], "lbm_onv": [0.1, 0.2]}).to_csv(
        tmp_path / "eigen.csv", index=False
    )
    (tmp_path / "spec.toml").write_text(SPEC)
    res = run(
        "index",
        "--spec",
        tmp_path / "spec.toml",
        "--input",
        tmp_path / "eigen.csv",
        "--id-column",
        "buurt",
        "--period-column",
        "jaar",
    )
    assert isinstance(res.exception, DataError)  # main() prints it as one line, exit code 1
    assert "missing column jaar; the file has buurt, p_hh_li and lbm_onv" in str(res.exception)
    assert "--period-column" in str(res.exception)
    res = run("index", "--gemeente", "GM0141", "--period-column", "jaar")
    assert res.exit_code == 2 and "--input" in res.output


def test_help_does_not_import_the_heavy_libraries():
    """Start-up: ``buurtbalans --help`` imports typer and rich, not the data stack."""
    import re
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "buurtbalans", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Gebruik:" in proc.stdout  # the tests read Dutch (conftest)
    imported = set(re.findall(r"\|\s+([\w.]+)$", proc.stderr, flags=re.M))
    heavy = {"pandas", "numpy", "scipy", "matplotlib", "geopandas", "weasyprint", "duckdb"}
    assert not heavy & {m.split(".")[0] for m in imported}
