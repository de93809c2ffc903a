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


def unknown_codes(
    batch: ImportBatch, *, store_areas: set[tuple[str, int]], store_gemeenten: set[str]
) -> set[str]:
    """Codes of ``batch`` that exist in no vintage known.

    * CBS files: a code is unknown when its gemeente is neither in the shipped list, nor
      among the store's real (non-demo) gemeenten, nor a gemeente row of the file itself.
    * derived tables: when the store holds that gemeente in the batch's vintage, the code
      itself must be in the store (in any vintage); otherwise its gemeente must be known as
      above.
    """
    codes = set(batch.areas["code"])
    vintages = set(batch.areas["vintage"].astype(int))
    store_codes = {code for code, _ in store_areas}
    store_gm = {
        "GM" + code[2:6]
        for code, vintage in store_areas
        if vintage in vintages and code[:2] != "NL"
    }
    gemeenten = known_gemeenten() | store_gemeenten
    if batch.source.kind in CBS_KINDS:
        gemeenten = gemeenten | {c for c in codes if c.startswith("GM")}
    unknown = set()
    for code in codes:
        if code.startswith("NL"):
            continue
        gm = "GM" + code[2:6]
        if batch.source.kind in DERIVED_KINDS and gm in store_gm:
            if code not in store_codes:
                unknown.add(code)
        elif gm not in gemeenten:
            unknown.add(code)
    return unknown


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
