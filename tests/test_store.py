from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from buurtbalans.errors import DataError, SchemaVersionError
from buurtbalans.sources.batch import ImportBatch, SourceInfo
from buurtbalans.sources.tables import areas_from_codes
from buurtbalans.store import Store
from buurtbalans.store.schema import MIGRATIONS, SCHEMA_VERSION


def small_batch(source_id="test:1", value=10.0) -> ImportBatch:
    codes = pd.Series(["BU00010001", "BU00010002"])
    obs = pd.DataFrame(
        {
            "area_code": codes,
            "vintage": 2020,
            "period": 2020,
            "indicator": "a_inw",
            "value": [value, 20.0],
            "status": "ok",
        }
    )
    src = SourceInfo(source_id, "test", "t", "test", "2020", "f.csv", "abc", "test")
    return ImportBatch(src, areas_from_codes(codes, 2020), obs)


def test_migrations_and_catalogue(tmp_path):
    with Store(tmp_path / "s.duckdb") as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert "a_inw" in set(s.indicators()["id"])
    with Store(tmp_path / "s.duckdb") as s:  # reopening applies nothing twice
        assert s.schema_version() == SCHEMA_VERSION


def test_synthetic_sources_are_marked(demo_store):
    src = demo_store.sources()
    assert src["synthetic"].all() and len(src) > 0
    synthetic = demo_store.synthetic_gemeenten()  # Voorbeeldstad and its invented peers
    assert "GM9999" in synthetic and all(c.startswith("GM99") for c in synthetic)
    s = Store()
    s.write(small_batch())
    assert not s.sources()["synthetic"].any() and s.synthetic_gemeenten() == []


def test_reimport_is_idempotent():
    s = Store()
    s.write(small_batch())
    s.write(small_batch())
    assert s.counts()["observations"] == 2 and s.counts()["sources"] == 1


def test_failed_import_leaves_store_unchanged():
    s = Store()
    s.write(small_batch())
    before = s.con.execute("SELECT * FROM observations ORDER BY 1").df()
    bad = small_batch("test:2", value=1.0)
    bad.observations.loc[1, "status"] = "weird"  # violates the CHECK constraint mid-write
    with pytest.raises(Exception, match="CHECK|Constraint"):
        s.write(bad, vervang=True)
    pd.testing.assert_frame_equal(
        before, s.con.execute("SELECT * FROM observations ORDER BY 1").df()
    )
    assert s.counts()["sources"] == 1


def test_killed_import_leaves_store_as_before(tmp_path):
    path = tmp_path / "k.duckdb"
    with Store(path) as s:
        s.write(small_batch())
    script = textwrap.dedent(f"""
        import os, signal
        from buurtbalans.store import store as mod
        from buurtbalans.store import Store
        import tests.test_store as t
        s = Store({str(path)!r})
        real = s.con.execute
        def kill_after_observations(sql, *a):
            r = real(sql, *a)
            if "INTO observations" in sql:
                os.kill(os.getpid(), signal.SIGKILL)
            return r
        s.con = type("C", (), {{"execute": staticmethod(kill_after_observations),
                               "register": s.con.register, "unregister": s.con.unregister}})()
        s.write(t.small_batch("test:killed", value=999.0), vervang=True)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=str(tmp_path.parents[0]),
        env={
            "PYTHONPATH": os.pathsep.join(str(Path(__file__).parents[1] / d) for d in ("src", "")),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
    )
    assert proc.returncode == -9, proc.stderr.decode()
    with Store(path) as s:
        assert s.counts()["sources"] == 1
        vals = s.con.execute("SELECT value FROM observations ORDER BY area_code").df()
        assert vals["value"].tolist() == [10.0, 20.0]


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "n.duckdb"
    with Store(path) as s:
        s.con.execute("INSERT INTO migrations VALUES ('9999_future', 'x')")
    with pytest.raises(SchemaVersionError, match="newer buurtbalans"):
        Store(path)


def test_resolve_gemeente(demo_store):
    assert demo_store.resolve_gemeente("voorbeeldstad") == "GM9999"
    assert demo_store.resolve_gemeente("9999") == "GM9999"
    with pytest.raises(Exception, match="no gemeente named 'Atlantis'"):
        demo_store.resolve_gemeente("Atlantis")


def test_older_store_gets_demo_sources_marked_synthetic(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    name, initial = MIGRATIONS[0]
    initial(con)
    con.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    con.execute("INSERT INTO migrations VALUES (?, 'x')", [name])
    con.execute(
        "INSERT INTO sources (source_id, kind) VALUES ('demo:kwb:2015', 'demo'), ('cbs', 'kwb')"
    )
    con.close()
    with Store(path) as s:
        marked = s.sources().set_index("source_id")["synthetic"]
    assert marked["demo:kwb:2015"] and not marked["cbs"]


def _old_store_with_rows(path):
    """A store as 0005 left it (observations with the primary-key index), with rows."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    mine = [n for n, _ in MIGRATIONS].index("0006_observations_without_key_index")
    for name, apply in MIGRATIONS[:mine]:
        apply(con)
        con.execute("INSERT INTO migrations VALUES (?, 'x')", [name])
    con.execute("INSERT INTO sources (source_id, kind) VALUES ('s1', 'kwb')")
    con.execute(
        "INSERT INTO observations SELECT 'BU0141' || lpad(i::TEXT, 4, '0'), 2020, 2020 + i % 3, "
        "'a_inw', CASE WHEN i % 7 = 0 THEN NULL ELSE i * 1.5 END, "
        "CASE WHEN i % 7 = 0 THEN 'suppressed' ELSE 'ok' END, 's1' FROM range(500) t(i)"
    )
    rows = con.execute("SELECT * FROM observations ORDER BY ALL").fetchall()
    con.close()
    return rows


def test_migration_drops_the_key_index_and_keeps_every_row(tmp_path):
    path = tmp_path / "old.duckdb"
    before = _old_store_with_rows(path)
    with Store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        after = s.con.execute("SELECT * FROM observations ORDER BY ALL").fetchall()
        keys = s.con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'observations' "
            "AND constraint_type = 'PRIMARY KEY'"
        ).fetchone()[0]
    assert after == before
    assert keys == 0


