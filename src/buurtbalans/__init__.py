"""buurtbalans: where disadvantage stacks up in Dutch neighbourhoods, open and reproducible.

Data flows one way: ``sources`` → ``store`` → ``harmonise`` / ``index`` / analyses → outputs
(``cli``).
"""

from __future__ import annotations

__version__ = "0.1.0"

from buurtbalans.errors import (
    BuurtbalansError,
    DataError,
    MissingExtraError,
    SchemaVersionError,
    SourceError,
    SpecError,
    StoreError,
)

__all__ = [
    "BuurtbalansError",
    "DataError",
    "MissingExtraError",
    "SchemaVersionError",
    "SourceError",
    "SpecError",
    "StoreError",
    "__version__",
]
