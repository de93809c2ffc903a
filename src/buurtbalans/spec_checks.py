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

from buurtbalans.errors import Msg, SpecError

#: a weight (a percentage of the index, or an indicator's share of its domain) outside
#: this range is a typing mistake, not a choice (1e-300 / 1e-300 is 50/50 only in theory)
WEIGHT_RANGE = (1e-3, 1e6)

_TEXT_KEYS = ("name", "transform", "reference", "standardise", "missing", "population")


def spec_error(where: str | Msg, what: Msg, fix: Msg) -> SpecError:
    """``{where}: {what}. Fix: {fix}`` in the reader's language (``where`` "spec" is the
    word for a spec not read from a file)."""
    place = Msg("err_co_spec_default") if where == "spec" else where
    return SpecError(Msg("err_co_spec", where=place, what=what, fix=fix))


_fail = spec_error


def shown(value: Any) -> str:
    """A value of a spec document as TOML writes it (``'50'`` a text, ``true``, ``[20, 35]``),
    for a message naming what was written.

    >>> shown(["werk", 35, True, {"a": 1}])
    "['werk', 35, true, {a = 1}]"
    """
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def key_of(label: Msg, key: str) -> Msg:
    """A key of an entry (``domain 'inkomen' weight``)."""
    return Msg("err_co_spec_key", label=label, name=key)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any, key: str | Msg, where: str | Msg, example: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _fail(
            where,
            Msg("err_co_spec_not_text", name=key, value=shown(value)),
            Msg("fix_co_spec_quotes", example=example),
        )


def check_weight(value: Any, key: str | Msg, where: str | Msg) -> None:
    """A weight is a finite number within :data:`WEIGHT_RANGE`."""
    low, high = WEIGHT_RANGE
    if not _is_number(value) or not math.isfinite(value):
        raise _fail(
            where,
            Msg("err_co_spec_not_number", name=key, value=shown(value)),
            Msg("fix_co_spec_positive"),
        )
    if value <= 0:
        raise _fail(
            where,
            Msg("err_co_spec_not_positive", name=key, value=shown(value)),
            Msg("fix_co_spec_positive_or_drop"),
        )
    if not low <= value <= high:
        raise _fail(
            where,
            Msg("err_co_spec_weight_range", name=key, value=shown(value), low=low, high=high),
            Msg("fix_co_spec_weight_range"),
        )


def check_classes(classes: Any, where: str | Msg) -> None:
    """``[index.classes]``: edges finite, increasing numbers; labels texts; inclusive bool."""
    if not isinstance(classes, dict):
        raise _fail(
            where,
            Msg("err_co_spec_classes_table", value=shown(classes)),
            Msg("fix_co_spec_classes_table"),
        )
    edges = classes.get("edges")
    if edges is not None:
        if not isinstance(edges, list) or not edges:
            raise _fail(
                where,
                Msg("err_co_spec_edges_list", value=shown(edges)),
                Msg("fix_co_spec_example", example="edges = [20, 35, 50, 60]"),
            )
        for pos, edge in enumerate(edges, start=1):
            if not _is_number(edge) or not math.isfinite(edge):
                raise _fail(
                    where,
                    Msg("err_co_spec_edge", pos=pos, value=shown(edge)),
                    Msg("fix_co_spec_edge"),
                )
        if any(b <= a for a, b in pairwise(edges)):
            raise _fail(
                where,
                Msg("err_co_spec_edges_order", value=shown(edges)),
                Msg("fix_co_spec_edges_order"),
            )
    for key in ("labels", "labels_en"):
        labels = classes.get(key)
        if labels is not None and not (
            isinstance(labels, list) and all(isinstance(x, str) and x.strip() for x in labels)
        ):
            raise _fail(
                where,
                Msg("err_co_spec_labels", name=key, value=shown(labels)),
                Msg(
                    "fix_co_spec_example",
                    example=f'{key} = ["zeer laag", "laag", "gemiddeld", "hoog", "zeer hoog"]',
                ),
            )
    if "inclusive" in classes and not isinstance(classes["inclusive"], bool):
        raise _fail(
            where,
            Msg(
                "err_co_spec_not_bool",
                name="[index.classes] inclusive",
                value=shown(classes["inclusive"]),
            ),
            Msg("fix_co_spec_bool", name="inclusive"),
        )


