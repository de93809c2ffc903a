"""Type and bound checks of a spec document, before any of it is used.

:func:`check_document` looks at the parsed TOML as written (types, finite numbers, bounds,
increasing class edges) and raises a :class:`SpecError` naming the spec file and the key;
:func:`read_spec_text` reads a spec file of any encoding it can tell for certain (UTF-8,
with or without BOM; UTF-16/32 with BOM) and refuses the rest naming the byte.

>>> try:
...     check_document({"index": {"min_population": "vijftig"}}, where="s.toml")
... except SpecError as exc:
...     print(str(exc).split(". Fix")[0])
s.toml: [index] min_population is 'vijftig', not a number
"""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path
from typing import Any

from buurtbalans.errors import SpecError

#: a weight (a percentage of the index, or an indicator's share of its domain) outside
#: this range is a typing mistake, not a choice (1e-300 / 1e-300 is 50/50 only in theory)
WEIGHT_RANGE = (1e-3, 1e6)

_TEXT_KEYS = ("name", "transform", "reference", "standardise", "missing", "population")


def _fail(where: str, what: str, fix: str) -> SpecError:
    return SpecError(f"{where}: {what}. Fix: {fix}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any, key: str, where: str, example: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"{key} is {value!r}, not a text", f"write it in quotes, e.g. {example}")


def check_weight(value: Any, key: str, where: str) -> None:
    """A weight is a finite number within :data:`WEIGHT_RANGE`."""
    low, high = WEIGHT_RANGE
    if not _is_number(value) or not math.isfinite(value):
        raise _fail(where, f"{key} is {value!r}, not a number", "give a positive number")
    if value <= 0:
        raise _fail(
            where,
            f"{key} is {value!r}, must be positive",
            "give a positive number (drop the entry to leave it out)",
        )
    if not low <= value <= high:
        raise _fail(
            where,
            f"{key} is {value!r}, outside the sensible range {low:g} to {high:g}",
            "give weights as percentages (e.g. 22.5) or plain shares (e.g. 1)",
        )


def check_classes(classes: Any, where: str) -> None:
    """``[index.classes]``: edges finite, increasing numbers; labels texts; inclusive bool."""
    if not isinstance(classes, dict):
        raise _fail(where, f"[index.classes] is {classes!r}, not a table", "write [index.classes]")
    edges = classes.get("edges")
    if edges is not None:
        if not isinstance(edges, list) or not edges:
            raise _fail(
                where,
                f"[index.classes] edges is {edges!r}, not a list of numbers",
                "e.g. edges = [20, 35, 50, 60]",
            )
        for pos, edge in enumerate(edges, start=1):
            if not _is_number(edge) or not math.isfinite(edge):
                raise _fail(
                    where,
                    f"[index.classes] edges: edge {pos} is {edge!r}, not a finite number",
                    "write the edges as numbers without quotes, e.g. edges = [20, 35, 50, 60]",
                )
        if any(b <= a for a, b in pairwise(edges)):
            raise _fail(
                where,
                f"[index.classes] edges {edges} are not strictly increasing",
                "order the edges from low to high, each one larger than the one before",
            )
    for key in ("labels", "labels_en"):
        labels = classes.get(key)
        if labels is not None and not (
            isinstance(labels, list) and all(isinstance(x, str) and x.strip() for x in labels)
        ):
            raise _fail(
                where,
                f"[index.classes] {key} is {labels!r}, not a list of texts",
                f'e.g. {key} = ["zeer laag", "laag", "gemiddeld", "hoog", "zeer hoog"]',
            )
    if "inclusive" in classes and not isinstance(classes["inclusive"], bool):
        raise _fail(
            where,
            f"[index.classes] inclusive is {classes['inclusive']!r}, not true or false",
            "write inclusive = true or inclusive = false (no quotes)",
        )


def _check_index(index: dict[str, Any], where: str) -> None:
    for key in _TEXT_KEYS:
        if key in index:
            _text(index[key], f"[index] {key}", where, f'{key} = "..."')
    if "description" in index and not isinstance(index["description"], str):
        raise _fail(where, "[index] description is not a text", 'write description = "..."')
    if "min_population" in index:
        value = index["min_population"]
        if not _is_number(value) or not math.isfinite(value):
            raise _fail(
                where,
                f"[index] min_population is {value!r}, not a number",
                "give a number of inhabitants, e.g. min_population = 50",
            )
        if value < 0:
            raise _fail(
                where,
                f"[index] min_population is {value!r}, below 0",
                "give 0 (no minimum) or a positive number of inhabitants",
            )
    if "shrinkage" in index and not isinstance(index["shrinkage"], bool):
        raise _fail(
            where,
            f"[index] shrinkage is {index['shrinkage']!r}, not true or false",
            "write shrinkage = true or shrinkage = false (no quotes)",
        )
    required = index.get("required_domains")
    if required is not None and not (
        isinstance(required, list) and all(isinstance(d, str) for d in required)
    ):
        raise _fail(
            where,
            f"[index] required_domains is {required!r}, not a list of domain ids",
            'e.g. required_domains = ["inkomen", "werk"]',
        )
    if "classes" in index:
        check_classes(index["classes"], where)


def _entries(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise _fail(
            where,
            f"{key} is {entries!r}, not a list of [[{key}]] tables",
            f"write each one as a [[{key}]] table with id = ...",
        )
    return entries


def check_document(data: dict[str, Any], *, where: str = "spec") -> None:
    """Check the types and bounds of a parsed spec document; raise naming the key."""
    index = data.get("index")
    if isinstance(index, dict):
        _check_index(index, where)
    for n, domain in enumerate(_entries(data, "domain", where), start=1):
        label = f"[[domain]] number {n}"
        if "id" in domain:
            _text(domain["id"], f"{label} id", where, 'id = "inkomen"')
            label = f"domain {domain['id']!r}"
        if "weight" in domain:
            check_weight(domain["weight"], f"{label} weight", where)
        for key in ("label_nl", "label_en"):
            if key in domain and not isinstance(domain[key], str):
                raise _fail(where, f"{label} {key} is not a text", f'write {key} = "..."')
    for n, ind in enumerate(_entries(data, "indicator", where), start=1):
        label = f"[[indicator]] number {n}"
        if "id" in ind:
            _text(ind["id"], f"{label} id", where, 'id = "p_hh_li"')
            label = f"indicator {ind['id']!r}"
        if "domain" in ind:
            _text(ind["domain"], f"{label} domain", where, 'domain = "inkomen"')
        if "weight" in ind:
            check_weight(ind["weight"], f"{label} weight", where)
        if "polarity" in ind and ind["polarity"] not in ("+", "-"):
            raise _fail(
                where,
                f"{label} polarity is {ind['polarity']!r}",
                'write polarity = "+" (higher is more deprived) or "-"',
            )
        if "numerator" in ind:
            _text(ind["numerator"], f"{label} numerator", where, 'numerator = "a_bijst"')
        den = ind.get("denominator")
        if den is not None and not (
            (isinstance(den, str) and den.strip())
            or (isinstance(den, list) and den and all(isinstance(d, str) for d in den))
        ):
            raise _fail(
                where,
                f"{label} denominator is {den!r}, not a column id or a list of them",
                'e.g. denominator = "a_inw" or denominator = ["a_m", "a_v"]',
            )
        if "proxy" in ind and not isinstance(ind["proxy"], bool):
            raise _fail(where, f"{label} proxy is not true or false", "write proxy = true")


def read_spec_text(path: Path) -> str:
    """The text of a spec file: UTF-8 (a BOM is dropped) or UTF-16/32 with a BOM; any other
    encoding is refused naming the first byte that is not UTF-8 and its line."""
    from buurtbalans.errors import DataError
    from buurtbalans.sources.values import decode_bytes

    try:
        return decode_bytes(
            Path(path).read_bytes(),
            None,
            file=str(path),
            fix="save the spec as UTF-8 (TOML files are UTF-8)",
        )
    except DataError as exc:
        raise SpecError(str(exc)) from None
