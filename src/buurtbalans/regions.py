"""Area codes: gemeente (GM), wijk (WK) and buurt (BU), each valid in a *vintage* year.

A CBS code is ``GM`` + 4 digits, ``WK`` + 6 digits or ``BU`` + 8 digits; the first four
digits are the gemeente, the next two the wijk. A code only means something together with
the year of the classification it belongs to (its vintage): BU03630000 in 2015 need not be
the same piece of land as in 2024.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from buurtbalans.errors import DataError, Msg

LEVELS = ("land", "gemeente", "wijk", "buurt")
# Amsterdam and a few others use letters in wijk/buurt parts (WK0363AA, BU0363AA01).
CODE_REGEX = r"^(?:NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$"
_PATTERN = re.compile(CODE_REGEX)
_LEVEL_OF_PREFIX = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}


@dataclass(frozen=True)
class AreaCode:
    """A parsed area code."""

    code: str
    level: str

    @property
    def gemeente(self) -> str | None:
        """The gemeente code (GMxxxx) this area lies in, or None for the country."""
        return None if self.level == "land" else "GM" + self.code[2:6]

    @property
    def wijk(self) -> str | None:
        """The wijk code (WKxxxxxx) for a buurt or wijk, else None."""
        return "WK" + self.code[2:8] if self.level in ("wijk", "buurt") else None


def normalise_code(raw: object) -> str:
    """Strip padding and upper-case a code as CBS files write it (``'WK168000  '``)."""
    return str(raw).strip().upper()


def parse_code(
    raw: object, *, file: str | None = None, row: int | None = None, column: str | None = None
) -> AreaCode:
    """Parse a CBS area code, raising :class:`DataError` naming where a bad one was found."""
    code = normalise_code(raw)
    if not _PATTERN.match(code):
        raise DataError(
            Msg("err_co_not_area_code", code=raw),
            file=file,
            row=row,
            column=column,
            fix=Msg("fix_co_area_code"),
        )
    return AreaCode(code, _LEVEL_OF_PREFIX[code[:2]])


def is_code(raw: object) -> bool:
    """True if ``raw`` is a well-formed area code."""
    return bool(_PATTERN.match(normalise_code(raw)))


def gemeente_code(raw: str) -> str:
    """Normalise a gemeente given as ``GM0141``, ``0141`` or ``141`` to ``GM0141``."""
    text = raw.strip().upper()
    if text.startswith("GM"):
        text = text[2:]
    if not text.isdigit() or len(text) > 4:
        raise DataError(Msg("err_co_not_gemeente_code", code=raw), fix=Msg("fix_co_gemeente_code"))
    return "GM" + text.zfill(4)


def level_of(code: str) -> str:
    """The level (land/gemeente/wijk/buurt) of a well-formed code."""
    return parse_code(code).level
