"""One number, one meaning: the same buurt-year asked through every surface (CLI index,
verandering, onzekerheid, the report's tabellen.xlsx, kaarten.gpkg and run.json, the API's
index and buurt panel) gives the same score, rank and class, on one spec hash."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from buurtbalans.cli import app

GM, BUURT, VAN, TOT = "GM9999", "BU99990701", 2015, 2024  # Oud Park
runner = CliRunner()


def _run(*args: object) -> None:
    res = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == 0, res.output


def _hash_in(path: Path) -> set[str]:
    """Every 64-hex spec hash in a workbook's bronnen sheet."""
    import re

    text = pd.read_excel(path, engine="openpyxl", sheet_name="bronnen").to_string()
    return set(re.findall(r"\b[0-9a-f]{64}\b", text))


@pytest.fixture(scope="module")
def surfaces(demo_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Oud Park's 2015 (and 2024) score through each surface, and each surface's hash."""
    from buurtbalans.report import build_report
    from buurtbalans.store import Store

    tmp = tmp_path_factory.mktemp("surfaces")
    store = tmp / "store.duckdb"
    shutil.copy(demo_store_path, store)
    got: dict[str, dict] = {}

    _run("index", "-g", GM, "--jaren", f"{VAN},{TOT}", "--vintage", 2022,
         "--output", tmp / "index.xlsx", "--store", store)  # fmt: skip
    t = pd.read_excel(tmp / "index.xlsx", engine="openpyxl", sheet_name="MDI")
    row = t[(t["area_code"] == BUURT) & (t["period"] == VAN)].iloc[0]
    got["cli index"] = {"score": row["score"], "rank": row["rank"], "class": row["class"]}
    got["cli index"]["hash"] = json.loads((tmp / "index.run.json").read_text())["spec_hash"]

    _run("verandering", "-g", GM, "--van", VAN, "--tot", TOT,
         "--output", tmp / "v.xlsx", "--store", store)  # fmt: skip
    v = pd.read_excel(tmp / "v.xlsx", engine="openpyxl", sheet_name="verandering").set_index(
        "area_code"
    )
    got["cli verandering"] = {
        "score": v.loc[BUURT, f"score_{VAN}"],
        "class": v.loc[BUURT, f"class_{VAN}"],
        "delta": v.loc[BUURT, "delta"],
        "hashes": _hash_in(tmp / "v.xlsx"),
    }

    _run("onzekerheid", "-g", GM, "--van", VAN, "--tot", TOT, "--runs", 64,
         "--output", tmp / "u.xlsx", "--store", store)  # fmt: skip
    u = pd.read_excel(tmp / "u.xlsx", engine="openpyxl", sheet_name="onzekerheid per jaar")
    row = u[(u["area_code"] == BUURT) & (u["period"] == VAN)].iloc[0]
    got["cli onzekerheid"] = {
        "rank": row["rang"],
        "class": row["klasse"],
        "hashes": _hash_in(tmp / "u.xlsx"),
    }

    with Store(store, read_only=True) as st:
        rep = build_report(st, GM, VAN, TOT, uit=tmp / "rapport", pdf=False, benchmark=False)
    x = pd.read_excel(rep.files["xlsx"], engine="openpyxl", sheet_name="domeinscores per jaar")
    row = x[(x["code"] == BUURT) & (x["Jaar"] == VAN)].iloc[0]
    got["report xlsx"] = {"score": row["MDI-score"], "rank": row["rang"], "class": row["klasse"]}
    run = json.loads(rep.files["run"].read_text())
    got["report run.json"] = {"hash": run["spec_hash"]}
    got["report html"] = {"text": rep.files["html"].read_text("utf-8")}
    import geopandas as gpd

    g = gpd.read_file(rep.files["gpkg"], layer="mdi").set_index("code")
    got["report gpkg"] = {
        "score": g.loc[BUURT, f"score_{VAN}"],
        "class": g.loc[BUURT, f"class_{VAN}"],
    }

    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from buurtbalans.web import create_app

    client = TestClient(create_app(store))
    idx = client.get(f"/api/v1/gemeenten/{GM}/index?van={VAN}&jaar={TOT}").json()
    row = next(r for r in idx["rows"] if r["area_code"] == BUURT and r["period"] == VAN)
    got["api index"] = {
        "score": row["score"],
        "rank": row["rank"],
        "class": row["class"],
        "hash": idx["spec"]["hash"],
        "run hash": idx["run"]["spec_hash"],
        "reference": idx["reference_label_nl"],
    }
    panel = client.get(f"/api/v1/gemeenten/{GM}/buurten/{BUURT}?van={VAN}&jaar={TOT}").json()
    across = {r["period"]: r for r in panel["across_years"]}
    got["api panel"] = {
        "score": across[VAN]["score"],
        "score_tot": across[TOT]["score"],
        "delta": panel["change"]["delta"],
        "change_from": panel["change"][f"score_{VAN}"],
        "reference": panel["reference_nl"],
    }
    return got


def test_one_score_per_buurt_year(surfaces: dict) -> None:
    exact = surfaces["cli index"]["score"]
    assert surfaces["cli verandering"]["score"] == pytest.approx(exact, abs=1e-9)
    assert surfaces["api index"]["score"] == pytest.approx(exact, abs=1e-9)
    assert surfaces["api panel"]["score"] == pytest.approx(exact, abs=1e-9)
    assert surfaces["api panel"]["change_from"] == pytest.approx(exact, abs=1e-9)  # one 2015
    assert surfaces["report xlsx"]["score"] == round(exact, 1)  # shown with 1 decimal
    assert surfaces["report gpkg"]["score"] == pytest.approx(round(exact, 2), abs=1e-9)
    delta = surfaces["api panel"]["score_tot"] - exact
    assert surfaces["api panel"]["delta"] == pytest.approx(delta, abs=1e-9)
    assert surfaces["cli verandering"]["delta"] == pytest.approx(delta, abs=1e-9)


def test_one_rank_and_class(surfaces: dict) -> None:
    rank, cls = surfaces["cli index"]["rank"], surfaces["cli index"]["class"]
    for name in ("api index", "report xlsx", "cli onzekerheid"):
        assert surfaces[name]["rank"] == rank, name
    for name in ("cli verandering", "api index", "report xlsx", "report gpkg", "cli onzekerheid"):
        assert surfaces[name]["class"] == cls, name


def test_one_spec_hash(surfaces: dict) -> None:
    h = surfaces["cli index"]["hash"]
    assert len(h) == 64
    assert surfaces["report run.json"]["hash"] == h
    assert surfaces["api index"]["hash"] == h and surfaces["api index"]["run hash"] == h
    assert surfaces["cli verandering"]["hashes"] == {h}
    assert surfaces["cli onzekerheid"]["hashes"] == {h}
    html = surfaces["report html"]["text"]
    assert f"spec {h[:10]}" in html
    import re

    shown = set(re.findall(r"spec(?:-hash)? ([0-9a-f]{8,12})\b", html))
    assert shown and all(h.startswith(s) for s in shown)


def test_the_reference_is_named(surfaces: dict) -> None:
    """The demo has no national data: its classes are relative to its own buurten, and
    every surface says so."""
    own = f"t.o.v. de eigen buurten {VAN}–{TOT}"
    assert surfaces["api index"]["reference"] == own
    assert surfaces["api panel"]["reference"] == own
    assert own in surfaces["report html"]["text"]
