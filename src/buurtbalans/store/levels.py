"""Gemeente- and land-level observations, read once per store content.

The benchmark and the Staat van de stad read the gemeente and land rows of the whole
country several times per answer (peers, NL values, ranks, trends): ~340 gemeenten × the
years × every indicator, the same for every gemeente asked about. They are read here once
per (store file, store content) and kept in memory; every call gets a filtered copy, so a
caller may change what it gets. An import changes the store's fingerprint (see
:func:`buurtbalans.index.cache.store_fingerprint`) and so the key: nothing stale is served.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from buurtbalans.store.store import Store

MEMORY_ITEMS = 8  # (store, content, what) items kept
_KEPT: OrderedDict[tuple[str, str, str], Any] = OrderedDict()


def per_content(store: Store, what: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per (store file, store content, ``what``), kept in memory (a
    store in memory is computed each time: it has no stable identity to key on). The
    caller copies what it hands out when it may be changed."""
    if store.path == ":memory:":
        return compute()
    from buurtbalans.index.cache import store_fingerprint

    key = (str(store.path), store_fingerprint(store), what)
    if key not in _KEPT:
        _KEPT[key] = compute()
        while len(_KEPT) > MEMORY_ITEMS:
            _KEPT.popitem(last=False)
    _KEPT.move_to_end(key)
    return _KEPT[key]


def level_observations(
    store: Store,
    indicators: Sequence[str] | None,
    level: str,
    periods: Iterable[int] | None = None,
) -> pd.DataFrame:
    """``store.observations(indicators, level=level, periods=periods)``, from one read of
    all of the level's rows per store content (a store in memory is read each time: it
    has no stable identity to key on)."""
    if store.path == ":memory:":
        return store.observations(indicators, level=level, periods=periods)
    table = per_content(store, f"level:{level}", lambda: store.observations(None, level=level))
    mask = None
    if indicators:
        mask = table["indicator"].isin(list(indicators))
    if periods is not None:
        in_periods = table["period"].isin([int(p) for p in periods])
        mask = in_periods if mask is None else mask & in_periods
    return (table if mask is None else table[mask]).reset_index(drop=True).copy()