def test_a_batch_with_a_key_twice_is_refused_naming_it(tmp_path):
    batch = small_batch()
    batch.observations = pd.concat([batch.observations, batch.observations.iloc[[1]]])
    with Store(tmp_path / "d.duckdb") as s:
        with pytest.raises(DataError, match="2 values for area BU00010002, indicator a_inw"):
            s.write(batch)
        assert s.counts()["observations"] == 0  # nothing written


def test_reimport_and_replace_keep_one_value_per_key(tmp_path):
    with Store(tmp_path / "r.duckdb") as s:
        s.write(small_batch())
        s.write(small_batch())  # the same source again: its rows replaced, not doubled
        s.write(small_batch("test:2", value=11.0), vervang=True)
        rows = s.con.execute(
            "SELECT area_code, value, source_id FROM observations ORDER BY area_code"
        ).fetchall()
        assert rows == [("BU00010001", 11.0, "test:2"), ("BU00010002", 20.0, "test:2")]
        assert s.replaced()["value"].tolist() == [10.0]


def test_a_national_year_takes_few_bytes_per_value(tmp_path):
    rng = np.random.default_rng(0)
    codes = pd.Series([f"BU{g:04d}{b:04d}" for g in range(1, 101) for b in range(100)])
    ids = [f"i{j:02d}" for j in range(40)]
    values = np.round(rng.gamma(2, 20, len(codes) * len(ids)), 1)
    obs = pd.DataFrame(
        {
            "area_code": np.repeat(codes.to_numpy(), len(ids)),
            "vintage": 2020,
            "period": 2020,
            "indicator": np.tile(ids, len(codes)),
            "value": values,
            "status": "ok",
        }
    )
    src = SourceInfo("test:big", "test", "t", "test", "2020", "f.csv", "abc", "test")
    empty, path = tmp_path / "empty.duckdb", tmp_path / "big.duckdb"
    Store(empty).close()
    with Store(path) as s:
        s.write(ImportBatch(src, areas_from_codes(codes, 2020), obs))
        s.con.execute("CHECKPOINT")
    used = path.stat().st_size - empty.stat().st_size
    assert used / len(obs) <= 20  # the primary-key index alone took ~80 bytes per value


def test_the_arrow_batch_is_the_same_from_text_or_categorical_columns_and_sorted_by_code():
    """An importer's long table may hold its codes as text or as categoricals (in any
    category order, with unused categories and a missing value): the table DuckDB reads
    is the same, rows sorted by code with ties in their own order."""
    from buurtbalans.store.store import _columnar

    text = pd.DataFrame(
        {
            "area_code": ["BU2", "BU1", "BU3", "BU1", None],
            "vintage": 2024,
            "period": 2024,
            "indicator": ["b", "a", "a", "b", "a"],
            "value": [1.0, np.nan, 3.0, 4.0, 5.0],
            "status": ["ok", "missing", "ok", "ok", "ok"],
        }
    )
    cats = text.assign(
        area_code=pd.Categorical(text["area_code"], categories=["BU3", "BU9", "BU1", "BU2"]),
        indicator=pd.Categorical(text["indicator"], categories=["b", "a"]),
        status=pd.Categorical(text["status"]),
    )
    a, b = _columnar(text, "s"), _columnar(cats, "s")
    assert a.to_pylist() == b.to_pylist()
    assert [r["area_code"] for r in a.to_pylist()] == ["BU1", "BU1", "BU2", "BU3", None]
    assert [r["indicator"] for r in a.to_pylist()][:2] == ["a", "b"]  # BU1's rows in order


def test_a_kwb_long_table_holds_its_texts_as_sorted_categoricals(tmp_path):
    from buurtbalans.sources.tables import wide_to_observations

    df = pd.DataFrame({"code": ["BU2", "BU1"], "x": ["1", "."], "y": ["2", "3"]})
    obs = wide_to_observations(
        df,
        file="t.csv",
        codes=df["code"],
        columns={"x": "inwoners", "y": "huishoudens"},
        vintage=2024,
        periods=2024,
    )
    for column in ("area_code", "indicator", "status"):
        assert isinstance(obs[column].dtype, pd.CategoricalDtype)
        assert obs[column].cat.categories.is_monotonic_increasing
    assert obs["area_code"].tolist() == ["BU2", "BU1", "BU2", "BU1"]
    assert obs.loc[obs["area_code"] == "BU1", "status"].tolist()[0] != "ok"  # the '.' cell
