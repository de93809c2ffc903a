"""The report's words: the one catalogue of :mod:`buurtbalans.terms` (``terms.toml`` here
holds the report's part of it). Kept as the report's import path."""

from __future__ import annotations

from buurtbalans.terms import TERMS, column_label, t

__all__ = ["TERMS", "column_label", "t"]
