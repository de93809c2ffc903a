"""Index specifications: the structure of a composite index is data (a TOML file),
validated once, up front, with errors that name the offending id and say how to fix it.

>>> spec = load_spec("mdi")
>>> [d.id for d in spec.domains][:2]
['inkomen', 'werk']
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
import warnings
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from buurtbalans.errors import Msg, SpecError
from buurtbalans.spec_checks import check_document, key_of, read_spec_text, shown, spec_error

TRANSFORMS = ("exponential", "percentile", "zscore", "none")
STANDARDISE = ("normal", "zscore", "minmax", "none")
REFERENCES = ("input", "input-pooled", "national", "national-pooled")
MISSING_RULES = ("reweight", "no-score")
WEIGHTS = ("normalised", "as-printed")
PRESETS = ("mdi",)


@dataclass(frozen=True)
class Domain:
    """A domain and its weight (a percentage; IoD convention)."""

    id: str
    weight: float
    label_nl: str = ""
    label_en: str = ""


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator in a domain. Either a column/indicator id, or a ratio of store
    indicators (``numerator`` / sum of ``denominator``) — a ratio's counts also allow
    empirical-Bayes shrinkage."""

    id: str
    domain: str
    polarity: str = "+"
    weight: float = 1.0
    numerator: str | None = None
    denominator: tuple[str, ...] = ()
    proxy: bool = False
    note: str = ""

    @property
    def inputs(self) -> tuple[str, ...]:
        """The raw columns this indicator is computed from."""
        return (self.numerator, *self.denominator) if self.numerator else (self.id,)


@dataclass(frozen=True)
class ClassBands:
    """Score bands: ``edges`` between ``labels``; ``inclusive`` says whether a score equal
    to an edge belongs to the higher class (MDI: score > 60 is 'zeer hoog' by default)."""

    edges: tuple[float, ...] = (20.0, 35.0, 50.0, 60.0)
    labels: tuple[str, ...] = ("zeer laag", "laag", "gemiddeld", "hoog", "zeer hoog")
    labels_en: tuple[str, ...] = ("very low", "low", "average", "high", "very high")
    inclusive: bool = False


