"""The embedded DuckDB store (no server): areas, observations, catalogue, sources, boundaries."""

from buurtbalans.store.store import Store

__all__ = ["Store"]
