"""Store access: read-only opening, readers that share, a writer that waits for a lock and
names the PID, named errors for damaged stores, and ``buurtbalans doctor``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from buurtbalans.errors import StoreError
from buurtbalans.store import Store
from buurtbalans.store.doctor import check_store, export_readable, restore_migrations


def small_batch(source_id="test:1", value=10.0):
    import pandas as pd

    from buurtbalans.sources.batch import ImportBatch, SourceInfo
    from buurtbalans.sources.tables import areas_from_codes

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


def cli(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "buurtbalans", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def store_file(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as st:
        st.write(small_batch())
    return path


def test_readers_share_and_never_write(store_file):
    before = store_file.read_bytes()
    with Store.open(store_file, read_only=True) as a, Store(store_file, read_only=True) as b:
        assert a.counts()["observations"] == b.counts()["observations"] == 2
        with pytest.raises(StoreError, match="read-only"):
            a.write(small_batch("test:x"))
    assert store_file.read_bytes() == before


def test_read_only_file_and_folder(store_file):
    folder = store_file.parent
    os.chmod(store_file, stat.S_IRUSR)
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        with Store(store_file, read_only=True) as st:
            assert st.counts()["areas"] == 2
        if os.geteuid() != 0:  # root may write anyway
            with pytest.raises(StoreError):
                Store(store_file)
    finally:
        os.chmod(folder, stat.S_IRWXU)
        os.chmod(store_file, stat.S_IRUSR | stat.S_IWUSR)


def test_missing_store_for_reading(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "nope.duckdb", read_only=True)


def _holder(path, seconds):
    code = textwrap.dedent(f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        time.sleep({seconds})
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_writer_waits_then_names_pid(store_file, capfd):
    proc = _holder(store_file, 30)
    try:
        start = time.monotonic()
        with pytest.raises(StoreError, match=rf"in use by another process \(PID {proc.pid}\)"):
            Store(store_file, lock_timeout=1.0)
        assert time.monotonic() - start >= 1.0
        assert "wachten" in capfd.readouterr().err
    finally:
        proc.kill()
        proc.wait()


def test_writer_gets_the_store_when_the_lock_goes(store_file):
    proc = _holder(store_file, 1.5)
    try:
        with Store(store_file, lock_timeout=20) as st:
            assert st.counts()["sources"] == 1
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"hello, I am a spreadsheet" * 50, "not a buurtbalans store"),
        (b"", "empty"),
    ],
)
def test_not_a_store(tmp_path, content, message):
    path = tmp_path / "x.duckdb"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store(path, read_only=True)


def test_truncated_store(store_file):
    data = store_file.read_bytes()
    store_file.write_bytes(data[: len(data) // 3])
    with pytest.raises(StoreError, match="damaged or truncated.*doctor"):
        Store(store_file, read_only=True)
    problems = check_store(store_file)
    assert any(f.severity == "fout" for f in problems)


def test_duckdb_file_that_is_not_a_store(tmp_path):
    import duckdb

    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (a INT)")
    con.close()
    with pytest.raises(StoreError, match="DuckDB file but not a buurtbalans store"):
        Store(path)
    with pytest.raises(StoreError, match="not a buurtbalans store"):
        Store(path, read_only=True)


def test_emptied_migrations_table(store_file):
    with Store(store_file) as st:
        st.con.execute("DELETE FROM migrations")
    with pytest.raises(StoreError, match="migrations table is empty.*--herstel"):
        Store(store_file)
    with pytest.raises(StoreError, match="migrations table is empty"):
        Store(store_file, read_only=True)
    result = cli("doctor", "--store", store_file)
    assert result.returncode == 1 and "de tabel migrations is leeg" in result.stdout
    assert restore_migrations(store_file)
    with Store(store_file) as st:
        assert st.counts()["observations"] == 2


def test_doctor_healthy_and_export(store_file, tmp_path):
    result = cli("doctor", "--store", store_file, "--export", tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "in orde" in result.stdout and "Traceback" not in result.stderr
    assert (tmp_path / "out" / "observations.parquet").exists()
    lines = export_readable(store_file, tmp_path / "out2")
    assert any(str(line).startswith("areas:") for line in lines)


def test_doctor_finds_inconsistencies(store_file):
    with Store(store_file) as st:
        st.con.execute("DELETE FROM areas WHERE code = 'BU00010001'")
        st.con.execute("UPDATE observations SET value = -5 WHERE area_code = 'BU00010002'")
    text = " ".join(str(f.what) for f in check_store(store_file))
    assert "1 value belongs to no area" in text
    assert "1 value of Residents lies outside its bounds" in text


def test_doctor_finds_a_key_with_two_values(store_file):
    with Store(store_file) as st:  # written around the write path, which refuses it
        st.con.execute("INSERT INTO observations SELECT * FROM observations LIMIT 1")
    text = " ".join(str(f.what) for f in check_store(store_file))
    assert "1 key (area, vintage, year, indicator) holds more than one value" in text


def test_read_commands_open_read_only(store_file):
    os.chmod(store_file, stat.S_IRUSR)
    try:
        result = cli("sources", "--store", store_file)
        assert result.returncode == 0, result.stderr
        result = cli("areas", "-g", "GM0001", "--store", store_file)
        assert result.returncode == 0, result.stderr
    finally:
        os.chmod(store_file, stat.S_IRUSR | stat.S_IWUSR)


def test_full_disk_is_a_named_error(store_file):
    import duckdb

    st = Store(store_file)
    real = st.con

    class Full:
        def __getattr__(self, name):
            return getattr(real, name)

        def execute(self, sql, *args):
            if "INTO observations" in sql:
                raise duckdb.IOException("IO Error: could not write file: No space left on device")
            return real.execute(sql, *args)

    st.con = Full()
    with pytest.raises(StoreError, match="disk is full.*nothing was changed"):
        st.write(small_batch("test:2", value=5.0), vervang=True)
    st.con = real
    assert st.observations(["a_inw"], level=None)["value"].tolist() == [10.0, 20.0]
    st.close()
