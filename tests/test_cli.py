from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from buurtbalans.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=True)


def health_only_spec(folder) -> str:
    """The MDI preset with a stated lower minimum (10 % of the weight, nothing required):
    the shared data hold health for every year but income and work for one year only."""
    from importlib import resources

    text = resources.files("buurtbalans.index.presets").joinpath("mdi.toml").read_text("utf-8")
    text = text.replace("min_weight_share = 0.7", "min_weight_share = 0.1")
    text = text.replace('required_domains = ["inkomen", "werk"]', "required_domains = []")
    text = text.replace('name = "MDI"', 'name = "MDI, alleen gezondheid"')
    path = folder / "gezondheid.toml"
    path.write_text(text, "utf-8")
    return str(path)


def test_every_command_has_help():
    for cmd in [
        "demo",
        "index",
        "areas",
        "show",
        "crosswalk",
        "sources",
        "indicators",
        "import file",
        "import cbs",
        "import demo",
    ]:
        res = run(*cmd.split(), "--help")
        assert res.exit_code == 0 and "Gebruik" in res.output, cmd
        assert len(res.output.splitlines()) > 4


def test_demo_writes_labelled_outputs(tmp_path, monkeypatch):
    monkeypatch.setenv("BUURTBALANS_STORE", str(tmp_path / "default.duckdb"))
    res = run("demo", "--uit", tmp_path, "--geen-pdf")
    assert res.exit_code == 0, res.output
    assert "SYNTHETISCHE DEMODATA" in res.output
    # the demo's data sit in the default store: the README's next commands work as written
    assert str(tmp_path / "default.duckdb") in " ".join(res.output.split())
    cw = run("crosswalk", "--gemeente", "Voorbeeldstad", "--van", "2015", "--naar", "2022")
    assert cw.exit_code == 0 and "gewijzigde buurten" in cw.output
    run_json = json.loads((tmp_path / "run.json").read_text())
    assert "bestaat niet" in run_json["let op"] and run_json["spec_hash"]
    html = (tmp_path / "rapport.html").read_text()
    assert html.count("SYNTHETISCHE DEMODATA") >= 5  # on every chapter
    sheets = pd.read_excel(tmp_path / "tabellen.xlsx", sheet_name=None, engine="calamine")
    assert {"buurten", "prioritering", "veerkracht", "bronnen"} <= set(sheets)
    assert (tmp_path / "kaarten.gpkg").exists()


def test_import_areas_show_crosswalk(tmp_path, demo_store_path):
    store = tmp_path / "s.duckdb"
    assert run("import", "demo", "--store", store).exit_code == 0
    res = run("areas", "--gemeente", "Voorbeeldstad", "--vintage", "2022", "--store", store)
    assert res.exit_code == 0 and "BU99990206" in res.output
    out = tmp_path / "inw.xlsx"
    res = run(
        "show", "a_inw", "-g", "GM9999", "--jaren", "2015-2017", "--output", out, "--store", store
    )
    assert res.exit_code == 0 and out.exists()
    assert list(pd.read_excel(out, engine="calamine").columns[-3:]) == ["2015", "2016", "2017"]
    res = run("crosswalk", "-g", "GM9999", "--van", "2015", "--naar", "2022", "--store", store)
    assert res.exit_code == 0 and "gesplitst" in res.output and "samengevoegd" in res.output


def test_import_real_files(tmp_path, raw):
    store = tmp_path / "r.duckdb"
    res = run(
        "import",
        "file",
        raw / "cbs-kwb2014-almere-nens" / "almere_buurten.geojson",
        "--jaar",
        "2014",
        "--store",
        store,
    )
    assert res.exit_code == 0, res.output
    res = run("areas", "-g", "Almere", "--store", store)
    assert "63" in res.output and "BU00340101" in res.output


