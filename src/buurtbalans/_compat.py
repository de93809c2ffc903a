"""Optional dependencies: one consistent error with the install hint."""

from __future__ import annotations

import importlib
from types import ModuleType

from buurtbalans.errors import MissingExtraError, Msg

_EXTRA_OF = {
    "geopandas": "geo",
    "shapely": "geo",
    "pyogrio": "geo",
    "matplotlib": "report",
    "mapclassify": "report",
    "jinja2": "report",
}


def import_optional(name: str) -> ModuleType:
    """Import ``name`` or raise :class:`MissingExtraError` naming the extra to install."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        extra = _EXTRA_OF.get(name.split(".")[0], "all")
        raise MissingExtraError(Msg("err_missing_extra", name=name, extra=extra)) from exc
