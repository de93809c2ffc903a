"""Where buurtbalans keeps its files; every location can be overridden."""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "BUURTBALANS_STORE"
CACHE_ENV = "BUURTBALANS_CACHE"
CBS_ODATA_BASE = "https://opendata.cbs.nl"


def _data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("buurtbalans", appauthor=False))


def default_store_path() -> Path:
    """The store file: ``$BUURTBALANS_STORE`` or ``<user data dir>/buurtbalans.duckdb``."""
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else _data_dir() / "buurtbalans.duckdb"


def default_cache_dir() -> Path:
    """Raw API responses are cached here: ``$BUURTBALANS_CACHE`` or ``<data dir>/cache``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else _data_dir() / "cache"


def default_twin_path() -> Path:
    """The national twin's own store: ``<user data dir>/tweeling.duckdb``."""
    return _data_dir() / "tweeling.duckdb"
