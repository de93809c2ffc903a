"""What every connector hands to the store: one import, written in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from buurtbalans.errors import Both, Msg

OBSERVATION_COLUMNS = ["area_code", "vintage", "period", "indicator", "value", "status"]
AREA_COLUMNS = ["code", "vintage", "level", "name", "wijk_code", "gemeente_code"]


def file_hash(path: Path) -> str:
    """SHA-256 of a file (for a directory: of its files in name order)."""
    digest = hashlib.sha256()
    paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for p in paths:
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


class Listed:
    """A list field of a note written as 'a, b en c', or the first ``limit`` and '…' when
    it is longer (the items may be messages or :class:`~buurtbalans.errors.Both`)."""

    __slots__ = ("items", "key", "limit")

    def __init__(self, items, limit: int = 8) -> None:
        self.key, self.items, self.limit = None, list(items), limit

    def text(self, taal: str) -> str:
        from buurtbalans.terms import words

        parts = [i.text(taal) if hasattr(i, "text") else str(i) for i in self.items]
        if len(parts) > self.limit:
            return ", ".join(parts[: self.limit]) + ", …"
        return words(parts, taal) or "–"

    def __str__(self) -> str:
        return self.text("en")


def indicator_label(indicator: object) -> Both | str:
    """An indicator as a reader knows it: its codebook label in the reader's language (the
    id itself when the codebook does not have it)."""
    from buurtbalans.sources.codebook import catalogue

    ind = catalogue().get(str(indicator))
    if ind is None:
        return str(indicator)
    return Both(ind.label_nl or ind.id, ind.label_en or ind.label_nl or ind.id)


def listed(items, limit: int = 8) -> Listed:
    """:class:`Listed` of ``items`` (strings, messages or labels)."""
    return Listed(items, limit)


def note_text(note: str | Msg, taal: str = "en") -> str:
    """A note of :attr:`ImportBatch.report` in ``taal`` (plain strings as they are)."""
    return note.text(taal) if isinstance(note, Msg) else str(note)


@dataclass(frozen=True)
class SourceInfo:
    """Provenance of one import: who published it, which table and period, which file."""

    source_id: str
    publisher: str
    table_id: str
    title: str
    period: str
    file_name: str
    file_hash: str
    kind: str
    notes: str = ""
    imported_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )


@dataclass
class ImportBatch:
    """Areas, observations (long format) and optional boundaries from one source.

    ``observations`` has columns :data:`OBSERVATION_COLUMNS`; ``areas`` has
    :data:`AREA_COLUMNS`; ``boundaries`` (optional) has ``code, vintage, level, geometry_wkb``
    in EPSG:28992 (RD New). ``report`` collects what the user should read (unmatched names,
    flagged rows) as catalogue messages (:class:`~buurtbalans.errors.Msg`): ``note.text(taal)``
    writes one in a language, ``str(note)`` in English.
    """

    source: SourceInfo
    areas: pd.DataFrame
    observations: pd.DataFrame
    boundaries: pd.DataFrame | None = None
    report: list[str | Msg] = field(default_factory=list)
    world: str = "real"  # "tweeling" for a file of the synthetic national twin

    def summary(self) -> str:
        """One line: what this batch holds."""
        obs = self.observations
        periods = sorted(obs["period"].unique().tolist()) if len(obs) else []
        return (
            f"{self.source.title}: {len(self.areas)} areas, {obs['indicator'].nunique()} "
            f"indicators, periods {periods}, {len(obs)} values"
            + (f", {len(self.boundaries)} boundaries" if self.boundaries is not None else "")
        )
