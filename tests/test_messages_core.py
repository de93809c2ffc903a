"""The messages of the store, the index engine and the spec come from the NL/EN catalogue:
Dutch for a Dutch reader, English as ``str()``."""

from __future__ import annotations

import pandas as pd
import pytest

from buurtbalans.errors import DataError, OutputError, SpecError, StoreError
from buurtbalans.index.engine import compute
from buurtbalans.regions import parse_code
from buurtbalans.spec import load_spec, parse_spec
from buurtbalans.store import Store
from said import both


def test_a_missing_store_is_named_in_dutch_and_in_english(tmp_path):
    path = tmp_path / "geen.duckdb"
    with pytest.raises(StoreError) as exc:
        Store(path, read_only=True)
    assert str(exc.value).startswith(f"there is no store at {path}. Fix: import data first")
    nl = exc.value.text("nl")
    assert nl.startswith(f"er is geen store op {path}. Oplossing: importeer eerst gegevens")
    assert "Fix" not in nl and "there is" not in nl


def test_a_bad_area_code_is_wholly_dutch():
    with pytest.raises(DataError) as exc:
        parse_code("BU14", file="k.csv", row=3, column="gwb_code_10")
    both(
        exc.value,
        "'BU14' is not a CBS area code (file k.csv, row 3, column 'gwb_code_10'). Fix: use "
        "codes like GM0141 (gemeente), WK014101 (wijk) or BU01410101 (buurt)",
        "'BU14' is geen CBS-gebiedscode (bestand k.csv, rij 3, kolom 'gwb_code_10'). "
        "Oplossing: gebruik codes als GM0141 (gemeente), WK014101 (wijk) of BU01410101 (buurt)",
    )


def test_a_spec_mistake_names_the_key_in_the_readers_language():
    doc = {
        "index": {"name": "t"},
        "domain": [{"id": "inkomen", "weight": 100}],
        "indicator": [{"id": "x", "domain": 5}],
    }
    with pytest.raises(SpecError) as exc:
        parse_spec(doc, where="t.toml")
    both(
        exc.value,
        "t.toml: indicator 'x' domain is 5, not a text. Fix: write it in quotes, e.g. "
        'domain = "inkomen"',
        "t.toml: indicator 'x' domain is 5, geen tekst. Oplossing: zet het tussen "
        'aanhalingstekens, bijvoorbeeld domain = "inkomen"',
    )


def test_spec_lists_and_plurals_are_words_not_python():
    with pytest.raises(SpecError) as exc:
        parse_spec({"index": {"colour": "red", "size": 3}, "domain": []})
    assert str(exc.value).startswith("spec: unknown keys colour and size in [index]. Fix:")
    assert exc.value.text("nl").startswith(
        "specificatie: onbekende sleutels colour en size in [index]. Oplossing: gebruik alleen"
    )
    with pytest.raises(SpecError) as exc:
        load_spec("mdi").subset(["geluk"])
    assert "[" not in str(exc.value) and "unknown domain 'geluk'; the spec has" in str(exc.value)
    assert exc.value.text("nl").startswith("onbekend domein 'geluk'; de specificatie heeft")


def test_engine_and_write_errors_in_dutch(tmp_path):
    spec = load_spec("mdi")
    with pytest.raises(DataError) as exc:
        compute(pd.DataFrame({"code": ["BU1"]}), spec)
    assert str(exc.value).startswith("missing id column area_code; the data has code. Fix:")
    assert exc.value.text("nl") == (
        "ontbrekende id-kolom area_code; de gegevens hebben code. Oplossing: geef met "
        "--id-column de naam van de kolom met de gebieds-id"
    )
    from buurtbalans.atomic import write_error

    error = write_error(tmp_path / "uit.xlsx", OSError(28, "No space left on device"))
    assert isinstance(error, OutputError)
    assert str(error).startswith(f"cannot write {tmp_path / 'uit.xlsx'}: No space left")
    assert error.text("nl").startswith(f"kan {tmp_path / 'uit.xlsx'} niet schrijven: No space")
