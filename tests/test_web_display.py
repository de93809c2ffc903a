"""What the dashboard's tables show (buurtbalans.web.display through the API): in both
languages every heading and cell is a word from the catalogue, the codebook or the data —
never a snake_case id, None, nan or a Python repr, and no word of the other language; a
store without boundaries still serves the ranking and says how to get the map."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from buurtbalans.sources.codebook import catalogue
from buurtbalans.terms import TERMS
from buurtbalans.web import create_app

GM = "GM9999"
RAW = re.compile(
    r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\bNone\b|\bnan\b|\bnull\b|\[['\"]|\{['\"]|<[A-Za-z]"
)
# words that give away the other language in a cell (proper names aside)
OTHER = {
    "nl": re.compile(r"\b(the|neighbourhoods?|municipality|residents|peers|yes|and)\b"),
    "en": re.compile(r"\b(de|het|buurten?|gemeenten?|inwoners|ja|nee|geen|en|van)\b"),
}
NAMES = re.compile(r"Voorbeeld(stad|gemeente [A-Z])|Oud |Hoog |Laag |Midden |Nieuw ")


def _catalogue_words(taal: str) -> set[str]:
    words: set[str] = set()
    for entry in TERMS.values():
        text = entry[taal]
        for part in text.values() if isinstance(text, dict) else [text]:
            words.add(part)
    words |= {(m.label_nl if taal == "nl" else m.label_en) for m in catalogue().values()}
    return words


def _tables(payload: object):
    """Every display table ({columns, rows}) inside a payload."""
    if isinstance(payload, dict):
        if "columns" in payload and "rows" in payload:
            yield payload
        else:
            for v in payload.values():
                yield from _tables(v)
    elif isinstance(payload, list):
        for v in payload:
            yield from _tables(v)


def _check(table: dict, taal: str, where: str) -> None:
    known = _catalogue_words(taal)
    for col in table["columns"]:
        label = col["label"]
        base = re.sub(r" \(\d{4}\)$", "", label)  # "Residents (2024)": a codebook label + year
        assert label in known or base in known or re.fullmatch(r"[<>]? ?[\d%–-]+ ?%?", label), (
            f"{where}: heading {label!r} is not in the catalogue"
        )
    codes = [c["kind"] == "code" for c in table["columns"]]  # table ids, buurt codes
    for row in table["rows"]:
        for text, code in zip(row["cells"], codes, strict=True):
            assert isinstance(text, str), (where, text)
            if code:
                continue
            assert not RAW.search(text), f"{where}: raw value {text!r}"
            assert not OTHER[taal].search(NAMES.sub("", text)), f"{where} ({taal}): {text!r}"


@pytest.fixture(scope="module")
def client(demo_store_path: Path) -> TestClient:
    return TestClient(create_app(demo_store_path))


@pytest.mark.parametrize("taal", ["nl", "en"])
@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/gemeenten/{GM}/prioriteiten",
        f"/api/v1/gemeenten/{GM}/veerkracht",
        f"/api/v1/gemeenten/{GM}/benchmark",
        "/api/v1/bronnen/tabel",
    ],
)
def test_every_table_speaks_one_language_without_raw_ids(client, path: str, taal: str) -> None:
    resp = client.get(path, params={"taal": taal})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    tables = list(_tables(body.get("display", body)))
    assert tables and all(t["rows"] for t in tables if t["columns"]), path
    for table in tables:
        _check(table, taal, path)
    for note in body.get("display", {}).get("notes", []):
        assert not RAW.search(note), note
        assert not OTHER[taal].search(NAMES.sub("", note)), note


def test_benchmark_names_its_peers_features_and_what_it_lacks(client) -> None:
    notes = client.get(f"/api/v1/gemeenten/{GM}/benchmark", params={"taal": "en"}).json()
    text = " ".join(notes["display"]["notes"])
    assert "Residents (2024)" in text and "not compared" in text  # said, never dropped
    peers = notes["display"]["peers"]
    assert [c["label"] for c in peers["columns"]][:2] == [
        "Municipality",
        "Distance in characteristics",
    ]


def test_numbers_have_fixed_decimals_and_booleans_are_words(client) -> None:
    d = client.get(f"/api/v1/gemeenten/{GM}/prioriteiten", params={"taal": "nl"}).json()["display"]
    scores = [r["cells"][2] for lst in d["lists"] for r in lst["table"]["rows"]]
    assert scores and all(re.fullmatch(r"\d+,\d", s) for s in scores)  # 86,0 beside 86,7
    robust = {r["cells"][-1] for r in d["robustness"]["rows"]}
    assert robust <= {"ja", "nee"}


@pytest.fixture
def no_boundaries(demo_store_path: Path, tmp_path: Path) -> TestClient:
    path = tmp_path / "store.duckdb"
    shutil.copy(demo_store_path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM boundaries")
    return TestClient(create_app(path))


def test_a_store_without_boundaries_still_ranks(no_boundaries) -> None:
    one_year = {"van": 2024, "jaar": 2024}  # two vintages need boundaries to be joined
    assert no_boundaries.get(f"/api/v1/gemeenten/{GM}/gebieden").status_code == 404
    index = no_boundaries.get(f"/api/v1/gemeenten/{GM}/index", params=one_year)
    assert index.status_code == 200 and len(index.json()["rows"]) > 0
    prio = no_boundaries.get(
        f"/api/v1/gemeenten/{GM}/prioriteiten", params={**one_year, "taal": "en"}
    )
    assert prio.status_code == 200
    assert "import file" in TERMS["map_needs_boundaries"]["en"]


@pytest.mark.shared
def test_the_amsterdam_statline_csv_alone_serves_every_tab(raw: Path, tmp_path: Path) -> None:
    """The real StatLine CSV of Amsterdam 2019 (no boundaries, one year, no peers)."""
    from buurtbalans.sources.detect import import_path
    from buurtbalans.store import Store

    csv = raw / "cbs-kwb2019-statline-amsterdam" / "kwb2019_84583NED_amsterdam.csv"
    if not csv.exists():
        pytest.skip(f"{csv} not present")
    path = tmp_path / "ams.duckdb"
    with Store(path) as st:
        st.write_all([import_path(csv)])
    client = TestClient(create_app(path))
    gm = "GM0363"
    assert client.get(f"/api/v1/gemeenten/{gm}/gebieden").status_code == 404
    assert client.get(f"/api/v1/gemeenten/{gm}/index").status_code == 200
    for taal in ("nl", "en"):
        for part in ("prioriteiten", "veerkracht", "benchmark"):
            resp = client.get(f"/api/v1/gemeenten/{gm}/{part}", params={"taal": taal})
            if part == "veerkracht":  # one year: the maps compare two, and say so
                assert resp.status_code in (200, 404, 422), resp.text
                continue
            assert resp.status_code == 200, resp.text
            for table in _tables(resp.json()["display"]):
                _check(table, taal, f"{part} {taal}")
        notes = client.get(f"/api/v1/gemeenten/{gm}/benchmark", params={"taal": taal}).json()
        assert len(notes["display"]["notes"]) == 1  # no peers: said, no "1 of 1" tables
