"""The composite index engine (spec → pure steps → tidy result with provenance).

The engine's names are loaded on first use, so that a light module of this package (the
reference cache, read by the CLI's kept answers) does not import pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from buurtbalans.index.engine import IndexResult, Run, Step, compute, replay

__all__ = ["IndexResult", "Run", "Step", "compute", "replay"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("buurtbalans.index.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
