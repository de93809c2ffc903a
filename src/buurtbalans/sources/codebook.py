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

from buurtbalans.errors import DataError, Msg

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
    lower: float | None = None
    upper: float | None = None
    integral: bool = False
    source_table: str | None = None  # the gemeente-level table it comes from (not the KWB)


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
            lower=float(row["lower"]) if row.get("lower") else None,
            upper=float(row["upper"]) if row.get("upper") else None,
            integral=row.get("integral") == "1",
            source_table=row.get("source_table") or None,
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


def _title_tokens(title: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", title.replace("\xa0", " ").lower()))


def titles_agree(indicator: Indicator, title: str) -> bool:
    """True when a table's title for a stem-matched key belongs to the indicator's title
    family (the codebook's ``odata_titles``; abbreviations such as ``huish.`` count as the
    same when one title is the start of the other). No titles in the codebook: agree."""
    if not indicator.odata_titles:
        return True
    got = _title_tokens(title)
    for wanted in indicator.odata_titles:
        want = _title_tokens(wanted.rpartition("/")[2])
        if got == want or (got and want and (got.startswith(want) or want.startswith(got))):
            return True
    return False


def resolve_odata_keys(
    data_properties: list[dict[str, Any]], *, file: str | None = None
) -> dict[str, str]:
    """Map a table's OData topic keys to stable indicator ids.

    Parameters
    ----------
    data_properties : the ``value`` array of the table's ``DataProperties`` resource
    file : named in the error when a title disagrees

    Returns
    -------
    dict from OData key (e.g. ``AantalInwoners_5``) to indicator id (``a_inw``); keys with
    no catalogue entry are left out (:func:`unresolved_keys` lists them).

    Raises
    ------
    DataError : a key matched by its stem has a title outside the codebook's title family
        (the same stem means something else in this table); both titles are named.
    """
    by_id = {p.get("ID"): p for p in data_properties}
    topics = [
        p for p in data_properties if p.get("Type") == "Topic" and isinstance(p.get("Key"), str)
    ]

    def group_title(prop: dict[str, Any]) -> str:
        parent = by_id.get(prop.get("ParentID"))
        return _norm_title(str(parent.get("Title", ""))) if parent else ""

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
                for hit in hits:
                    if not titles_agree(ind, str(hit.get("Title", ""))):
                        raise DataError(
                            Msg(
                                "err_cx_title_disagrees",
                                odata_key=hit["Key"],
                                indicator=ind.id,
                                title=str(hit.get("Title", "")).strip(),
                                titles=[f"'{title}'" for title in ind.odata_titles],
                            ),
                            file=file,
                            column=hit["Key"],
                            fix=Msg("fix_cx_title_disagrees"),
                        )
                break
        if not hits:
            for wanted in ind.odata_titles:
                group, _, title = wanted.rpartition("/")
                hits = [
                    t
                    for t in topics
                    if _norm_title(str(t.get("Title", ""))) == _norm_title(title)
                    and (not group or group_title(t) == _norm_title(group))
                ]
                if hits:
                    break
        if len(hits) == 1:
            result[hits[0]["Key"]] = ind.id
    return result


@dataclass(frozen=True)
class StemResolution:
    """How the columns of a file with OData keys (``AantalInwoners_5``) resolved.

    ``columns``: file column → indicator id; ``unresolved``: columns that resolved to
    nothing; ``lacking``: codebook indicators (of the KWB, with a stem) the file lacks.
    """

    columns: dict[str, str]
    unresolved: list[str]
    lacking: list[str]


def resolve_keys_by_stem(
    keys: list[str], *, skip: tuple[str, ...] = (), file: str | None = None
) -> StemResolution:
    """Resolve OData keys without metadata, by their stem (the key minus ``_N``).

    Stems qualified by a topic group in the codebook (``Herkomstland/BuitenEuropa``) need
    the table's metadata and are not matched here. Two keys that resolve to one indicator
    stop the import, naming both.
    """
    stems: dict[str, str] = {}
    for ind in catalogue().values():
        for wanted in ind.odata_stems:
            if "/" not in wanted:
                stems.setdefault(wanted.lower(), ind.id)
    columns: dict[str, str] = {}
    unresolved: list[str] = []
    for key in keys:
        if key in skip:
            continue
        ind = stems.get(key_stem(key).lower())
        if ind is None:
            unresolved.append(key)
            continue
        if ind in columns.values():
            first = next(c for c, i in columns.items() if i == ind)
            raise DataError(
                Msg("err_cx_two_keys_one_indicator", first=first, second=key, indicator=ind),
                file=file,
                column=key,
                fix=Msg("fix_cx_keep_one"),
            )
        columns[key] = ind
    found = set(columns.values())
    lacking = [
        ind.id
        for ind in catalogue().values()
        if ind.odata_stems
        and ind.id not in found
        and not ind.id.startswith("gz_")
        and not ind.source_table  # gemeente-level tables are not the KWB
    ]
    return StemResolution(columns, unresolved, lacking)


def unresolved_keys(data_properties: list[dict[str, Any]]) -> list[str]:
    """Topic keys of a table that no catalogue entry claims."""
    resolved = resolve_odata_keys(data_properties)
    return [
        p["Key"] for p in data_properties if p.get("Type") == "Topic" and p["Key"] not in resolved
    ]
