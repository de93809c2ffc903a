"""A command's printed answer kept next to the store, so that asking again is instant.

``buurtbalans index -g X`` on a national store spends most of its time importing pandas
and reading rows, even when the national reference comes from its cache. When the same
question is asked again of an unchanged store, the answer is the same text: it is kept
(``<store>.referentie/antwoorden/``) and printed again without opening the store.

The key is everything the printed text depends on: the command and all its options, the
spec's hash, the package version, the language, how the two consoles draw (width,
colours, terminal) and the store file's identity (size, modification and change time and
inode of the file and of its write-ahead log). Every write to a DuckDB file changes that
identity, so a changed store never gives an old answer; an unchanged store opened for
writing may change it too, which only costs one computation. Answers that write files
(``--output``) are never replayed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from buurtbalans import __version__
from buurtbalans.index.cache import ReferenceCache


def store_identity(path: Path) -> list[int] | None:
    """Size, times and inode of the store file and its write-ahead log; None without a
    store file (nothing to key on: nothing is kept)."""
    try:
        stats = [os.stat(path)]
    except OSError:
        return None
    wal = Path(f"{path}.wal")
    if wal.exists():
        stats.append(os.stat(wal))
    return [n for s in stats for n in (s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino)]


def _drawing(console: Console) -> list[Any]:
    return [console.width, console.color_system, console.is_terminal]


@dataclass(frozen=True)
class Answer:
    """Where one question's printed answer is kept (``key`` None: nowhere, no store
    file), and the store's identity when the question was asked."""

    key: str | None
    store: Path
    identity: list[int] | None

    @classmethod
    def of(
        cls,
        command: str,
        options: dict[str, Any],
        *,
        spec_hash: str,
        store: Path,
        language: str,
        consoles: tuple[Console, Console],
    ) -> Answer:
        """The answer to ``command`` with ``options`` on ``store``."""
        identity = store_identity(store)
        if identity is None:
            return cls(None, store, None)
        text = json.dumps(
            {
                "command": command,
                "options": options,
                "spec": spec_hash,
                "version": __version__,
                "language": language,
                "consoles": [_drawing(c) for c in consoles],
                "store": [str(store.resolve()), identity],
            },
            sort_keys=True,
            default=str,
        )
        return cls(hashlib.sha256(text.encode()).hexdigest(), store, identity)

    def _kept(self) -> ReferenceCache:
        return ReferenceCache(Path(f"{self.store}.referentie") / "antwoorden")

    def replay(self, out: Console, err: Console) -> bool:
        """Print the kept answer (stderr part, then stdout part); False when there is
        none."""
        if self.key is None:
            return False
        answer, _ = self._kept().get(self.key)
        if not isinstance(answer, dict):
            return False
        err.file.write(answer["err"])
        err.file.flush()
        out.file.write(answer["out"])
        out.file.flush()
        return True

    @contextmanager
    def recording(self, out: Console, err: Console) -> Iterator[None]:
        """Print as usual and keep what was printed (nothing is kept when the block
        fails, without a store file, or when the store changed meanwhile)."""
        if self.key is None:
            yield
            return
        err.begin_capture()
        out.begin_capture()
        done = False
        try:
            yield
            done = True
        finally:  # what was printed reaches the user also when the block fails
            answer = {"err": err.end_capture(), "out": out.end_capture()}
            err.file.write(answer["err"])
            out.file.write(answer["out"])
        if done and store_identity(self.store) == self.identity:
            self._kept().put(self.key, answer)
