"""The national reference is computed once per (spec, store content, periods) and reused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from buurtbalans.errors import DataError
from buurtbalans.index import cache as cache_mod
from buurtbalans.index import store_mode
from buurtbalans.index.cache import ReferenceCache, national_reference, store_fingerprint
from buurtbalans.index.engine import compute
from buurtbalans.spec import load_spec, parse_spec
from buurtbalans.store import Store

SPEC = parse_spec(
    {
        "index": {"name": "t", "transform": "percentile", "reference": "national"},
        "domain": [{"id": "a", "weight": 100}],
        "indicator": [{"id": "x", "domain": "a"}],
    }
)


def _add_source(store: Store, source_id: str) -> None:
    store.con.execute(
        "INSERT INTO sources (source_id, publisher, table_id, file_hash) VALUES (?, ?, ?, ?)",
        [source_id, "test", source_id, source_id * 2],
    )


class Counter:
    """A build function that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.data = pd.DataFrame({"id": ["A", "B", "C"], "x": [1.0, 3.0, 2.0]})

    def __call__(self):
        self.calls += 1
        return compute(self.data, SPEC, id_columns=["id"], provenance={"gemeente": "eerste"})


def test_second_call_reuses_and_a_store_change_invalidates(tmp_path: Path):
    store = Store(tmp_path / "s.duckdb")
    _add_source(store, "kwb-2024")
    cache = ReferenceCache(tmp_path / "cache")
    build = Counter()
    first = national_reference(store, SPEC, [2024], None, build, cache=cache)
    second = national_reference(
        store, SPEC, [2024], None, build, provenance={"gemeente": "tweede"}, cache=cache
    )
    assert build.calls == 1
    pd.testing.assert_frame_equal(first.table, second.table)
    assert second.run.provenance["gemeente"] == "tweede"  # this call's provenance on top
    assert first.run.provenance["gemeente"] == "eerste"  # the cached object is unchanged
    assert "hergebruikt uit memory" in second.run.provenance["reference_cache"]
    # a new process finds it on disk
    again = national_reference(
        store, SPEC, [2024], None, build, cache=ReferenceCache(tmp_path / "cache")
    )
    assert build.calls == 1 and "uit disk" in again.run.provenance["reference_cache"]
    # an import changes the store's content: computed again
    before = store_fingerprint(store)
    _add_source(store, "kwb-2023")
    assert store_fingerprint(store) != before
    national_reference(store, SPEC, [2024], None, build, cache=cache)
    assert build.calls == 2
    # other periods or another spec: another reference
    national_reference(store, SPEC, [2023, 2024], None, build, cache=cache)
    national_reference(
        store, SPEC.with_options(transform="exponential"), [2024], None, build, cache=cache
    )
    assert build.calls == 4
    store.close()


def test_vintage_or_own_reference_is_computed_each_time(tmp_path: Path):
    store = Store(tmp_path / "s.duckdb")
    cache = ReferenceCache(None)
    build = Counter()
    for _ in range(2):
        national_reference(store, SPEC, [2024], 2022, build, cache=cache)
        national_reference(
            store, SPEC.with_options(reference="input"), [2024], None, build, cache=cache
        )
    assert build.calls == 4
    store.close()


def test_index_for_gemeente_computes_the_national_reference_once(
    demo_store, monkeypatch: pytest.MonkeyPatch
):
    """The hook in store_mode: a second index (another gemeente, or the report after the
    index command) does not run the engine again."""
    monkeypatch.setattr(store_mode, "NATIONAL_MIN_BUURTEN", 1)  # the demo is "all of NL"
    monkeypatch.setattr(cache_mod, "_CACHES", {})  # a fresh cache (next to the demo store)
    calls = []

    def counting_compute(*args, **kwargs):
        calls.append(1)
        return compute(*args, **kwargs)

    monkeypatch.setattr(store_mode, "compute", counting_compute)
    spec = load_spec("mdi").with_options(reference="national")
    first = store_mode.index_for_gemeente(demo_store, spec, "GM9999", [2023, 2024])
    second = store_mode.index_for_gemeente(demo_store, spec, "GM9999", [2023, 2024])
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first.table, second.table)
    assert "hergebruikt" in second.run.provenance["reference_cache"]
    assert second.run.provenance["gemeente"] == "GM9999"
    assert list(Path(f"{demo_store.path}.referentie").glob("*.pkl"))  # kept next to the store


