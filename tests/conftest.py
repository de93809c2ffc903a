"""Shared fixtures: the real data in ../shared/data (skipped cleanly when absent) and a
demo store built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from buurtbalans.demo import load_demo
from buurtbalans.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BUURTBALANS_SHARED", ROOT.parent / "shared")) / "data"
RAW = SHARED / "raw"
IMD = SHARED / "reference" / "imd"
# the tests read Dutch unless they ask for English (the user's locale must not change them)
os.environ["BUURTBALANS_TAAL"] = "nl"


@pytest.fixture(scope="session")
def raw() -> Path:
    """../shared/data/raw, or skip."""
    if not RAW.is_dir():
        pytest.skip("../shared/data is not present")
    return RAW


@pytest.fixture(scope="session")
def imd() -> Path:
    """../shared/data/reference/imd, or skip."""
    if not IMD.is_dir():
        pytest.skip("../shared/data/reference/imd is not present")
    return IMD


@pytest.fixture(scope="session")
def demo_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(path) as store:
        load_demo(store)
    return path


@pytest.fixture
def demo_store(demo_store_path: Path):
    with Store(demo_store_path, read_only=True) as store:
        yield store


@pytest.fixture(scope="session")
def national_health_store(tmp_path_factory: pytest.TempPathFactory, raw: Path) -> Path:
    """A store with the three national health files (13,808 buurten each)."""
    path = tmp_path_factory.mktemp("health") / "health.duckdb"
    with Store(path) as store:
        import_health(store, raw)
    return path


def import_health(store: Store, raw: Path, years=(2012, 2016, 2020)) -> None:
    """Import the national CBS/RIVM health files (50090NED) for ``years``."""
    from buurtbalans.sources.detect import import_path

    for year in years:
        store.write(
            import_path(
                raw / "cbs-rivm-gezondheid-wijkbuurt" / f"gezondheid_wijkbuurt_{year}_18plus.xlsx"
            )
        )


@pytest.fixture(scope="session")
def twin_klein(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """The reduced national twin (25 gemeenten, ~1,200 buurten, 2016/2020/2024) written to
    files and loaded through the ordinary importers into a store of its own, once per
    session: (store path, folder with the files, manifest)."""
    from buurtbalans.twin import build_twin

    base = tmp_path_factory.mktemp("tweeling")
    path, folder = base / "tweeling.duckdb", base / "bestanden"
    with Store(path) as store:
        manifest = build_twin(store, "klein", folder=folder)
    return path, folder, manifest


@pytest.fixture
def twin_store(twin_klein):
    with Store(twin_klein[0], read_only=True) as store:
        yield store


@pytest.fixture
def gdf(demo_store):
    """The demo's buurten of its latest vintage with their numbers (the report's maps)."""
    import numpy as np

    vintage = demo_store.vintages("GM9999")[-1]
    frame = demo_store.boundaries(vintage, "GM9999").reset_index(drop=True)
    frame["nr"] = np.arange(1, len(frame) + 1)
    return frame
