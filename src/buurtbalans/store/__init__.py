"""The embedded DuckDB store (no server): areas, observations, catalogue, sources, boundaries.

``Store`` is imported on first use, so :mod:`buurtbalans.store.lookup` (resolving a
gemeente before anything heavy is loaded) needs neither pandas nor the import code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from buurtbalans.store.store import Store

__all__ = ["Store"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from buurtbalans.store.store import Store

        return Store
    raise AttributeError(name)
