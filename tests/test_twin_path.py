"""The real user's path on the national twin: every command, for the smallest gemeente, a
large one, the herindeling (Dijk en Waard, 2022) and one with a boundary split, exits 0 or
refuses with a named error — never an internal error. The full-size run is marked slow."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.cli import main

# smallest (Schiermonnikoog), large (Almere), herindeling, split in 2019, Almelo
GEMEENTEN = ("GM0088", "GM0034", "GM1980", "GM0118", "GM0141")


def run(capsys, *args: object) -> tuple[int, str]:
    """``buurtbalans ARGS`` through the real entry point (its error handling included):
    exit code and everything printed. Never an internal error; a refusal is one line with
    its fix."""
    argv = ["buurtbalans", *(str(a) for a in args)]
    code = 0
    with mock.patch.object(sys, "argv", argv):
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
    got = capsys.readouterr()
    text = got.out + got.err
    assert "Interne fout" not in text and code in (0, 1), (args, text[-2000:])
    if code == 1:
        assert "Fout:" in got.err and "Fix:" in got.err, got.err
    return code, text


def commands(store: Path, gm: str, van: int, tot: int, out: Path) -> list[tuple]:
    s = ("--store", store)
    return [
        ("areas", "-g", gm, *s),
        ("show", "p_wcorpw", "-g", gm, *s),
        ("crosswalk", "-g", gm, "--van", van, "--naar", tot, *s),
        ("index", "--spec", "mdi", "-g", gm, "--jaren", f"{van},{tot}", *s),
        ("verandering", "-g", gm, "--van", van, "--tot", tot, *s),
        ("prioriteiten", "-g", gm, "--van", van, "--tot", tot, *s),
        ("veerkracht", "-g", gm, "--van", van, "--tot", 2020, *s),
        ("veerkracht", "-g", gm, "--van", van, "--tot", tot, *s),  # health 2024: refused
        ("benchmark", "-g", gm, *s),
        ("onzekerheid", "-g", gm, "--van", van, "--tot", tot, "--runs", 64, *s),
        ("rapport", "-g", gm, "--van", van, "--tot", tot, "--uit", out, "--geen-pdf", *s),
    ]


@pytest.mark.parametrize("gm", GEMEENTEN[:4])
def test_every_command_on_the_reduced_twin(twin_klein, tmp_path, capsys, gm):
    store = twin_klein[0]
    codes: dict[str, int] = {}
    for args in commands(store, gm, 2016, 2024, tmp_path / "rapport"):
        codes.setdefault(str(args[0]), run(capsys, *args)[0])
    assert codes["index"] == codes["verandering"] == codes["rapport"] == 0, codes
    assert (tmp_path / "rapport" / "tabellen.xlsx").is_file()
    html = (tmp_path / "rapport" / "rapport.html").read_text("utf-8")
    assert "nationale tweeling" in html


def test_refusals_name_what_is_missing(twin_klein, capsys):
    store = twin_klein[0]
    code, text = run(
        capsys, "veerkracht", "-g", "GM0141", "--van", 2016, "--tot", 2024, "--store", store
    )
    assert code == 1 and "2016, 2020" in text  # the health years the store has


def test_rapport_with_pdf_in_english(twin_klein, tmp_path, capsys):
    run(
        capsys,
        "rapport",
        "-g",
        "Almelo",
        "--van",
        2016,
        "--tot",
        2024,
        "--taal",
        "en",
        "--uit",
        tmp_path / "en",
        "--store",
        twin_klein[0],
    )
    assert (tmp_path / "en" / "rapport.pdf").stat().st_size > 50_000


def test_doctor_and_sources_on_the_twin(twin_klein, capsys):
    assert run(capsys, "doctor", "--store", twin_klein[0])[0] == 0
    assert "synthetisch" in run(capsys, "sources", "--store", twin_klein[0])[1].lower()


def test_serve_national_map_and_a_gemeente(twin_klein):
    pytest.importorskip("fastapi")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from buurtbalans.web import create_app

    client = TestClient(create_app(twin_klein[0]))
    gms = client.get("/api/v1/gemeenten").json()
    assert len(gms) >= 25 and all(g["synthetisch"] for g in gms)
    national = client.get("/api/v1/gebieden")
    assert national.status_code == 200
    for path in ("", "/index", "/verandering", "/prioriteiten", "/veerkracht", "/benchmark"):
        resp = client.get(f"/api/v1/gemeenten/GM1980{path}")
        assert resp.status_code < 500, (path, resp.text[:300])
    assert client.get("/").status_code == 200


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_internal_error_for_any_gemeente(twin_klein, capsys, data):
    gm = data.draw(st.sampled_from(twin_klein[2]["gemeenten"]))
    for args in commands(twin_klein[0], gm, 2016, 2024, Path("unused"))[3:6]:
        run(capsys, *args)


@pytest.mark.slow
def test_full_national_twin_path(tmp_path, capsys):
    """At national size: build, then every command for five gemeenten (minutes)."""
    store = tmp_path / "nl.duckdb"
    run(capsys, "demo", "--nederland", "--store", store)
    for gm in GEMEENTEN:
        for args in commands(store, gm, 2015, 2024, tmp_path / gm):
            run(capsys, *args)
