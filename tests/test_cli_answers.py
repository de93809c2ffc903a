"""A printed answer kept next to the store: asked again of the same store, ``index -g X``
prints the same text without computing; a changed store, another language or an answer
that writes a file computes again."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from buurtbalans.cli import app
from buurtbalans.cli.answers import store_identity
from buurtbalans.index import store_mode
from buurtbalans.store import Store
from buurtbalans.terms import set_taal


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=True)


@pytest.fixture
def store(demo_store_path, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_store_path, path)
    return path


@pytest.fixture
def no_compute(monkeypatch):
    """Computing an index fails from here on: an answer printed now was kept."""

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    def arm():
        monkeypatch.setattr(store_mode, "index_for_gemeente", refuse)

    return arm


def test_asked_again_prints_the_kept_answer_without_computing(store, no_compute):
    first = run("index", "-g", "GM9999", "--jaren", "2016,2024", "--store", store)
    assert first.exit_code == 0, first.output
    assert "MDI" in first.stdout
    assert list((store.parent / "demo.duckdb.referentie" / "antwoorden").glob("*.pkl"))
    no_compute()
    again = run("index", "-g", "GM9999", "--jaren", "2016,2024", "--store", store)
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout
    assert again.stderr == first.stderr


def test_other_options_or_language_compute_again(store, no_compute):
    assert run("index", "-g", "GM9999", "--jaren", "2016,2024", "--store", store).exit_code == 0
    no_compute()
    other_years = run("index", "-g", "GM9999", "--jaren", "2020,2024", "--store", store)
    assert "computed again" in repr(other_years.exception)
    try:
        english = run(
            "--taal", "en", "index", "-g", "GM9999", "--jaren", "2016,2024", "--store", store
        )
    finally:
        set_taal(None)
    assert "computed again" in repr(english.exception)


def test_a_changed_store_computes_again(store, no_compute):
    assert run("index", "-g", "GM9999", "--jaren", "2016,2024", "--store", store).exit_code == 0
    before = store_identity(store)
    with Store(store) as st:  # any write: here one observation less
        st.con.execute(
            "DELETE FROM observations WHERE rowid = (SELECT min(rowid) FROM observations)"
        )
    assert store_identity(store) != before
    no_compute()
    res = run("index", "-g", "GM9999", "--jaren", "2016,2024", "--store", store)
    assert "computed again" in repr(res.exception)


def test_an_answer_that_writes_a_file_is_never_replayed(store, tmp_path, no_compute):
    out = tmp_path / "mdi.csv"
    assert (
        run(
            "index", "-g", "GM9999", "--jaren", "2016,2024", "--store", store, "--output", out
        ).exit_code
        == 0
    )
    assert out.is_file()
    assert not (store.parent / "demo.duckdb.referentie" / "antwoorden").exists()
    no_compute()
    res = run("index", "-g", "GM9999", "--jaren", "2016,2024", "--store", store, "--output", out)
    assert "computed again" in repr(res.exception)


def test_no_store_file_keeps_nothing(tmp_path):
    missing = tmp_path / "geen.duckdb"
    res = run("index", "-g", "GM9999", "--jaren", "2016,2024", "--store", missing)
    assert res.exit_code != 0
    assert not missing.exists()
    assert not (tmp_path / "geen.duckdb.referentie").exists()
