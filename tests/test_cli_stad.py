"""``buurtbalans stad``: per theme the sentences, the aandachtspunten, an xlsx workbook,
and user mistakes as one clear line."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from buurtbalans.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=True)


def test_stad_on_the_demo_writes_sheets(demo_store_path, tmp_path):
    out = tmp_path / "stad.xlsx"
    res = run(
        "stad",
        "-g",
        "Voorbeeldstad",
        "--van",
        2015,
        "--tot",
        2024,
        "--store",
        demo_store_path,
        "--output",
        out,
    )
    assert res.exit_code == 0, res.output
    for word in (
        "Bevolking",
        "Onderwijs",
        "Kansenongelijkheid",
        "Sport en cultuur",
        "Situatie",
        "Trends",
        "Vooruitblik",
        "Aandachtspunten",
    ):
        assert word in res.output
    assert "Voorbeeldregio (synthetisch)" in res.output and "Bron:" in res.output
    sheets = pd.read_excel(out, sheet_name=None, engine="openpyxl")
    assert {"stad", "reeksen", "prognose", "aandachtspunten"} <= set(sheets)
    assert {"bron", "periode", "tempo_regio"} <= set(sheets["stad"].columns)


def test_english_alias(demo_store_path):
    res = run("city", "-g", "GM9999", "--taal", "en", "--store", demo_store_path)
    assert res.exit_code == 0, res.output
    assert "Situation" in res.output and "Outlook" in res.output


def test_mistakes_give_one_clear_line(demo_store_path):
    res = run("stad", "-g", "Voorbeeldstad", "--regio", "waterschap", "--store", demo_store_path)
    assert res.exit_code == 2 and "provincie, corop" in _flat(res.output)
    res = run("stad", "-g", "Voorbeeldstad", "--regio", "ggd", "--store", demo_store_path)
    assert res.exit_code == 0  # no GGD region for the demo: said, not a crash
    assert "Geen regio: GM9999" in _flat(res.output)
    res = run("stad", "-g", "Voorbeeldstad", "--tot", 3000, "--store", demo_store_path)
    assert res.exit_code == 2 and "tussen 1900 en 2100" in _flat(res.output)
    res = run(
        "stad", "-g", "Voorbeeldstad", "--tot", 3000, "--taal", "en", "--store", demo_store_path
    )
    assert res.exit_code == 2 and "between 1900 and 2100" in _flat(res.output)


def _flat(output: str) -> str:
    """The text of a console answer without the panel's borders and line breaks."""
    return " ".join(line.strip("│╭╮╰╯─ ") for line in output.splitlines())
