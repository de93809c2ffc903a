"""What every connector hands to the store: one import, written in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

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
    flagged rows).
    """

    source: SourceInfo
    areas: pd.DataFrame
    observations: pd.DataFrame
    boundaries: pd.DataFrame | None = None
    report: list[str] = field(default_factory=list)
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
