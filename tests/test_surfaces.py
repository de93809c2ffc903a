"""One number, one meaning: the same buurt-year asked through every surface (CLI index,
verandering, onzekerheid, the report's tabellen.xlsx, kaarten.gpkg and run.json, the API's
index and buurt panel) gives the same score, rank and class, on one spec hash."""

from __future__ import annotations

import html
import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from buurtbalans.cli import app

# (gemeente, buurt, van, tot, vintage, reference as named, index command on the same basis)
CASES = {
    # the demo: no national data, so the gemeente's own buurten; Oud Park
    "demo": ("GM9999", "BU99990701", 2015, 2024, 2022, "t.o.v. de eigen buurten 2015–2024", True),
    # the reduced national twin: all NL buurten, pooled over both years; West Kamp. Its
    # health indicators of 2016 are not in 2024, so the change rests on fewer indicators
    # than the index command of each year (a different basis, stated by each surface)
    "twin": ("GM0344", "BU03440200", 2016, 2024, 2024, "t.o.v. Nederland 2016–2024", False),
}
runner = CliRunner()


def _run(*args: object) -> None:
    res = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == 0, res.output


def _hash_in(path: Path) -> set[str]:
    """The spec hash(es) a workbook's bronnen sheet records (field ``spec_hash``)."""
    sheet = pd.read_excel(path, engine="openpyxl", sheet_name="bronnen")
    return set(sheet.loc[sheet["veld"] == "spec_hash", "waarde"].astype(str))


@pytest.fixture(scope="module", params=sorted(CASES))
def surfaces(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One buurt's score in the first (and last) year through each surface, and each
    surface's hash, on the demo and on the reduced national twin."""
    from buurtbalans.report import build_report
    from buurtbalans.store import Store

    GM, BUURT, VAN, TOT, VINTAGE, REF, SAME_INDEX = CASES[request.param]
    source = request.getfixturevalue("demo_store_path" if request.param == "demo" else "twin_klein")
    source = source if isinstance(source, Path) else source[0]
    tmp = tmp_path_factory.mktemp(f"surfaces-{request.param}")
    store = tmp / "store.duckdb"
    shutil.copy(source, store)
    got: dict[str, dict] = {"case": {"van": VAN, "tot": TOT, "ref": REF, "same": SAME_INDEX}}

    _run("index", "-g", GM, "--jaren", f"{VAN},{TOT}", "--vintage", VINTAGE,
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
        # rank within the gemeente (1 = most deprived), what onzekerheid's 'rang' means
        "rank_in_gemeente": v[f"score_{VAN}"].rank(ascending=False, method="first")[BUURT],
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
    got["report html"] = {"text": html.unescape(rep.files["html"].read_text("utf-8"))}
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
    exact = surfaces["cli verandering"]["score"]
    if surfaces["case"]["same"]:
        assert surfaces["cli index"]["score"] == pytest.approx(exact, abs=1e-9)
    assert surfaces["api index"]["score"] == pytest.approx(exact, abs=1e-9)
    assert surfaces["api panel"]["score"] == pytest.approx(exact, abs=1e-9)
    assert surfaces["api panel"]["change_from"] == pytest.approx(exact, abs=1e-9)  # one 2015
    assert surfaces["report xlsx"]["score"] == round(exact, 1)  # shown with 1 decimal
    assert surfaces["report gpkg"]["score"] == pytest.approx(round(exact, 2), abs=1e-9)
    delta = surfaces["api panel"]["score_tot"] - exact
    assert surfaces["api panel"]["delta"] == pytest.approx(delta, abs=1e-9)
    assert surfaces["cli verandering"]["delta"] == pytest.approx(delta, abs=1e-9)


def test_one_rank_and_class(surfaces: dict) -> None:
    """The engine's rank is within the reference set of the year (all NL for a national
    reference); onzekerheid's 'rang' is within the gemeente. On the gemeente's own
    reference the two are the same number."""
    rank, cls = surfaces["api index"]["rank"], surfaces["cli verandering"]["class"]
    names = ["report xlsx"] + (["cli index"] if surfaces["case"]["same"] else [])
    for name in names:
        assert surfaces[name]["rank"] == rank, name
    own = surfaces["cli verandering"]["rank_in_gemeente"]
    assert surfaces["cli onzekerheid"]["rank"] == own
    if surfaces["case"]["ref"].startswith("t.o.v. de eigen"):
        assert own == rank
    for name in ["api index", "report gpkg", "cli onzekerheid", *names]:
        assert surfaces[name]["class"] == cls, name


def test_one_spec_hash(surfaces: dict) -> None:
    h = surfaces["report run.json"]["hash"]
    assert len(h) == 64
    if surfaces["case"]["same"]:
        assert surfaces["cli index"]["hash"] == h
    assert surfaces["api index"]["hash"] == h and surfaces["api index"]["run hash"] == h
    assert surfaces["cli verandering"]["hashes"] == {h}
    assert surfaces["cli onzekerheid"]["hashes"] == {h}
    text = surfaces["report html"]["text"]
    assert f"spec {h[:10]}" in text
    import re

    shown = set(re.findall(r"spec(?:-hash)? ([0-9a-f]{8,12})\b", text))
    assert shown and all(h.startswith(s) for s in shown)


def test_the_reference_is_named(surfaces: dict) -> None:
    """Every surface names the reference its classes rest on: the demo has no national
    data, so its own buurten (and the report warns); the twin all NL, pooled."""
    ref = surfaces["case"]["ref"]
    assert surfaces["api index"]["reference"] == ref
    assert surfaces["api panel"]["reference"] == ref
    text = surfaces["report html"]["text"]
    assert ref in text
    own = "niet ten opzichte van Nederland: 'zeer hoog' betekent hier hoog binnen de gemeente"
    assert (own in text) == ref.startswith("t.o.v. de eigen")