def test_a_hit_equals_the_miss_and_reads_only_the_gemeentes_rows(
    demo_store, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(store_mode, "NATIONAL_MIN_BUURTEN", 1)
    monkeypatch.setattr(cache_mod, "_CACHES", {})
    spec = load_spec("mdi").with_options(reference="national")
    miss = store_mode.index_for_gemeente(demo_store, spec, "GM9999", [2022, 2024])
    reads: list[object] = []
    real_wide = demo_store.wide

    def recording_wide(*args, **kwargs):
        reads.append(kwargs.get("gemeente"))
        return real_wide(*args, **kwargs)

    monkeypatch.setattr(demo_store, "wide", recording_wide)
    monkeypatch.setattr(cache_mod, "_CACHES", {})  # a new process: from disk
    hit = store_mode.index_for_gemeente(demo_store, spec, "GM9999", [2022, 2024])
    assert reads == [("GM9999",)]  # never the national rows (gemeente=None)
    pd.testing.assert_frame_equal(miss.table, hit.table)
    pd.testing.assert_frame_equal(miss.indicators, hit.indicators)
    assert "uit disk" in hit.run.provenance["reference_cache"]
    strip = {"reference_cache"}
    assert {k: v for k, v in miss.run.provenance.items() if k not in strip} == {
        k: v for k, v in hit.run.provenance.items() if k not in strip
    }
    assert miss.run.to_dict().keys() == hit.run.to_dict().keys()


def test_a_hit_refuses_a_too_small_reference_like_a_miss(
    demo_store, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(store_mode, "NATIONAL_MIN_BUURTEN", 1)
    monkeypatch.setattr(cache_mod, "_CACHES", {})
    spec = load_spec("mdi").with_options(reference="national")
    store_mode.index_for_gemeente(demo_store, spec, "GM9999", [2024])
    monkeypatch.setattr(store_mode, "NATIONAL_MIN_BUURTEN", 10_000)  # now too few
    with pytest.raises(DataError, match="only .* buurten") as hit:
        store_mode.index_for_gemeente(demo_store, spec, "GM9999", [2024])
    monkeypatch.setattr(cache_mod, "_CACHES", {})
    monkeypatch.setattr(cache_mod.ReferenceCache, "get", lambda self, key: (None, ""))
    with pytest.raises(DataError) as miss:
        store_mode.index_for_gemeente(demo_store, spec, "GM9999", [2024])
    assert str(hit.value) == str(miss.value)  # the same refusal as without the cache


def test_with_a_vintage_the_national_rows_are_read_once(
    demo_store, monkeypatch: pytest.MonkeyPatch
):
    """With a vintage the ranking is per gemeente, but the national input rows it ranks
    among are read and pivoted once per store content."""
    monkeypatch.setattr(store_mode, "NATIONAL_MIN_BUURTEN", 1)
    monkeypatch.setattr(cache_mod, "_CACHES", {})
    spec = load_spec("mdi").with_options(reference="national")
    vintage = demo_store.vintages("GM9999")[-1]
    reads: list[object] = []
    real_wide = demo_store.wide

    def recording_wide(*args, **kwargs):
        reads.append(kwargs.get("gemeente"))
        return real_wide(*args, **kwargs)

    monkeypatch.setattr(demo_store, "wide", recording_wide)
    first = store_mode.index_for_gemeente(demo_store, spec, "GM9999", [2022], vintage=vintage)
    assert reads.count(None) == 1
    monkeypatch.setattr(cache_mod, "_CACHES", {})  # a new process: from disk
    second = store_mode.index_for_gemeente(demo_store, spec, "GM9999", [2022], vintage=vintage)
    assert reads.count(None) == 1  # not read again
    pd.testing.assert_frame_equal(first.table, second.table)
    pd.testing.assert_frame_equal(first.indicators, second.indicators)
