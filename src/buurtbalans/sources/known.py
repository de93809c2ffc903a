"""Which area codes are known: a code can fit the pattern (``BU99998888``) and still exist
in no classification. Such codes are flagged unknown and never mixed into a gemeente.

``gemeenten.csv`` (beside this module) lists the gemeente codes seen in the real CBS files
of 2014, 2019, 2020 and 2024 (426 codes). A store adds what it holds.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from buurtbalans.sources.batch import ImportBatch

# sources that define areas (a CBS file's codes are the classification of its year)
CBS_KINDS = frozenset({"kwb-file", "kwb-map", "cbs-odata", "statline-export", "statline-csv"})
# derived tables keyed by codes that someone else defined
DERIVED_KINDS = frozenset({"municipal-table", "leefbaarometer"})


@cache
def known_gemeenten() -> frozenset[str]:
    """Gemeente codes of every vintage buurtbalans ships a list for."""
    text = resources.files("buurtbalans.sources").joinpath("gemeenten.csv").read_text("utf-8")
    return frozenset(row["code"] for row in csv.DictReader(text.splitlines(), delimiter=";"))


@cache
def gemeente_years() -> dict[str, tuple[int, ...]]:
    """Per gemeente code, the years of the shipped lists it appears in."""
    text = resources.files("buurtbalans.sources").joinpath("gemeenten.csv").read_text("utf-8")
    return {
        row["code"]: tuple(sorted(int(y) for y in row["years"].split("|") if y.strip()))
        for row in csv.DictReader(text.splitlines(), delimiter=";")
    }


@cache
def _list_years() -> tuple[int, ...]:
    return tuple(sorted({y for ys in gemeente_years().values() for y in ys}))


@cache
def merged_away(gemeente: str, vintage: int) -> int | None:
    """The last list year of a gemeente that no longer exists in ``vintage`` (it is absent
    from a shipped list between its last appearance and that vintage, e.g. Rijnwaarden,
    merged into Zevenaar in 2018: last seen 2014, absent in 2019), else None.

    >>> merged_away("GM0196", 2024), merged_away("GM0196", 2016), merged_away("GM0299", 2024)
    (2014, None, None)
    """
    for start, old, _ in herindelingen():  # a listed herindeling (2021-2023)
        if old == gemeente and vintage >= start:
            return start - 1
    years = gemeente_years().get(gemeente)
    if not years:
        return None
    later = [y for y in _list_years() if years[-1] < y <= vintage]
    return years[-1] if later else None


def unknown_codes(
    batch: ImportBatch,
    *,
    store_codes: set[str],
    store_gm: set[str],
    store_gemeenten: set[str],
) -> set[str]:
    """Codes of ``batch`` that exist in no vintage known.

    * CBS files: a code is unknown when its gemeente is neither in the shipped list, nor
      among the store's real (non-demo) gemeenten (``store_gemeenten``), nor a gemeente row
      of the file itself.
    * derived tables: when the store holds that gemeente in the batch's vintages
      (``store_gm``), the code itself must be in the store in any vintage
      (``store_codes``, only needed for derived tables); otherwise its gemeente must be
      known as above.
    """
    gemeenten = known_gemeenten() | store_gemeenten
    if batch.source.kind in CBS_KINDS:
        gemeenten = gemeenten | set(batch.areas["code"][batch.areas["code"].str[:2] == "GM"])
    derived = batch.source.kind in DERIVED_KINDS
    unknown = set()
    by_code = batch.areas.groupby("code")["vintage"].max().astype(int)
    for code, vintage in by_code.items():
        code = str(code)
        if code.startswith("NL"):
            continue
        gm = "GM" + code[2:6]
        if merged_away(gm, int(vintage)) is not None:
            unknown.add(code)
        elif derived and gm in store_gm:
            if code not in store_codes:
                unknown.add(code)
        elif gm not in gemeenten:
            unknown.add(code)
    return unknown


def merged_note(batch: ImportBatch, unknown: set[str]) -> str:
    """The words for codes of ``unknown`` whose gemeente had merged away by their vintage
    (empty when there are none)."""
    by_code = batch.areas.groupby("code")["vintage"].max().astype(int).to_dict()
    gone = sorted(
        {
            f"{'GM' + c[2:6]} (last listed {last}, gone by the {by_code[c]} indeling)"
            for c in unknown
            if c in by_code and (last := merged_away("GM" + c[2:6], by_code[c])) is not None
        }
    )
    return f"; merged away: {', '.join(gone)}" if gone else ""


@cache
def herindelingen() -> tuple[tuple[int, str, str], ...]:
    """Gemeente mergers (herindelingen) shipped in ``herindelingen.csv``: (year the new
    gemeente starts, old code, new code). Only the mergers of 2021-2023 are listed."""
    text = resources.files("buurtbalans.sources").joinpath("herindelingen.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines(), delimiter=";")
    return tuple((int(r["jaar"]), r["oud"], r["nieuw"]) for r in rows)


def predecessors(gemeente: str) -> tuple[str, ...]:
    """The gemeente itself and every gemeente that merged into it (transitively), so that
    its buurten of years before the herindeling can be found under their old codes."""
    family = [gemeente]
    for code in family:
        family += [old for _, old, new in herindelingen() if new == code and old not in family]
    return tuple(family)


def successor(gemeente: str, year: int) -> str:
    """The gemeente that ``gemeente`` belongs to in ``year`` after the herindelingen."""
    code = gemeente
    for start, old, new in sorted(herindelingen()):
        if old == code and year >= start:
            code = new
    return code


@cache
def gemeenten_of(year: int) -> dict[str, str]:
    """Code → name of the gemeenten in the shipped list for ``year`` (2024: all 342)."""
    text = resources.files("buurtbalans.sources").joinpath("gemeenten.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines(), delimiter=";"))
    return {r["code"]: r["name"] for r in rows if str(year) in r["years"].split("|")}
