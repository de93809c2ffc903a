"""The dashboard's Staat van de stad tab: the API gives per theme the chapter's sentences,
table and trend chart, in NL and EN, with downloads of the table and the series."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from buurtbalans.web import create_app


@pytest.fixture(scope="module")
def client(demo_store_path: Path, tmp_path_factory) -> TestClient:
    path = tmp_path_factory.mktemp("web") / "store.duckdb"
    shutil.copy(demo_store_path, path)
    return TestClient(create_app(path))


@pytest.mark.parametrize("taal", ["nl", "en"])
def test_stad_tab_payload(client: TestClient, taal: str) -> None:
    resp = client.get(f"/api/v1/gemeenten/GM9999/stad?van=2015&jaar=2024&taal={taal}")
    assert resp.status_code == 200, resp.text
    d = resp.json()
    assert d["synthetic"] and d["regio"]["name"] == "Voorbeeldregio (synthetisch)"
    assert len(d["themes"]) >= 8
    first = d["themes"][0]
    assert first["situatie"] and first["trends"] and first["vooruitblik"]
    chart = first["charts"][0]
    assert chart["png"].startswith("/api/v1/gemeenten/GM9999/stad/grafieken/")
    png = client.get(chart["png"])  # fetched by the browser after the tab's text
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert (
        client.get(chart["png"], headers={"if-none-match": png.headers["etag"]}).status_code == 304
    )
    assert first["table"] and "2015-2024" in str(first["table"][0])
    word = "steeg" if taal == "nl" else "rose"
    assert any(word in s for th in d["themes"] for s in th["trends"])
    assert d["aandachtspunten"]


def test_a_chart_that_is_not_there_is_a_clear_problem(client: TestClient) -> None:
    resp = client.get("/api/v1/gemeenten/GM9999/stad/grafieken/a_inw?taal=en")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "no trend chart of 'a_inw'" in resp.json()["detail"]
    assert "Fix: choose one of" in resp.json()["detail"]


def test_the_payload_can_embed_its_charts(client: TestClient, demo_store_path: Path) -> None:
    """Without a chart address (e.g. a payload saved whole) each chart is a data URI."""
    from buurtbalans.store import Store
    from buurtbalans.web.stad import stad_frames, stad_payload

    with Store(demo_store_path, read_only=True) as st:
        a = stad_frames(st, "GM9999", 2015, 2024)
    data = stad_payload(a, "nl", True)
    charts = [c for th in data["themes"] for c in th["charts"]]
    assert charts and all(c["png"].startswith("data:image/png;base64,") for c in charts)


def test_stad_downloads_and_page(client: TestClient) -> None:
    resp = client.get("/api/v1/gemeenten/GM9999/tabellen/stad?formaat=csv&van=2015&jaar=2024")
    assert resp.status_code == 200, resp.text
    assert "tempo_regio" in resp.text and "voorbeeldstad-gemeentereeksen" in resp.text
    page = client.get("/")
    assert 'data-tab="stad"' in page.text


def test_stad_without_series_is_a_clear_problem(client: TestClient) -> None:
    resp = client.get("/api/v1/gemeenten/GM0363/stad")
    assert resp.status_code in (404, 409)
    assert resp.headers["content-type"].startswith("application/problem+json")
