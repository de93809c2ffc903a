"""Which world a store holds: real data (with, perhaps, the synthetic demo beside it, kept
out of every real reference), or the synthetic national twin, which uses the real gemeente
codes and so lives in a store of its own. A twin store refuses every other import; a real
store refuses the twin's files."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from buurtbalans.errors import Msg, StoreError

if TYPE_CHECKING:
    from buurtbalans.sources.batch import ImportBatch
    from buurtbalans.store.store import Store

TWIN_KEY = "tweeling"


def twin_info(store: Store) -> dict[str, object] | None:
    """The twin's manifest (files, hashes, years, buurten per year) when the store holds
    the national twin, else None."""
    try:
        row = store.con.execute("SELECT value FROM store_meta WHERE key = ?", [TWIN_KEY]).fetchone()
    except Exception:  # a store from before migration 0005 has no store_meta: real data
        return None
    return json.loads(row[0]) if row else None


def claim_for_twin(store: Store, manifest: dict[str, object], *, complete: bool = False) -> None:
    """Mark ``store`` as holding this twin (``complete`` once every file is in). Refused when
    the store holds anything that is not this twin."""
    current = twin_info(store)
    if current is not None and current.get("seed_files") != _fingerprint(manifest):
        raise StoreError(
            Msg(
                "err_twin_other",
                path=store.path,
                size=current.get("size"),
                seed=current.get("seed"),
            )
        )
    if current is None:
        n = store.con.execute("SELECT count(*) FROM sources").fetchone()[0]
        if n:
            raise StoreError(Msg("err_twin_needs_own", path=store.path, n=n))
    info = {
        **{k: v for k, v in manifest.items() if k != "files"},
        "hashes": sorted(str(e["sha256"]) for e in manifest["files"]),  # type: ignore[union-attr]
        "seed_files": _fingerprint(manifest),
        "complete": complete,
    }
    with store.transaction():
        store.con.execute("DELETE FROM store_meta WHERE key = ?", [TWIN_KEY])
        store.con.execute(
            "INSERT INTO store_meta VALUES (?, ?)", [TWIN_KEY, json.dumps(info, ensure_ascii=False)]
        )


def _fingerprint(manifest: dict[str, object]) -> str:
    return f"{manifest.get('size')}:{manifest.get('seed')}"


def check_world(store: Store, batch: ImportBatch) -> None:
    """Refuse an import that would mix the twin with real (or demo) data."""
    twin = twin_info(store)
    from_twin = getattr(batch, "world", "real") == TWIN_KEY
    if twin is not None and not (from_twin and batch.source.file_hash in twin["hashes"]):  # type: ignore[operator]
        raise StoreError(Msg("err_twin_mix", path=store.path, file=batch.source.file_name))
    if twin is None and from_twin:
        raise StoreError(Msg("err_twin_file", path=store.path, file=batch.source.file_name))


def national_minimum(store: Store, default: int) -> int:
    """How many buurten a year needs to count as 'all of NL': ``default`` for real data;
    for the twin, 95 % of the twin's own buurten (a reduced twin is its own Netherlands)."""
    twin = twin_info(store)
    if twin is None:
        return default
    per_year = twin.get("buurten_per_jaar") or {}
    return int(0.95 * min(per_year.values())) if per_year else default  # type: ignore[union-attr]