def test_byod_index(tmp_path):
    data = tmp_path / "eigen.csv"
    pd.DataFrame(
        {
            "buurt": ["A", "B", "C", "D"],
            "p_hh_li": [10, 40, 20, 30],
            "lbm_onv": [0.1, -0.2, 0.0, 0.05],
        }
    ).to_csv(data, index=False)
    spec = tmp_path / "spec.toml"
    spec.write_text(
        '[index]\nname = "eigen"\ntransform = "exponential"\nreference = "input"\n'
        '[[domain]]\nid = "inkomen"\nweight = 50\n[[domain]]\nid = "veiligheid"\n'
        'weight = 50\n[[indicator]]\nid = "p_hh_li"\ndomain = "inkomen"\n'
        'polarity = "+"\n[[indicator]]\nid = "lbm_onv"\ndomain = "veiligheid"\n'
        'polarity = "-"\n'
    )
    out = tmp_path / "uit.csv"
    res = run("index", "--spec", spec, "--input", data, "--id-column", "buurt", "--output", out)
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert list(table.columns) == [
        "buurt",
        "inkomen",
        "veiligheid",
        "score",
        "rank",
        "decile",
        "class",
        "coverage",
        "status",
    ]
    assert table.set_index("buurt").loc["B", "rank"] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["index", "--spec", "mdi", "--input", "nope.csv", "--id-column", "x"],
            "bestand niet gevonden",
        ),
        (["index", "--spec", "nope"], "geen specificatiebestand"),
        (["areas", "-g", "Atlantis"], "kent geen gemeente"),
    ],
)
def test_errors_are_one_clear_message(tmp_path, capsys, args, message):
    import sys
    from unittest import mock

    from buurtbalans.cli import main

    with (
        mock.patch.object(
            sys,
            "argv",
            [
                "buurtbalans",
                *args,
                *(["--store", str(tmp_path / "e.duckdb")] if args[0] == "areas" else []),
            ],
        ),
        pytest.raises(SystemExit) as exc,
    ):
        main()
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "Fout:" in err and message in " ".join(err.split())


def test_analysis_commands_on_the_demo(tmp_path):
    store = tmp_path / "a.duckdb"
    assert run("import", "demo", "--store", store).exit_code == 0
    common = ["-g", "Voorbeeldstad", "--van", "2015", "--tot", "2024", "--store", store]
    res = run(
        "verandering", *common, "--referentie", "input-pooled", "--output", tmp_path / "v.xlsx"
    )
    assert res.exit_code == 0, res.output
    assert "verbeterd" in res.output and "helling" in res.output
    sheets = pd.read_excel(tmp_path / "v.xlsx", sheet_name=None, engine="calamine")
    assert {"verandering", "overgangen", "decompositie", "bronnen"} <= set(sheets)
    res = run(
        "prioriteiten", *common, "--referentie", "input-pooled", "--output", tmp_path / "p.xlsx"
    )
    assert res.exit_code == 0, res.output
    assert "hoogste kosten" in res.output and "Overlap" in res.output
    assert "hoogste_kosten" not in res.output and "score_min" not in res.output  # no raw ids
    res = run("resilience", *common, "--output", tmp_path / "k.xlsx")
    assert res.exit_code == 0, res.output
    assert "Kaart 7" in res.output and "kaart7_veerkracht" not in res.output


def test_veerkracht_without_leefbaarometer_says_what_is_missing(tmp_path, raw):
    store = tmp_path / "n.duckdb"
    for year in (2012, 2020):
        run(
            "import",
            "file",
            raw / "cbs-rivm-gezondheid-wijkbuurt" / f"gezondheid_wijkbuurt_{year}_18plus.xlsx",
            "--store",
            store,
        )
    from buurtbalans.analysis.pipeline import veerkracht_analysis
    from buurtbalans.errors import DataError
    from buurtbalans.store import Store

    with Store(store) as st, pytest.raises(DataError, match="Leefbaarometer.*import file"):
        veerkracht_analysis(st, "GM0141", 2012, 2020, vintage=2020)