def _check_index(index: dict[str, Any], where: str | Msg) -> None:
    for key in _TEXT_KEYS:
        if key in index:
            _text(index[key], f"[index] {key}", where, f'{key} = "..."')
    if "description" in index and not isinstance(index["description"], str):
        raise _fail(
            where,
            Msg("err_co_spec_key_not_text", name="[index] description"),
            Msg("fix_co_spec_write", example='description = "..."'),
        )
    if "min_population" in index:
        value = index["min_population"]
        if not _is_number(value) or not math.isfinite(value):
            raise _fail(
                where,
                Msg("err_co_spec_not_number", name="[index] min_population", value=shown(value)),
                Msg("fix_co_spec_min_population"),
            )
        if value < 0:
            raise _fail(
                where,
                Msg("err_co_spec_below_zero", name="[index] min_population", value=shown(value)),
                Msg("fix_co_spec_min_population_zero"),
            )
    if "shrinkage" in index and not isinstance(index["shrinkage"], bool):
        raise _fail(
            where,
            Msg("err_co_spec_not_bool", name="[index] shrinkage", value=shown(index["shrinkage"])),
            Msg("fix_co_spec_bool", name="shrinkage"),
        )
    required = index.get("required_domains")
    if required is not None and not (
        isinstance(required, list) and all(isinstance(d, str) for d in required)
    ):
        raise _fail(
            where,
            Msg("err_co_spec_required_list", value=shown(required)),
            Msg("fix_co_spec_example", example='required_domains = ["inkomen", "werk"]'),
        )
    if "classes" in index:
        check_classes(index["classes"], where)


def _entries(data: dict[str, Any], key: str, where: str | Msg) -> list[dict[str, Any]]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise _fail(
            where,
            Msg("err_co_spec_entries", name=key, value=shown(entries)),
            Msg("fix_co_spec_entries", name=key),
        )
    return entries


def check_document(data: dict[str, Any], *, where: str | Msg = "spec") -> None:
    """Check the types and bounds of a parsed spec document; raise naming the key."""
    index = data.get("index")
    if isinstance(index, dict):
        _check_index(index, where)
    for n, domain in enumerate(_entries(data, "domain", where), start=1):
        label = Msg("err_co_spec_entry", table="domain", n=n)
        if "id" in domain:
            _text(domain["id"], key_of(label, "id"), where, 'id = "inkomen"')
            label = Msg("err_co_spec_domain", id=domain["id"])
        if "weight" in domain:
            check_weight(domain["weight"], key_of(label, "weight"), where)
        for key in ("label_nl", "label_en"):
            if key in domain and not isinstance(domain[key], str):
                raise _fail(
                    where,
                    Msg("err_co_spec_key_not_text", name=key_of(label, key)),
                    Msg("fix_co_spec_write", example=f'{key} = "..."'),
                )
    for n, ind in enumerate(_entries(data, "indicator", where), start=1):
        label = Msg("err_co_spec_entry", table="indicator", n=n)
        if "id" in ind:
            _text(ind["id"], key_of(label, "id"), where, 'id = "p_hh_li"')
            label = Msg("err_co_spec_indicator", id=ind["id"])
        if "domain" in ind:
            _text(ind["domain"], key_of(label, "domain"), where, 'domain = "inkomen"')
        if "weight" in ind:
            check_weight(ind["weight"], key_of(label, "weight"), where)
        if "polarity" in ind and ind["polarity"] not in ("+", "-"):
            raise _fail(
                where,
                Msg(
                    "err_co_spec_polarity",
                    name=key_of(label, "polarity"),
                    value=shown(ind["polarity"]),
                ),
                Msg("fix_co_spec_polarity"),
            )
        if "numerator" in ind:
            _text(ind["numerator"], key_of(label, "numerator"), where, 'numerator = "a_bijst"')
        den = ind.get("denominator")
        if den is not None and not (
            (isinstance(den, str) and den.strip())
            or (isinstance(den, list) and den and all(isinstance(d, str) for d in den))
        ):
            raise _fail(
                where,
                Msg("err_co_spec_denominator", name=key_of(label, "denominator"), value=shown(den)),
                Msg("fix_co_spec_denominator"),
            )
        if "proxy" in ind and not isinstance(ind["proxy"], bool):
            raise _fail(
                where,
                Msg("err_co_spec_key_not_bool", name=key_of(label, "proxy")),
                Msg("fix_co_spec_write", example="proxy = true"),
            )


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
            fix=Msg("fix_co_spec_utf8"),  # type: ignore[arg-type]
        )
    except DataError as exc:
        error = SpecError(str(exc))
        error.term = exc  # type: ignore[assignment]  # (exc.text: in the reader's language)
        raise error from None
