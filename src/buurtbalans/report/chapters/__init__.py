"""The report's chapters: one small builder per chapter over one :class:`ReportContext`.

A builder takes the context and returns a :class:`Chapter` (its text, tables and figures)
or ``None`` when it has nothing to say. :data:`CHAPTERS` is the order in the report; add a
chapter by inserting its builder (e.g. ``CHAPTERS.insert(-2, build_uncertainty)``).
"""

from __future__ import annotations

from collections.abc import Callable

from buurtbalans.report.chapters.benchmark import build_benchmark
from buurtbalans.report.chapters.domains import build_domains
from buurtbalans.report.chapters.intro import build_findings, build_intro
from buurtbalans.report.chapters.method import build_appendix, build_colophon, build_method
from buurtbalans.report.chapters.overview import build_overview
from buurtbalans.report.chapters.priorities import build_priorities, build_profile
from buurtbalans.report.chapters.stad import build_stad
from buurtbalans.report.chapters.uncertainty import build_uncertainty
from buurtbalans.report.chapters.veerkracht import build_veerkracht
from buurtbalans.report.context import Chapter, ReportContext

Builder = Callable[[ReportContext], Chapter | None]

CHAPTERS: list[Builder] = [
    build_intro,
    build_findings,
    build_overview,
    build_domains,
    build_priorities,
    build_profile,
    build_uncertainty,
    build_veerkracht,
    build_benchmark,
    build_stad,
    build_method,
    build_appendix,
    build_colophon,
]

__all__ = ["CHAPTERS", "Builder", "Chapter", "ReportContext"]
