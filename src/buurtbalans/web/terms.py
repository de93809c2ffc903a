"""The page's words, from the one catalogue (:mod:`buurtbalans.terms`): the report terms the
page shares and the dashboard's own (``terms/ui.toml``)."""

from __future__ import annotations

import tomllib
from importlib.resources import files

from buurtbalans.terms import TERMS

_UI_KEYS = set(tomllib.loads(files("buurtbalans").joinpath("terms/ui.toml").read_text("utf-8")))

# report terms the page uses as they are
SHARED = (
    "synthetic",
    "priorities",
    "veerkracht",
    "method",
    "source",
    "buurt",
    "score",
    "change",
    "class",
    "residents",
    "rank",
    "improved",
    "worsened",
    "stable",
    "no_data",
    "benchmark",
    "bm_standouts",
    "bm_peers",
    "nl",
    "tables",
    "map_change",
    "findings",
    # Staat van de stad (issue 21)
    "stad",
    "stad_situatie",
    "stad_trends",
    "stad_vooruitblik",
    "stad_aandachtspunten",
    "insufficient",
    "points",
    "status_ok",
    "dir_verbeterd",
    "dir_verslechterd",
)

# the dashboard's own words live in the catalogue too (terms/ui.toml, the "dashboard" part)
WEB: tuple[str, ...] = tuple(k for k in TERMS if k in _UI_KEYS)


def page_terms() -> dict[str, dict[str, str]]:
    """Every term the page shows, ``{key: {"nl": ..., "en": ...}}``."""
    return {k: TERMS[k] for k in (*SHARED, *WEB) if k in TERMS}
