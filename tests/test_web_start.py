"""Starting the dashboard: a port that cannot be used is refused in one clear line, warming
that fails logs one plain line (no traceback), the page opens on a gemeente and years with
index data, and refusals come in the page's language."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from buurtbalans.errors import DataError, Msg
from buurtbalans.store import Store
from buurtbalans.web import create_app, views
from buurtbalans.web.access import StoreAccess
from buurtbalans.web.app import warm_up


def _serve(*args: str, taal: str = "nl") -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "BUURTBALANS_TAAL": taal}
    return subprocess.run(
        [sys.executable, "-m", "buurtbalans", "serve", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.parametrize(
    ("taal", "words"), [("nl", "van 1 tot en met 65535"), ("en", "from 1 to 65535")]
)
@pytest.mark.parametrize("port", ["99999", "0", "-5"])
def test_a_port_outside_1_65535_is_refused(port: str, taal: str, words: str) -> None:
    out = _serve("--demo", "--port", port, taal=taal)
    assert out.returncode == 2, out.stderr
    text = " ".join(out.stderr.split()).replace("│", "")
    assert words in " ".join(text.split()) and "Traceback" not in out.stderr
    assert "terminate" not in out.stderr and "OverflowError" not in out.stderr


@pytest.mark.parametrize(("taal", "words"), [("nl", "al in gebruik"), ("en", "already in use")])
def test_a_port_in_use_is_refused_in_one_line(taal: str, words: str, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        out = _serve("--store", str(tmp_path), "--port", port, taal=taal)
        assert out.returncode == 1
        assert "Traceback" not in out.stderr
        # a folder is named as such (checked first), never "wait until the import finished"
        assert ("is een map" if taal == "nl" else "is a folder") in out.stderr
        store = tmp_path / "s.duckdb"
        Store(store).close()
        out = _serve("--store", str(store), "--port", port, taal=taal)
    assert out.returncode == 1 and words in " ".join(out.stderr.split())
    assert "Traceback" not in out.stderr and "Errno" not in out.stderr


def test_a_folder_as_store_is_named_a_folder(tmp_path: Path) -> None:
    from buurtbalans.errors import StoreError

    with pytest.raises(StoreError) as info:
        StoreAccess(tmp_path)
    assert "is een map" in info.value.text("nl") and "wait until" not in str(info.value)


def test_failed_warming_logs_one_line_without_traceback(
    demo_store_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*_a, **_k):
        raise DataError(Msg("err_an_web_vk_one_year", van=2012, jaar=2012))

    monkeypatch.setattr(views, "analysis", refuse)
    monkeypatch.setenv("BUURTBALANS_TAAL", "nl")
    with caplog.at_level(logging.DEBUG, logger="buurtbalans.web"):
        assert warm_up(StoreAccess(demo_store_path)) is None
    shown = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(shown) == 1 and shown[0].exc_info is None
    line = shown[0].getMessage()
    assert "\n" not in line and "Traceback" not in line
    assert "Voorbeeldstad" in line and "eerste aanvraag" in line and "failed" not in line


@pytest.fixture(scope="module")
def thin_first(demo_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store plus a gemeente GM0001 that sorts first and has health data only."""
    path = tmp_path_factory.mktemp("thin") / "store.duckdb"
    shutil.copy(demo_store_path, path)
    with duckdb.connect(str(path)) as con:
        vintage, source = con.execute(
            "SELECT vintage, source_id FROM observations LIMIT 1"
        ).fetchone()
        con.execute(
            "INSERT INTO areas VALUES ('GM0001', ?, 'gemeente', 'Eerstedorp', NULL, 'GM0001', ?)",
            [vintage, source],
        )
        for b in ("BU00010001", "BU00010002"):
            con.execute(
                "INSERT INTO areas VALUES (?, ?, 'buurt', NULL, NULL, 'GM0001', ?)",
                [b, vintage, source],
            )
            for year in (2012, 2020):
                con.execute(
                    "INSERT INTO observations VALUES (?, ?, ?, 'gz_ervaren_goed', 70, 'ok', ?)",
                    [b, vintage, year, source],
                )
    return path


def test_landing_is_a_gemeente_with_index_data(thin_first: Path) -> None:
    with Store(thin_first, read_only=True) as st:
        gms = views.gemeenten(st)
    assert gms[0]["code"] == "GM0001" and gms[0]["index_jaren"] == []
    chosen = [g for g in gms if g["voorkeur"]]
    assert [g["code"] for g in chosen] == ["GM9999"]
    g = chosen[0]
    assert views.years(g, None, None) == (g["index_jaren"][0], g["index_jaren"][-1])
    client = TestClient(create_app(thin_first))
    api = client.get("/api/v1/gemeenten").json()
    assert [x["code"] for x in api if x["voorkeur"]] == ["GM9999"]
    r = client.get("/api/v1/gemeenten/GM9999/index")
    assert r.status_code == 200 and r.json()["van"] < r.json()["jaar"]
    assert warm_up(StoreAccess(thin_first)) == "GM9999"


def test_a_refusal_comes_in_the_pages_language(thin_first: Path) -> None:
    client = TestClient(create_app(thin_first))
    nl = client.get("/api/v1/gemeenten/GM0001/index", headers={"Accept-Language": "nl"})
    en = client.get("/api/v1/gemeenten/GM0001/index", headers={"Accept-Language": "en-GB"})
    assert nl.status_code == en.status_code and nl.status_code >= 400
    assert nl.json()["detail"] != en.json()["detail"]
    assert " cannot " not in nl.json()["detail"] and " the " not in nl.json()["detail"]


def test_one_year_says_that_year_not_both(demo_store_path: Path) -> None:
    client = TestClient(create_app(demo_store_path))
    d = client.get("/api/v1/gemeenten/GM9999/index?van=2024&jaar=2024").json()
    for taal, both in (("nl", "beide jaren"), ("en", "both years")):
        assert both not in d[f"reference_{taal}"] and "2024" in d[f"reference_{taal}"]
        assert "–" not in d[f"reference_label_{taal}"]
