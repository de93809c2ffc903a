"""The web server's store access: one computation per key under concurrency, cached answers
served while another is computing, and a fingerprint that follows the file."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import duckdb
import pytest

from buurtbalans.errors import StoreError

pytest.importorskip("fastapi")
from buurtbalans.web.access import StoreAccess


@pytest.fixture
def access(demo_store_path: Path, tmp_path: Path) -> StoreAccess:
    path = tmp_path / "s.duckdb"
    shutil.copy(demo_store_path, path)
    return StoreAccess(path)


def test_concurrent_requests_compute_once(access: StoreAccess) -> None:
    calls = []
    gate = threading.Event()

    def compute() -> tuple[bytes, str]:
        calls.append(1)
        gate.wait(5)
        return b"{}", "application/json"

    threads = [threading.Thread(target=access.cached, args=('"k"', compute)) for _ in range(8)]
    for th in threads:
        th.start()
    gate.set()
    for th in threads:
        th.join(10)
    assert len(calls) == 1 and access.computations == 1


def test_cached_answers_do_not_wait_for_a_computation(access: StoreAccess) -> None:
    access.cached('"ready"', lambda: (b"1", "application/json"))
    gate, finished = threading.Event(), threading.Event()

    def slow() -> tuple[bytes, str]:
        with access.open():  # holds the DuckDB connection, like a real computation
            gate.wait(5)
        finished.set()
        return b"2", "application/json"

    worker = threading.Thread(target=access.cached, args=('"slow"', slow))
    worker.start()
    hit = access.cached('"ready"', lambda: (b"never", "application/json"))
    assert hit.body == b"1"
    assert not finished.is_set()  # served while the other one was still computing
    gate.set()
    worker.join(10)


def test_fingerprint_follows_writes(access: StoreAccess) -> None:
    before = access.fingerprint()
    etag = access.etag("/x")
    with duckdb.connect(str(access.path)) as con:
        con.execute("CREATE TABLE extra AS SELECT 1 AS x")
    assert access.fingerprint() != before and access.etag("/x") != etag


def test_no_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="serve --demo"):
        StoreAccess(tmp_path / "none.duckdb")
