"""Connectors: each turns one kind of source into an :class:`ImportBatch` for the store."""

from buurtbalans.sources.batch import ImportBatch, SourceInfo

__all__ = ["ImportBatch", "SourceInfo"]
