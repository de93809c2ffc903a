"""The national reference, computed once per (spec, store content) and reused.

An index with a national reference ranks a gemeente's buurten among all NL buurten; that
computation is the same for every gemeente as long as the spec, the selection (years) and
the store's content are unchanged. It is kept in memory (for several gemeenten in one
process) and on disk next to the store (for the next command), keyed on

- the spec's hash and the package version (a new engine may compute differently),
- a fingerprint of the store's content: every row of its ``sources`` table (an import
  adds or replaces a row, with its file hash and import time) and the number of
  observations,
- the selection: periods and id/period columns.

What is kept is any artefact built from the store (``index.store_mode`` keeps a
:class:`~buurtbalans.index.store_mode.NationalReference`: the national index with the
provenance and domain counts a gemeente's answer needs, so a hit reads only that
gemeente's rows); the selection names the artefact, so the key stays generic over the
kind of reference (per year, pooled ...).

Only a national reference without ``vintage`` is shared: with a vintage the gemeente's own
buurten are moved onto it before ranking, so the reference differs per gemeente and is
computed each time. The result's provenance says whether the reference was computed or
reused (``reference_cache``). On disk the cache lives next to the store file
(``<store>.referentie/``, at most 8 references); delete that folder to clear it.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buurtbalans import __version__

if TYPE_CHECKING:
    from buurtbalans.index.engine import IndexResult
    from buurtbalans.spec import IndexSpec
    from buurtbalans.store import Store

MEMORY_ITEMS = 4  # national references kept in memory
DISK_ITEMS = 8  # and on disk (each is one pickle of the full national result)


def store_fingerprint(store: Store) -> str:
    """SHA-256 over every row of the store's ``sources`` table and its observation count:
    changes whenever data are imported, replaced or removed."""
    rows = store.con.execute("SELECT * FROM sources ORDER BY source_id").fetchall()
    n_obs = store.con.execute("SELECT count(*) FROM observations").fetchone()
    digest = hashlib.sha256()
    digest.update(json.dumps([list(r) for r in rows], default=str).encode())
    digest.update(str(n_obs[0] if n_obs else 0).encode())
    return digest.hexdigest()


def artefact_key(store: Store, selection: dict[str, Any]) -> str:
    """The cache key of an artefact that depends only on the store's content (e.g. the
    national input rows): package version, store fingerprint and the selection."""
    text = json.dumps(
        {"version": __version__, "store": store_fingerprint(store), "selection": selection},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def reference_key(spec: IndexSpec, store: Store, selection: dict[str, Any]) -> str:
    """The cache key of a national reference: spec hash, package version, store
    fingerprint and the selection (periods, columns)."""
    text = json.dumps(
        {
            "spec": spec.hash(),
            "version": __version__,
            "store": store_fingerprint(store),
            "selection": selection,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


class ReferenceCache:
    """National references by key: a few in memory, more on disk (``directory``; None
    keeps them in memory only)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._memory: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> tuple[Any, str]:
        """The cached result and where it came from (``memory``/``disk``), or None."""
        if key in self._memory:
            self._memory.move_to_end(key)
            return self._memory[key], "memory"
        path = self._path(key)
        if path is not None and path.is_file():
            try:
                with path.open("rb") as fh:
                    result = pickle.load(fh)  # our own file, written by put() below
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                return None, ""  # unreadable (e.g. from an older version): recompute
            self._remember(key, result)
            return result, "disk"
        return None, ""

    def put(self, key: str, result: Any) -> str:
        """Keep ``result``; returns where (``memory`` or ``memory+disk``)."""
        self._remember(key, result)
        path = self._path(key)
        if path is None:
            return "memory"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
            self._prune()
        except OSError as exc:  # a read-only cache dir costs speed, not correctness
            return f"memory (not saved to {path.parent}: {exc.strerror})"
        return "memory+disk"

    def clear(self) -> None:
        """Forget everything (memory and disk)."""
        self._memory.clear()
        if self.directory is not None and self.directory.is_dir():
            for path in self.directory.glob("*.pkl"):
                path.unlink(missing_ok=True)

    def _remember(self, key: str, result: Any) -> None:
        self._memory[key] = result
        self._memory.move_to_end(key)
        while len(self._memory) > MEMORY_ITEMS:
            self._memory.popitem(last=False)

    def _path(self, key: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{key}.pkl"

    def _prune(self) -> None:
        assert self.directory is not None
        files = sorted(self.directory.glob("*.pkl"), key=lambda p: p.stat().st_mtime)
        for path in files[:-DISK_ITEMS]:
            path.unlink(missing_ok=True)


_CACHES: dict[str, ReferenceCache] = {}


def cache_for(store: Store, part: str = "") -> ReferenceCache:
    """The reference cache of ``store``: in memory, and on disk in a folder next to the
    store file (``<store>.referentie``, or its subfolder ``part`` for another kind of
    artefact, pruned on its own), so it goes where the store goes and is removed with it;
    a store in memory gets a memory-only cache."""
    directory = None if store.path == ":memory:" else Path(f"{store.path}.referentie")
    if directory is not None and part:
        directory = directory / part
    return _CACHES.setdefault(f"{directory}|{part}", ReferenceCache(directory))


def national_reference(
    store: Store,
    spec: IndexSpec,
    periods: Sequence[int],
    vintage: int | None,
    build: Callable[[], IndexResult],
    *,
    provenance: dict[str, Any] | None = None,
    cache: ReferenceCache | None = None,
) -> IndexResult:
    """``build()`` (the full national computation), or its cached result when the spec,
    the store content and the periods are the same as before. ``provenance`` (this call's:
    gemeente, sources, ...) replaces the cached run's entries of the same name, and
    ``reference_cache`` says what happened. Not national, or a vintage given: computed."""
    cache = cache or cache_for(store)
    if not spec.reference.startswith("national") or vintage is not None:
        return build()
    key = reference_key(spec, store, {"periods": sorted(int(p) for p in periods)})
    cached, where = cache.get(key)
    if cached is None:
        result = build()
        saved = cache.put(key, result)
        note = f"berekend en bewaard ({saved}), sleutel {key[:12]}"
        return with_provenance(result, {**(provenance or {}), "reference_cache": note})
    note = f"hergebruikt uit {where}, sleutel {key[:12]}"
    return with_provenance(cached, {**(provenance or {}), "reference_cache": note})


def with_provenance(result: IndexResult, extra: dict[str, Any]) -> IndexResult:
    """A shallow copy of ``result`` whose run provenance has ``extra`` on top (the cached
    object itself is never changed)."""
    run = replace(result.run, provenance={**result.run.provenance, **extra})
    return replace(result, run=run, warnings=list(result.warnings))
