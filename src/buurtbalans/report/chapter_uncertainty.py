"""Kept for existing imports: the uncertainty chapter lives in
:mod:`buurtbalans.report.chapters.uncertainty`."""

from __future__ import annotations

from buurtbalans.report.chapters.uncertainty import (
    build_uncertainty_chapter,
    findings,
    priority_table,
    rank_interval_chart,
)

__all__ = ["build_uncertainty_chapter", "findings", "priority_table", "rank_interval_chart"]