@dataclass(frozen=True)
class IndexSpec:
    """A validated index specification."""

    name: str
    transform: str
    reference: str
    domains: tuple[Domain, ...]
    indicators: tuple[IndicatorSpec, ...]
    standardise: str = "normal"
    missing: str = "reweight"
    min_population: float = 0.0
    population: str = "a_inw"
    shrinkage: bool = False
    classes: ClassBands = field(default_factory=ClassBands)
    description: str = ""
    min_weight_share: float = 0.0
    required_domains: tuple[str, ...] = ()
    weights: str = "normalised"  # or "as-printed" (e.g. to reproduce the English IMD)

    def domain_ids(self) -> list[str]:
        """Domain ids in spec order."""
        return [d.id for d in self.domains]

    def indicators_of(self, domain: str) -> list[IndicatorSpec]:
        """The indicators of one domain."""
        return [i for i in self.indicators if i.domain == domain]

    def raw_inputs(self) -> list[str]:
        """Every raw column/indicator the spec reads (plus the population)."""
        cols = [c for i in self.indicators for c in i.inputs]
        return list(dict.fromkeys([*cols, self.population]))

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (for hashing, JSON and the report's method appendix)."""
        return asdict(self)

    def hash(self) -> str:
        """SHA-256 of the canonical JSON of the spec: the spec's identity in provenance."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def with_options(self, **changes: Any) -> IndexSpec:
        """A copy with top-level options changed (validated again)."""
        return validate(replace(self, **changes))

    def subset(self, domains: list[str]) -> IndexSpec:
        """A spec with only some domains (their weights rescaled to 100)."""
        unknown = set(domains) - set(self.domain_ids())
        if unknown:
            raise SpecError(
                Msg(
                    "err_co_unknown_domains",
                    domains=[f"'{d}'" for d in sorted(unknown)],
                    n=len(unknown),
                    known=self.domain_ids(),
                )
            )
        keep = tuple(d for d in self.domains if d.id in domains)
        total = sum(d.weight for d in keep)
        keep = tuple(replace(d, weight=d.weight * 100 / total) for d in keep)
        inds = tuple(i for i in self.indicators if i.domain in domains)
        required = tuple(d for d in self.required_domains if d in domains)
        return validate(replace(self, domains=keep, indicators=inds, required_domains=required))


def _fail(msg: Msg, fix: Msg, where: str | Msg) -> SpecError:
    return spec_error(where, msg, fix)


def parse_spec(data: dict[str, Any], *, where: str | Msg = "spec") -> IndexSpec:
    """Build and validate a spec from the parsed TOML document."""
    check_document(data, where=where)
    index = data.get("index")
    if not isinstance(index, dict):
        raise _fail(Msg("err_co_spec_no_index"), Msg("fix_co_spec_no_index"), where)
    known = {
        "name",
        "transform",
        "reference",
        "standardise",
        "missing",
        "min_population",
        "population",
        "shrinkage",
        "description",
        "classes",
        "min_weight_share",
        "required_domains",
        "weights",
    }
    if unknown := set(index) - known:
        raise _fail(
            Msg("err_co_spec_unknown_keys", keys=sorted(unknown), n=len(unknown)),
            Msg("fix_co_spec_known_keys", keys=sorted(known)),
            where,
        )
    domains = []
    for i, d in enumerate(data.get("domain", [])):
        if "id" not in d or "weight" not in d:
            raise _fail(
                Msg(
                    "err_co_spec_needs",
                    entry=Msg("err_co_spec_entry", table="domain", n=i + 1),
                    keys=["id", "weight"],
                ),
                Msg("fix_co_spec_add", example="id = '...' and weight = <percentage>"),
                where,
            )
        domains.append(
            Domain(
                str(d["id"]),
                _number(
                    d["weight"], key_of(Msg("err_co_spec_domain", id=d["id"]), "weight"), where
                ),
                d.get("label_nl", ""),
                d.get("label_en", ""),
            )
        )
    indicators = []
    for i, ind in enumerate(data.get("indicator", [])):
        if "id" not in ind or "domain" not in ind:
            raise _fail(
                Msg(
                    "err_co_spec_needs",
                    entry=Msg("err_co_spec_entry", table="indicator", n=i + 1),
                    keys=["id", "domain"],
                ),
                Msg("fix_co_spec_add", example="id = '...' and domain = '...'"),
                where,
            )
        den = ind.get("denominator", ())
        indicators.append(
            IndicatorSpec(
                id=str(ind["id"]),
                domain=str(ind["domain"]),
                polarity=str(ind.get("polarity", "+")),
                weight=_number(
                    ind.get("weight", 1.0),
                    key_of(Msg("err_co_spec_indicator", id=ind["id"]), "weight"),
                    where,
                ),
                numerator=ind.get("numerator"),
                denominator=tuple([den] if isinstance(den, str) else den),
                proxy=bool(ind.get("proxy", False)),
                note=str(ind.get("note", "")),
            )
        )
    classes = ClassBands()
    if isinstance(index.get("classes"), dict):
        c = index["classes"]
        classes = ClassBands(
            edges=tuple(float(e) for e in c.get("edges", classes.edges)),
            labels=tuple(c.get("labels", classes.labels)),
            labels_en=tuple(c.get("labels_en", classes.labels_en)),
            inclusive=bool(c.get("inclusive", classes.inclusive)),
        )
    spec = IndexSpec(
        name=str(index.get("name", "index")),
        transform=str(index.get("transform", "exponential")),
        reference=str(index.get("reference", "input")),
        domains=tuple(domains),
        indicators=tuple(indicators),
        standardise=str(index.get("standardise", "normal")),
        missing=str(index.get("missing", "reweight")),
        min_population=float(index.get("min_population", 0)),
        population=str(index.get("population", "a_inw")),
        shrinkage=bool(index.get("shrinkage", False)),
        classes=classes,
        description=str(index.get("description", "")),
        min_weight_share=_share(index.get("min_weight_share", 0.0), where),
        required_domains=tuple(str(d) for d in index.get("required_domains", ())),
        weights=str(index.get("weights", "normalised")),
    )
    return validate(spec, where=where)


def _share(value: Any, where: str | Msg) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _fail(Msg("err_co_spec_share", value=shown(value)), Msg("fix_co_spec_share"), where)
    return float(value)


def _number(value: Any, what: str | Msg, where: str | Msg) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(
            Msg("err_co_spec_not_number", name=what, value=shown(value)),
            Msg("fix_co_spec_positive"),
            where,
        )
    if value <= 0:
        raise _fail(
            Msg("err_co_spec_not_positive", name=what, value=shown(value)),
            Msg("fix_co_spec_positive_or_drop"),
            where,
        )
    return float(value)


def _choice(value: str, options: tuple[str, ...], what: str | Msg, where: str | Msg) -> None:
    if value not in options:
        quoted = [f"'{o}'" for o in options]
        raise _fail(
            Msg("err_co_spec_choice", name=what, value=shown(value), options=quoted),
            Msg("fix_co_spec_choice", options=quoted),
            where,
        )


def validate(spec: IndexSpec, *, where: str | Msg = "spec") -> IndexSpec:
    """Check a spec; domain weights are normalised to sum to 100 (with a warning when the
    given sum is more than 1 point off)."""
    _choice(spec.transform, TRANSFORMS, "transform", where)
    _choice(spec.reference, REFERENCES, "reference", where)
    _choice(spec.standardise, STANDARDISE, "standardise", where)
    _choice(spec.missing, MISSING_RULES, "missing", where)
    _choice(spec.weights, WEIGHTS, "weights", where)
    if not spec.domains:
        raise _fail(Msg("err_co_spec_no_domains"), Msg("fix_co_spec_no_domains"), where)
    ids = [d.id for d in spec.domains]
    if dups := sorted({d for d in ids if ids.count(d) > 1}):
        raise _fail(
            Msg("err_co_spec_domains_twice", ids=[f"'{d}'" for d in dups], n=len(dups)),
            Msg("fix_co_spec_domains_twice"),
            where,
        )
    ind_ids = [i.id for i in spec.indicators]
    if dups := sorted({d for d in ind_ids if ind_ids.count(d) > 1}):
        raise _fail(
            Msg("err_co_spec_indicators_twice", ids=[f"'{d}'" for d in dups], n=len(dups)),
            Msg("fix_co_spec_indicators_twice"),
            where,
        )
    for ind in spec.indicators:
        if ind.domain not in ids:
            raise _fail(
                Msg("err_co_spec_undeclared_domain", indicator=ind.id, domain=ind.domain),
                Msg("fix_co_spec_undeclared_domain", domains=ids, domain=ind.domain),
                where,
            )
        label = Msg("err_co_spec_indicator", id=ind.id)
        _choice(ind.polarity, ("+", "-"), key_of(label, "polarity"), where)
        if ind.numerator and not ind.denominator:
            raise _fail(
                Msg("err_co_spec_no_denominator", indicator=ind.id),
                Msg("fix_co_spec_no_denominator"),
                where,
            )
    if unknown := [d for d in spec.required_domains if d not in ids]:
        raise _fail(
            Msg("err_co_spec_required_unknown", domains=unknown, n=len(unknown)),
            Msg("fix_co_spec_required_unknown", domains=ids),
            where,
        )
    if empty := [d for d in ids if not spec.indicators_of(d)]:
        raise _fail(
            Msg("err_co_spec_empty_domains", domains=shown(empty)),
            Msg("fix_co_spec_empty_domains"),
            where,
        )
    edges = spec.classes.edges
    if list(edges) != sorted(edges) or len(spec.classes.labels) != len(edges) + 1:
        raise _fail(Msg("err_co_spec_class_edges"), Msg("fix_co_spec_class_edges"), where)
    return _normalised(spec, where)


def _normalised(spec: IndexSpec, where: str | Msg) -> IndexSpec:
    """Domain weights rescaled to sum to exactly 100, once, here: every surface (index,
    change, priorities, uncertainty, report) then reads the same weights and so the same
    score. The MDI's weights as printed (IoD Table 3.1) sum to 99.9 and are rescaled
    silently; a sum further than 1 point from 100 is rescaled with a warning.
    ``weights = "as-printed"`` keeps them as given (score = Σ w·X / 100; the English IMD
    is published that way, with weights summing to 99.9)."""
    total = math.fsum(d.weight for d in spec.domains)
    if math.isclose(total, 100.0, rel_tol=0, abs_tol=1e-9) or spec.weights == "as-printed":
        return spec
    if abs(total - 100) > 1.0:
        warnings.warn(
            f"{where}: domain weights sum to {total:g}, not 100; rescaled to 100",
            UserWarning,
            stacklevel=3,
        )
    return replace(
        spec, domains=tuple(replace(d, weight=d.weight * 100 / total) for d in spec.domains)
    )


def load_spec(name_or_path: str | Path) -> IndexSpec:
    """Load a built-in preset (``"mdi"``) or a TOML file."""
    text: str
    where: str | Msg = str(name_or_path)
    if str(name_or_path) in PRESETS:
        text = (
            resources.files("buurtbalans.index.presets")
            .joinpath(f"{name_or_path}.toml")
            .read_text("utf-8")
        )
        where = Msg("err_co_spec_preset", name=str(name_or_path))
    else:
        path = Path(name_or_path)
        if not path.exists():
            raise SpecError(Msg("err_no_spec", path=path, presets=list(PRESETS)))
        text = read_spec_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(Msg("err_co_spec_toml", error=exc), Msg("fix_co_spec_toml"), where) from exc
    return parse_spec(data, where=where)
