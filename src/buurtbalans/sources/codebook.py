"""The indicator catalogue: stable ids (the KWB short codes such as ``a_inw``, ``p_hh_li``)
with labels, units, polarity, kind and how each is found in CBS files and OData tables.

The catalogue is data (``codebook.csv`` beside this module). OData keys carry a
year-specific suffix (``AantalInwoners_5``); :func:`resolve_odata_keys` maps a table's
``DataProperties`` onto the stable ids by the key stem (qualified by the topic group where a
stem repeats, e.g. ``Herkomstland/BuitenEuropa``) and, failing that, by title.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

KINDS = ("count", "share", "rate", "mean", "score", "class")
POLARITIES = ("+", "-", "0")


@dataclass(frozen=True)
class Indicator:
    """One catalogue row. ``polarity`` '+' means a higher value is more deprived."""

    id: str
    label_nl: str
    label_en: str
    unit: str
    kind: str
    polarity: str
    denominator: str | None
    theme: str
    odata_stems: tuple[str, ...]
    odata_titles: tuple[str, ...]
    aliases: tuple[str, ...]
    break_year: int | None
    break_note: str | None


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


@cache
def catalogue() -> dict[str, Indicator]:
    """All known indicators by id (read once from the packaged ``codebook.csv``)."""
    text = resources.files("buurtbalans.sources").joinpath("codebook.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter=";")
    out: dict[str, Indicator] = {}
    for row in rows:
        out[row["id"]] = Indicator(
            id=row["id"],
            label_nl=row["label_nl"],
            label_en=row["label_en"],
            unit=row["unit"],
            kind=row["kind"],
            polarity=row["polarity"],
            denominator=row["denominator"] or None,
            theme=row["theme"],
            odata_stems=_split(row["odata_stems"]),
            odata_titles=_split(row["odata_titles"]),
            aliases=_split(row["aliases"]),
            break_year=int(row["break_year"]) if row["break_year"] else None,
            break_note=row["break_note"] or None,
        )
    return out


def catalogue_frame() -> pd.DataFrame:
    """The catalogue as a table (for the store and for exports)."""
    rows = [
        {
            "id": ind.id,
            "label_nl": ind.label_nl,
            "label_en": ind.label_en,
            "unit": ind.unit,
            "kind": ind.kind,
            "polarity": ind.polarity,
            "denominator": ind.denominator,
            "theme": ind.theme,
            "break_year": ind.break_year,
            "break_note": ind.break_note,
        }
        for ind in catalogue().values()
    ]
    return pd.DataFrame(rows)


@cache
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for ind in catalogue().values():
        for name in (ind.id, *ind.aliases):
            index.setdefault(name.lower(), ind.id)
    return index


def indicator_for_column(column: str) -> str | None:
    """The indicator id a file column stands for (id, KWB short code or known alias)."""
    return _alias_index().get(column.strip().lower())


_SUFFIX = re.compile(r"_\d+$")


def key_stem(key: str) -> str:
    """``AantalInwoners_5`` → ``AantalInwoners``."""
    return _SUFFIX.sub("", key)


def _norm_title(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().lower()


def resolve_odata_keys(data_properties: list[dict[str, Any]]) -> dict[str, str]:
    """Map a table's OData topic keys to stable indicator ids.

    Parameters
    ----------
    data_properties : the ``value`` array of the table's ``DataProperties`` resource

    Returns
    -------
    dict from OData key (e.g. ``AantalInwoners_5``) to indicator id (``a_inw``); keys with
    no catalogue entry are left out (:func:`unresolved_keys` lists them).
    """
    by_id = {p["ID"]: p for p in data_properties}
    topics = [p for p in data_properties if p.get("Type") == "Topic"]

    def group_title(prop: dict[str, Any]) -> str:
        parent = by_id.get(prop.get("ParentID"))
        return _norm_title(parent["Title"]) if parent else ""

    result: dict[str, str] = {}
    for ind in catalogue().values():
        hits = []
        for wanted in ind.odata_stems:
            group, _, stem = wanted.rpartition("/")
            hits = [
                t
                for t in topics
                if key_stem(t["Key"]).lower() == stem.lower()
                and (not group or group_title(t) == _norm_title(group))
            ]
            if hits:
                break
        if not hits:
            for wanted in ind.odata_titles:
                group, _, title = wanted.rpartition("/")
                hits = [
                    t
                    for t in topics
                    if _norm_title(t["Title"]) == _norm_title(title)
                    and (not group or group_title(t) == _norm_title(group))
                ]
                if hits:
                    break
        if len(hits) == 1:
            result[hits[0]["Key"]] = ind.id
    return result


def unresolved_keys(data_properties: list[dict[str, Any]]) -> list[str]:
    """Topic keys of a table that no catalogue entry claims."""
    resolved = resolve_odata_keys(data_properties)
    return [
        p["Key"] for p in data_properties if p.get("Type") == "Topic" and p["Key"] not in resolved
    ]
