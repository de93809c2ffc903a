"""The council-ready report: maps, charts, findings and tables → HTML, PDF, Excel, GeoPackage.

``build_report`` is imported on first use, so the report's table definitions and words
(``report.display``, ``report.tables``, ``report.terms``) load without the analysis
pipeline behind the report (the console's tables stay as fast as the command)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from buurtbalans.report.build import build_report

__all__ = ["build_report"]


def __getattr__(name: str) -> Any:
    if name == "build_report":
        from buurtbalans.report.build import build_report

        return build_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
