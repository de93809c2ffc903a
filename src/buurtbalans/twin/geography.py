"""The twin's geography: gemeenten in a grid over the RD New extent of the Netherlands,
wijken and buurten as Voronoi cells, and every boundary change of 2015-2024.

The unit of the geography is the *atom*: the finest piece of land that is ever a buurt or
part of one. A buurt of a year is a set of atoms, so values generated per atom aggregate
exactly to every year's buurten, and a crosswalk between two years moves them correctly.

Changes between years, as CBS makes them:

* herindelingen (the real ones of 2021-2023 in ``sources/herindelingen.csv``): the old
  gemeenten's wijken are renumbered under the new gemeente code;
* 2019: one buurt in every seventh gemeente is split in two (two new codes);
* 2021: one buurt in every eleventh gemeente gets a new code (same land);
* 2022: two touching buurten of one wijk in every ninth gemeente are merged (a new code).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from buurtbalans._compat import import_optional
from buurtbalans.sources.known import gemeenten_of, herindelingen

# RD New extent of the twin's grid (metres): roughly the Netherlands' bounding box
X0, X1, Y0, Y1 = 15_000.0, 275_000.0, 310_000.0, 615_000.0
SPLIT_YEAR, RECODE_YEAR, MERGE_YEAR = 2019, 2021, 2022
PEOPLE_PER_BUURT = 1_120  # NL: about 14,000 buurten (17.9 M inwoners, and empty buurten)
# a few gemeenten of recognisable size (inwoners, rounded); the rest are drawn
KNOWN_SIZES = {
    "GM0363": 930_000,
    "GM0599": 670_000,
    "GM0518": 560_000,
    "GM0344": 370_000,
    "GM0034": 220_000,
    "GM0141": 74_000,
    "GM0088": 950,
    "GM0096": 1_200,
    "GM0093": 4_900,
    "GM0060": 3_700,
}
_FIRST = (
    "Oud", "Nieuw", "Hoog", "Laag", "Groot", "Klein", "Noord", "Zuid", "Oost", "West",
    "Boven", "Neder", "Sint", "Berg", "Ruim",
)  # fmt: skip
_SECOND = (
    "veld", "hof", "kamp", "dijk", "broek", "horst", "wijk", "meer", "hout", "brug", "dorp",
    "haven", "weide", "akker", "laan", "park", "rade", "beek", "burg", "zand",
)  # fmt: skip


@dataclass(frozen=True)
class Geography:
    """The atoms and, per year, which buurt (code, name, wijk, gemeente) each belongs to."""

    atoms: pd.DataFrame  # atom, gemeente (2024 code), slot, wijk_no, geometry (shapely)
    years: tuple[int, ...]
    membership: dict[int, pd.DataFrame]  # year -> atom, buurt, buurt_name, wijk, gemeente
    gemeente_names: dict[str, str]
    wijk_names: dict[str, str]


def gemeente_list(n: int | None, must: tuple[str, ...] = ()) -> list[str]:
    """The 2024 gemeenten (all 342, or ``n`` of them always including ``must``)."""
    codes = sorted(gemeenten_of(2024))
    if n is None or n >= len(codes):
        return codes
    rest = [c for c in codes if c not in must]
    rng = np.random.default_rng(7)
    pick = rng.choice(len(rest), size=max(0, n - len(must)), replace=False)
    return sorted([*must, *(rest[i] for i in pick)])


def _sizes(codes: list[str], rng: np.random.Generator) -> dict[str, int]:
    drawn = np.exp(rng.normal(np.log(30_000), 0.75, len(codes))).clip(1_000, 250_000)
    return {c: int(KNOWN_SIZES.get(c, drawn[i])) for i, c in enumerate(codes)}


def _cells(codes: list[str]) -> dict[str, tuple[float, float, float, float]]:
    """A rectangle per gemeente in a grid over the extent (in code order)."""
    cols = int(np.ceil(np.sqrt(len(codes) * (X1 - X0) / (Y1 - Y0))))
    rows = int(np.ceil(len(codes) / cols))
    w, h = (X1 - X0) / cols, (Y1 - Y0) / rows
    out = {}
    for i, code in enumerate(codes):
        r, c = divmod(i, cols)
        # the gemeente fills 70 % of its cell each way (NL's land is about 3.4 M ha)
        mx, my = 0.15 * w, 0.15 * h
        out[code] = (X0 + c * w + mx, Y1 - (r + 1) * h + my, X0 + (c + 1) * w - mx, Y1 - r * h - my)
    return out


def _voronoi(points: np.ndarray, box: tuple[float, float, float, float]):
    """Voronoi cells of ``points`` clipped to ``box``, in the order of the points."""
    shapely = import_optional("shapely")
    frame = shapely.box(*box)
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(points), extend_to=frame.buffer(1_000), ordered=True
    )
    return [shapely.intersection(g, frame) for g in shapely.get_parts(cells)]


def _names(rng: np.random.Generator, n: int) -> list[str]:
    """Unique Dutch-looking names (within one gemeente)."""
    seen: dict[str, int] = {}
    out = []
    for _ in range(n):
        base = f"{rng.choice(_FIRST)} {rng.choice(_SECOND).capitalize()}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base} {seen[base]}")
    return out


def _gemeente_atoms(code: str, size: int, box, rng: np.random.Generator) -> pd.DataFrame:
    n_b = max(3, round(size / PEOPLE_PER_BUURT))
    n_w = int(np.clip(round(n_b / 4.3), 1, 99))
    n_b = min(n_b, n_w * 99)
    x0, y0, x1, y1 = box
    seeds = np.column_stack([rng.uniform(x0, x1, n_w), rng.uniform(y0, y1, n_w)])
    wijk_of = np.sort(rng.integers(0, n_w, n_b))
    wijk_of[:n_w] = np.arange(n_w)  # every wijk has at least one buurt
    wijk_of.sort()
    spread = 0.35 * min(x1 - x0, y1 - y0) / np.sqrt(n_w)
    pts = seeds[wijk_of] + rng.normal(0, spread, (n_b, 2))
    pts[:, 0] = pts[:, 0].clip(x0 + 1, x1 - 1)
    pts[:, 1] = pts[:, 1].clip(y0 + 1, y1 - 1)
    pts += rng.uniform(-0.5, 0.5, pts.shape)  # no two points alike
    cells = _voronoi(pts, box)
    return pd.DataFrame(
        {"gemeente": code, "wijk_no": wijk_of + 1, "cell": np.arange(n_b), "geometry": cells}
    )


def _split(geom):
    """Two halves of a polygon, cut through its centroid along its longer side."""
    shapely = import_optional("shapely")
    minx, miny, maxx, maxy = geom.bounds
    c = geom.centroid
    if maxx - minx >= maxy - miny:
        a, b = (
            shapely.box(minx - 1, miny - 1, c.x, maxy + 1),
            shapely.box(c.x, miny - 1, maxx + 1, maxy + 1),
        )
    else:
        a, b = (
            shapely.box(minx - 1, miny - 1, maxx + 1, c.y),
            shapely.box(minx - 1, c.y, maxx + 1, maxy + 1),
        )
    return geom.intersection(a), geom.intersection(b)


def build_geography(codes: list[str], years: tuple[int, ...], seed: int) -> Geography:
    """Atoms and per-year membership for ``codes`` (2024 gemeenten) over ``years``."""
    shapely = import_optional("shapely")
    rng = np.random.default_rng(seed)
    sizes, cells = _sizes(codes, rng), _cells(codes)
    parts: list[pd.DataFrame] = []
    names_of: dict[str, str] = {}
    wijk_names: dict[str, str] = {}
    for slot, code in enumerate(codes):
        g = _gemeente_atoms(code, sizes[code], cells[code], rng)
        g["slot"] = slot
        g["name"] = _names(rng, len(g))
        parts.append(g)
    atoms = pd.concat(parts, ignore_index=True)
    # split cells become two atoms (the split is visible from SPLIT_YEAR on)
    split_rows = []
    for slot, code in enumerate(codes):
        if slot % 7 != 3:
            continue
        g = atoms[atoms["gemeente"] == code]
        i = int(g.geometry.map(lambda p: p.area).idxmax())
        a, b = _split(atoms.at[i, "geometry"])
        atoms.at[i, "geometry"] = a
        row = atoms.loc[i].copy()
        row["geometry"], row["split_of"] = b, i
        split_rows.append(row)
    atoms["split_of"] = np.nan
    if split_rows:
        atoms = pd.concat([atoms, pd.DataFrame(split_rows)], ignore_index=True)
    atoms["atom"] = np.arange(len(atoms))
    atoms["geometry"] = shapely.make_valid(atoms["geometry"].to_numpy())
    # names and codes per year
    old_of = {new: [o for _, o, n in herindelingen() if n == new] for new in codes}
    start_of = {n: y for y, _, n in herindelingen()}
    names_all = {**gemeenten_of(2014), **gemeenten_of(2020), **gemeenten_of(2024)}
    for code in {*codes, *(o for v in old_of.values() for o in v)}:
        names_of[code] = names_all.get(code, code)
    fixed = _fixed_parts(atoms, codes, old_of)
    events = _events(atoms, codes)
    membership = {
        year: _membership(atoms, fixed, events, year, start_of, names_of) for year in years
    }
    for m in membership.values():
        wijk_names.update(zip(m["wijk"], m["wijk_name"], strict=True))
    return Geography(atoms, tuple(years), membership, names_of, wijk_names)


def _fixed_parts(atoms: pd.DataFrame, codes: list[str], old_of) -> pd.DataFrame:
    """What does not change with the year: the buurt number within its wijk, and for the
    gemeenten of a herindeling the old gemeente and old wijk number of every atom."""
    whole = atoms["split_of"].isna()
    bb = atoms[whole].groupby(["gemeente", "wijk_no"]).cumcount()
    buurt_no = pd.Series(np.nan, index=atoms.index)
    buurt_no[bb.index] = bb.to_numpy()
    children = atoms.index[~whole]
    buurt_no[children] = buurt_no[atoms.loc[children, "split_of"].astype(int)].to_numpy()
    pre_owner = atoms["gemeente"].copy()
    pre_wijk = atoms["wijk_no"].copy()
    for code, preds in old_of.items():
        if not preds:
            continue
        sel = atoms["gemeente"] == code
        n_w = int(atoms.loc[sel, "wijk_no"].max())
        share = np.array_split(np.arange(1, n_w + 1), len(preds))
        owner_of = {w: preds[k] for k, ws in enumerate(share) for w in ws}
        first_of = {preds[k]: int(ws[0]) for k, ws in enumerate(share) if len(ws)}
        pre_owner[sel] = atoms.loc[sel, "wijk_no"].map(owner_of)
        pre_wijk[sel] = atoms.loc[sel, "wijk_no"] - pre_owner[sel].map(first_of) + 1
    return pd.DataFrame(
        {"buurt_no": buurt_no.astype(int), "pre_owner": pre_owner, "pre_wijk": pre_wijk}
    )


def _events(atoms: pd.DataFrame, codes: list[str]) -> dict[str, list]:
    """The boundary changes: split (parent, child), new code (atom), merge (a, b)."""
    splits = [(int(p), int(c)) for c, p in atoms["split_of"].dropna().items()]
    recode, merge = [], []
    for slot, code in enumerate(codes):
        g = atoms[atoms["gemeente"] == code]
        if slot % 11 == 3:
            recode.append(int(g.index[g["split_of"].isna()][-1]))
        if slot % 9 == 5 and (pair := _touching_pair(g)) is not None:
            merge.append(pair)
    return {"split": splits, "recode": recode, "merge": merge}


def _membership(atoms, fixed, events, year, start_of, names_of) -> pd.DataFrame:
    """atom → (buurt code, name, wijk code, wijk name, gemeente code) in ``year``."""
    merged = atoms["gemeente"].map(lambda c: year >= start_of.get(c, 0))
    owner = atoms["gemeente"].where(merged, fixed["pre_owner"])
    wijk_no = atoms["wijk_no"].where(merged, fixed["pre_wijk"]).astype(int)
    wijk = "WK" + owner.str[2:] + wijk_no.astype(str).str.zfill(2)
    buurt = "BU" + wijk.str[2:] + fixed["buurt_no"].astype(str).str.zfill(2)
    name = atoms["name"].copy()
    if year >= SPLIT_YEAR:
        for parent, child in events["split"]:
            stem = buurt[parent][:-2]
            buurt[parent], buurt[child] = stem + "97", stem + "98"
            name[child] = name[parent] + "-Zuid"
            name[parent] = name[parent] + "-Noord"
    if year >= RECODE_YEAR:
        for i in events["recode"]:
            buurt[i] = buurt[i][:-2] + "96"
    if year >= MERGE_YEAR:
        for a, b in events["merge"]:
            buurt[a] = buurt[b] = buurt[a][:-2] + "95"
            name[a] = name[b] = f"{name[a]} en {name[b]}"
    wijk_name = "Wijk " + wijk.str[-2:] + " " + owner.map(names_of)
    return pd.DataFrame(
        {
            "atom": atoms["atom"],
            "buurt": buurt,
            "buurt_name": name,
            "wijk": wijk,
            "wijk_name": wijk_name,
            "gemeente": owner,
        }
    )


def _touching_pair(g: pd.DataFrame) -> tuple[int, int] | None:
    """Two whole (unsplit) buurten of one wijk that share a border, if any."""
    whole = g[g["split_of"].isna() & ~g.index.isin(g["split_of"].dropna().astype(int))]
    for _, part in whole.groupby("wijk_no"):
        idx = part.index.tolist()
        for k, a in enumerate(idx):
            for b in idx[k + 1 :]:
                if part.at[a, "geometry"].touches(part.at[b, "geometry"]):
                    return a, b
    return None
