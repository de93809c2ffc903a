"""The national twin: a **synthetic** Netherlands, generated deterministically, for
trying and testing the national path offline.

All 342 gemeenten of 2024 with their real codes and names (``sources/gemeenten.csv``),
about 14,000 buurten in wijken, 2015-2024, written in the real file formats (see
:mod:`buurtbalans.twin.files`) and read by the same importers as real files. It carries
what real data carry: buurten under 50 inwoners with suppressed values, CBS symbols,
values at the bounds, indicators that appear, vanish or break definition, boundary
changes (splits, merges, new codes) and the real herindelingen of 2021-2023, sources
missing for some years, and gemeente and land rows that are the aggregates of their
buurten. None of its values describes a real place.

A twin lives in a store of its own: the store records it (``Store.twin()``), refuses any
other import, and every output made from it says it is synthetic.

>>> SIZES["klein"].years
(2016, 2020, 2024)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from buurtbalans.sources.batch import ImportBatch, file_hash

SEED = 20261201
LABEL = "SYNTHETISCH — nationale tweeling: geen echte cijfers"
LABEL_EN = "SYNTHETIC — national twin: not real figures"
# the reduced twin always holds: the smallest gemeente, a large one, a herindeling (with
# its two old gemeenten) and Almelo; splits, new codes and merges fall on fixed slots
KLEIN_MUST = ("GM0088", "GM0034", "GM1980", "GM0141", "GM0344")


@dataclass(frozen=True)
class TwinSize:
    """How much of the Netherlands the twin holds."""

    name: str
    gemeenten: int | None  # None: all 342
    years: tuple[int, ...]


SIZES = {
    "nl": TwinSize("nl", None, tuple(range(2015, 2025))),
    "klein": TwinSize("klein", 25, (2016, 2020, 2024)),
}


def write_twin(
    folder: Path,
    size: str = "nl",
    *,
    seed: int = SEED,
    step: Callable[[str], None] = lambda _: None,
) -> dict[str, object]:
    """Write the twin's files into ``folder`` and return its manifest (also written as
    ``tweeling.json``): size, seed, years, gemeenten, buurten per year, files and hashes."""
    from buurtbalans.twin.files import HEALTH_INDELING, write_files, write_manifest
    from buurtbalans.twin.geography import build_geography, gemeente_list
    from buurtbalans.twin.values import Latent

    spec = SIZES[size]
    folder = Path(folder)
    codes = gemeente_list(spec.gemeenten, KLEIN_MUST if spec.gemeenten else ())
    years = spec.years
    layout_years = tuple(
        sorted({*years, *([HEALTH_INDELING] if years[0] <= HEALTH_INDELING <= years[-1] else [])})
    )
    geo = build_geography(codes, layout_years, seed)
    step("geografie")
    latent = Latent(geo, seed, years[0])
    entries = write_files(geo, latent, folder, years, seed=seed, step=step)
    for entry in entries:
        entry["sha256"] = file_hash(folder / str(entry["file"]))
    buurten = {str(y): int(geo.membership[y]["buurt"].nunique()) for y in years}
    manifest: dict[str, object] = {
        "name": "nationale tweeling",
        "synthetic": True,
        "label": LABEL,
        "size": size,
        "seed": seed,
        "years": list(years),
        "gemeenten": sorted(set(geo.membership[years[-1]]["gemeente"])),
        "buurten_per_jaar": buurten,
        "files": entries,
    }
    write_manifest(folder, manifest)
    return manifest


def read_manifest(folder: Path) -> dict[str, object] | None:
    """The manifest of a twin folder, or None when ``folder`` holds no twin."""
    path = Path(folder) / "tweeling.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def is_twin_file(path: Path, digest: str | None = None) -> bool:
    """True when ``path`` is one of the files a twin folder's manifest lists (same hash;
    ``digest``: the file's SHA-256 when the caller already has it, e.g. from the reader)."""
    path = Path(path)
    manifest = read_manifest(path.parent) if path.is_file() else None
    if not manifest:
        return False
    wanted = {str(e["file"]): str(e["sha256"]) for e in manifest["files"]}  # type: ignore[index]
    return wanted.get(path.name) == (digest or file_hash(path))


def _read_file(path: Path, mapping: Path | None) -> ImportBatch:
    """One twin file through the ordinary importer (in a worker process)."""
    from buurtbalans.sources.detect import import_path

    return import_path(path, mapping=mapping)


def load_twin(
    store,
    folder: Path,
    *,
    step: Callable[[str], None] = lambda _: None,
    workers: int | None = None,
) -> None:
    """Import every file of a twin folder into ``store`` through the ordinary importers,
    in the manifest's order. The store must be empty or hold this same twin.

    The files are read (parsed and checked) by ``workers`` processes (default: two, or
    one on a one-core machine) a few files ahead of the store, which writes them one by
    one in this process; a cost file, which needs the store's buurten, is read here."""
    import multiprocessing
    import os
    from concurrent.futures import Future, ProcessPoolExecutor

    from buurtbalans.sources.detect import import_path
    from buurtbalans.store.world import claim_for_twin

    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        from buurtbalans.errors import DataError, Msg

        raise DataError(Msg("err_an_no_twin", folder=folder), fix=Msg("fix_an_build_twin"))
    claim_for_twin(store, manifest)
    entries = list(manifest["files"])  # type: ignore[call-overload]
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    ahead = max(1, workers) + 1  # files read ahead: bounded, so memory stays bounded
    context = multiprocessing.get_context("spawn")  # never fork a process holding DuckDB
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool:
        pending: dict[int, Future[ImportBatch]] = {}

        def submit(start: int, upto: int) -> None:  # the files start … upto-1, once each
            for j in range(start, min(upto, len(entries))):
                entry = entries[j]
                if j in pending or entry["kind"] == "kosten":
                    continue
                reeksen = entry["kind"] == "reeksen"
                mapping = folder / str(entry["mapping"]) if reeksen else None
                pending[j] = pool.submit(_read_file, folder / str(entry["file"]), mapping)

        for i, entry in enumerate(entries):
            submit(i, i + ahead)
            if entry["kind"] == "kosten":
                gm = str(entry["gemeente"])
                areas = store.areas(gm, level="buurt", vintage=int(manifest["years"][-1]))  # type: ignore[index]
                batch = import_path(
                    folder / str(entry["file"]), mapping=folder / str(entry["mapping"]), areas=areas
                )
            else:
                batch = pending.pop(i).result()
            store.write(batch)
            step(str(entry["file"]))
    claim_for_twin(store, manifest, complete=True)


def build_twin(
    store,
    size: str = "nl",
    *,
    folder: Path | None = None,
    seed: int = SEED,
    step: Callable[[str], None] = lambda _: None,
) -> dict[str, object]:
    """Write the twin's files (into ``folder``, or a temporary one) and load them."""
    import tempfile

    if folder is not None:
        manifest = write_twin(folder, size, seed=seed, step=step)
        load_twin(store, folder, step=step)
        return manifest
    with tempfile.TemporaryDirectory(prefix="tweeling-") as tmp:
        manifest = write_twin(Path(tmp), size, seed=seed, step=step)
        load_twin(store, Path(tmp), step=step)
    return manifest
