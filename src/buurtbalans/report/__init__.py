"""The council-ready report: maps, charts, findings and tables → HTML, PDF, Excel, GeoPackage."""

from buurtbalans.report.build import build_report

__all__ = ["build_report"]
