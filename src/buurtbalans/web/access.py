"""Read-only access to the store for the web server, with a cache keyed on store content.

The server never keeps the DuckDB file open between requests: each computation opens it
read-only and closes it again, so ``buurtbalans import ...`` can write while the server
runs. Every cached answer is keyed on the store's *fingerprint* (size and modification time
of the file and its write-ahead log) plus the request (path, query, spec hash): after an
import the fingerprint changes and the next request recomputes; a repeated request does not.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buurtbalans.errors import Msg, StoreError
from buurtbalans.store import Store


class StoreBusyError(StoreError):
    """The store file is locked by a writer (an import is running)."""


@dataclass(frozen=True)
class Cached:
    """One cached answer: the body bytes, their media type and the ETag."""

    body: bytes
    media_type: str
    etag: str


class StoreAccess:
    """Opens the store read-only on demand and caches answers by content fingerprint.

    Two kinds of lock: ``_db`` lets one computation at a time use DuckDB in this process;
    ``_lock`` guards only the cache dictionaries (held for microseconds), so cached answers
    are served while a cold one is being computed.
    """

    def __init__(self, path: str | Path, *, max_entries: int = 256, max_objects: int = 16) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise StoreError(Msg("err_an_no_store", path=self.path))
        if self.path.is_dir():
            raise StoreError(Msg("err_store_is_dir", path=self.path))
        self._db = threading.RLock()
        self._lock = threading.Lock()
        self._key_locks: dict[object, threading.Lock] = {}
        self._cache: OrderedDict[object, Cached] = OrderedDict()
        self._objects: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._max = max_entries
        self._max_objects = max_objects
        self.computations = 0  # how many answers were computed (not served from cache)

    # -- identity of the content --------------------------------------------------------
    def fingerprint(self) -> str:
        """Size and mtime of the store file and its WAL: changes whenever data are written."""
        parts = []
        for p in (self.path, Path(f"{self.path}.wal")):
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            parts.append(f"{p.name}:{st.st_size}:{st.st_mtime_ns}")
        return "|".join(parts)

    def etag(self, *key: object) -> str:
        """A strong ETag for ``key`` on the current store content."""
        text = "\x1f".join([self.fingerprint(), *map(str, key)])
        return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'

    # -- opening --------------------------------------------------------------------------
    @contextmanager
    def open(self) -> Iterator[Store]:
        """The store, read-only, for the duration of one computation."""
        with self._db:
            try:
                store = Store(self.path, read_only=True)
            except StoreError as exc:
                if self.path.is_dir():  # replaced by a folder while serving: not "busy"
                    raise StoreError(Msg("err_store_is_dir", path=self.path.name)) from None
                why = exc.term if exc.term is not None else str(exc)
                raise StoreBusyError(
                    Msg("err_an_store_busy", name=self.path.name, error=why)
                ) from exc
            try:
                yield store
            finally:
                store.close()

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """The store, read-write, for one HTTP import (serialised with every reader)."""
        with self._db:
            store = Store(self.path)
            try:
                yield store
            finally:
                store.close()
                self.clear()

    # -- caching --------------------------------------------------------------------------
    def _once(self, table: OrderedDict, key: object, limit: int, compute: Callable[[], Any]):
        """``table[key]``, computed by one thread while others asking for it wait."""
        with self._lock:
            if key in table:
                table.move_to_end(key)
                return table[key], False
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in table:
                    return table[key], False
            value = compute()
            with self._lock:
                table[key] = value
                while len(table) > limit:
                    table.popitem(last=False)
                self._key_locks.pop(key, None)
            return value, True

    def cached(self, etag: str, compute: Callable[[], tuple[bytes, str]]) -> Cached:
        """The answer for ``etag``, computed once (concurrent requests for the same key
        wait for the first instead of computing again)."""

        def make() -> Cached:
            body, media_type = compute()
            return Cached(body, media_type, etag)

        value, fresh = self._once(self._cache, ("answer", etag), self._max, make)
        if fresh:
            self.computations += 1
        return value

    def memo(self, key: tuple[object, ...], compute: Callable[[], object]) -> object:
        """A computed Python object (e.g. one change analysis shared by the index, profile
        and priorities answers) for ``key`` on the current store content."""
        value, _ = self._once(self._objects, (self.fingerprint(), *key), self._max_objects, compute)
        return value

    def clear(self) -> None:
        """Forget every cached answer."""
        with self._lock:
            self._cache.clear()
            self._objects.clear()