def test_benchmark_command_and_report_chapter(tmp_path, raw):
    store = tmp_path / "b.duckdb"
    for name, extra in (
        ("cbs-kwb2014-almere-nens/municipalities.topojson", ["--jaar", "2014"]),
        ("cbs-kwb2014-almere-nens/almere_buurten.geojson", ["--jaar", "2014"]),
        ("cbs-rivm-gezondheid-wijkbuurt/gezondheid_wijkbuurt_2012_18plus.xlsx", []),
        ("cbs-rivm-gezondheid-wijkbuurt/gezondheid_wijkbuurt_2020_18plus.xlsx", []),
    ):
        assert run("import", "file", raw / name, *extra, "--store", store).exit_code == 0
    out = tmp_path / "bench.xlsx"
    res = run(
        "benchmark",
        "-g",
        "Almere",
        "--peers",
        "Lelystad",
        "--peers",
        "Zwolle",
        "--output",
        out,
        "--store",
        store,
    )
    assert res.exit_code == 0, res.output
    assert "Opvallende kenmerken" in res.output and "Lelystad" in res.output
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine")
    assert {"vergelijking", "opvallend", "rangen", "benchmarkgemeenten"} <= set(sheets)
    report = [
        "rapport",
        "-g",
        "Almere",
        "--van",
        "2012",
        "--tot",
        "2020",
        "--vintage",
        "2014",
        "--benchmark",
        "--geen-pdf",
        "--uit",
        tmp_path / "r",
        "--store",
        store,
    ]
    # health only in both years: below the MDI's minimum, refused, and no folder left behind
    res = run(*report)
    assert res.exit_code == 1 and not (tmp_path / "r").exists()
    assert "cannot be compared on an equal basis" in str(res.exception)
    # on a stated health-only spec the report (with its benchmark chapter) is written
    res = run(*report, "--spec", health_only_spec(tmp_path))
    assert res.exit_code == 0, res.output
    assert "op dezelfde domeinen gezondheid" in " ".join(res.output.split())
    html = (tmp_path / "r" / "rapport.html").read_text()
    assert 'id="benchmark"' in html and "Opvallende kenmerken" in html


def test_index_without_national_data_ranks_within_the_gemeente(tmp_path):
    store = tmp_path / "i.duckdb"
    assert run("import", "demo", "--store", store).exit_code == 0
    res = run(
        "index",
        "-g",
        "GM9999",
        "--jaren",
        "2015,2024",
        "--vintage",
        "2022",
        "--output",
        tmp_path / "mdi.csv",
        "--store",
        store,
    )
    assert res.exit_code == 0, res.output
    assert "(input-pooled)" in res.output and "t.o.v. de eigen buurten" in res.output
    run_json = json.loads((tmp_path / "mdi.run.json").read_text())
    assert run_json["spec"]["reference"] == "input-pooled"


@pytest.mark.parametrize(
    "taal, heads, other",
    [
        (
            "nl",
            ["Richting", "Aandeel buurten", "Bijdrage (punten)", "Maat", "Klasse 2015"],
            "Share",
        ),
        (
            "en",
            ["Direction", "Share of neighbourhoods", "Contribution (points)", "Measure"],
            "Aandeel",
        ),
    ],
)
def test_verandering_and_index_print_labelled_tables(demo_store_path, taal, heads, other):
    """Console tables through the catalogue's columns: no snake_case headers or raw ids."""
    import re

    common = ["--taal", taal]
    change = run(*common, "verandering", "-g", "Voorbeeldstad", "--store", demo_store_path)
    assert change.exit_code == 0, change.output
    index = run(*common, "index", "-g", "Voorbeeldstad", "--store", demo_store_path)
    assert index.exit_code == 0, index.output
    for res in (change, index):
        tables = res.output.replace(str(demo_store_path), "")  # the notes too
        found = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", tables))
        assert not found, found
        assert other not in tables and "nan" not in tables.split()
    assert all(h in " ".join(change.stdout.split()) for h in heads)
    shown = " ".join(index.stdout.split())
    assert ("Deciel" if taal == "nl" else "Decile") in shown
    assert ("Inkomen" if taal == "nl" else "Income") in shown


@pytest.mark.parametrize("taal", ["nl", "en"])
def test_data_commands_print_labelled_headings(demo_store_path, taal):
    """areas, show, sources, crosswalk and indicators: every column heading is a word of
    the user's language, never a snake_case id; coded cells (flags, levels) are words."""
    commands = [
        ("areas", "-g", "Voorbeeldstad"),
        ("show", "a_inw", "-g", "Voorbeeldstad"),
        ("sources",),
        ("crosswalk", "-g", "Voorbeeldstad", "--van", "2015", "--naar", "2022"),
        ("indicators",),
    ]
    for command in commands:
        res = run("--taal", taal, *command, "--store", demo_store_path)
        assert res.exit_code == 0, res.output
        heads = [line for line in res.output.splitlines() if line.startswith("┃")]
        assert heads, res.output
        for line in heads:
            cells = [c.strip() for c in line.strip("┃").split("┃")]
            assert not [c for c in cells if "_" in c], (command, line)
        if command[0] == "crosswalk":  # the demo has a split and a merge 2015 → 2022
            split, merged = {"nl": ("gesplitst", "samengevoegd"), "en": ("split", "merged")}[taal]
            assert split in res.output and merged in res.output
