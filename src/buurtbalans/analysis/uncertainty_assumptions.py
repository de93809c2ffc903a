"""The assumptions of the uncertainty analysis as data (a small TOML), and the Sobol design
that turns them into variants.

Every choice behind the index that could reasonably have been made otherwise is one Sobol
factor (the weights: one factor per domain). A factor's value u in [0, 1) maps to a
weight multiplier, a Dirichlet quantile or one of a list of options; a block with one
option does not vary and is no factor.

>>> a = load_assumptions(None)
>>> a.runs, a.weight_method, a.scalings
(1000, 'uniform', ('percentile', 'exponential', 'normal'))
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import gamma

from buurtbalans.errors import Msg, SpecError
from buurtbalans.spec import IndexSpec

SCALINGS = ("percentile", "exponential", "normal")
MISSING = ("reweight", "no-score")
WEIGHT_METHODS = ("uniform", "dirichlet", "fixed")
DEFAULT_FILE = "onzekerheid.toml"


@dataclass(frozen=True)
class Assumptions:
    """What may vary, and how much (see ``index/presets/onzekerheid.toml``)."""

    runs: int = 1000
    seed: int = 20240
    top: int = 10
    weight_method: str = "uniform"
    weight_spread: float = 0.25
    concentration: float = 100.0
    scalings: tuple[str, ...] = SCALINGS
    missing_rules: tuple[str, ...] = MISSING
    shrinkage: tuple[bool, ...] = (False, True)
    drop_indicator: bool = True
    p_none: float = 0.5
    relative_error: float = 0.05
    error_levels: int = 256
    margins: tuple[tuple[str, str], ...] = ()
    source: str = "preset onzekerheid"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for provenance and the xlsx ``bronnen`` sheet)."""
        out = asdict(self)
        out["margins"] = dict(self.margins)
        return out

    def with_runs(self, runs: int | None = None, seed: int | None = None) -> Assumptions:
        """A copy with ``runs``/``seed`` overridden (from the command line)."""
        if runs is not None and runs < 1:
            raise SpecError(Msg("err_an_runs", runs=runs))
        return replace(
            self,
            runs=self.runs if runs is None else int(runs),
            seed=self.seed if seed is None else int(seed),
        )

    @classmethod
    def none_varying(cls, spec: IndexSpec, runs: int = 64, seed: int = 0) -> Assumptions:
        """Zero variation: every factor at the spec's own choice (the weights still enter
        the design as factors, with spread 0). Every variant then equals the point result."""
        return cls(
            runs=runs,
            seed=seed,
            weight_spread=0.0,
            scalings=(spec.transform,),
            missing_rules=(spec.missing,),
            shrinkage=(spec.shrinkage,),
            drop_indicator=False,
            relative_error=0.0,
            source="no variation",
        )


def _options(block: dict[str, Any], allowed: tuple[Any, ...], key: str, where: str) -> tuple:
    opts = block.get("options", list(allowed))
    if not isinstance(opts, list) or not opts:
        raise SpecError(Msg("err_an_options_empty", where=where, table=key, allowed=list(allowed)))
    if bad := [o for o in opts if o not in allowed]:
        raise SpecError(
            Msg(
                "err_an_options_unknown",
                where=where,
                table=key,
                bad=bad,
                n=len(bad),
                allowed=list(allowed),
            )
        )
    return tuple(dict.fromkeys(opts))


def _num(block: dict[str, Any], key: str, default: float, lo: float, hi: float, where: str):
    value = block.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise SpecError(
            Msg("err_an_not_in_range", where=where, name=key, value=value, lo=lo, hi=hi)
        )
    return value


def parse_assumptions(data: dict[str, Any], *, where: str = "aannames") -> Assumptions:
    """Validate a parsed assumptions TOML document."""
    known = {"run", "weights", "scaling", "missing", "shrinkage", "drop_indicator"}
    known |= {"indicator_error"}
    if unknown := set(data) - known:
        raise SpecError(
            Msg(
                "err_an_unknown_tables",
                where=where,
                tables=sorted(unknown),
                n=len(unknown),
                known=sorted(known),
            )
        )
    run, w = data.get("run", {}), data.get("weights", {})
    method = w.get("method", "uniform")
    if method not in WEIGHT_METHODS:
        raise SpecError(
            Msg("err_an_weight_method", where=where, method=method, methods=list(WEIGHT_METHODS))
        )
    drop, err = data.get("drop_indicator", {}), data.get("indicator_error", {})
    margins = err.get("margins", {})
    if not isinstance(margins, dict) or not all(isinstance(v, str) for v in margins.values()):
        raise SpecError(Msg("err_an_margins_map", where=where))
    return Assumptions(
        runs=int(_num(run, "runs", 1000, 1, 10_000_000, where)),
        seed=int(_num(run, "seed", 20240, 0, 2**63 - 1, where)),
        top=int(_num(run, "top", 10, 1, 100_000, where)),
        weight_method=method,
        weight_spread=float(_num(w, "spread", 0.25, 0.0, 0.99, where)),
        concentration=float(_num(w, "concentration", 100.0, 1e-3, 1e9, where)),
        scalings=_options(data.get("scaling", {}), SCALINGS, "scaling", where),
        missing_rules=_options(data.get("missing", {}), MISSING, "missing", where),
        shrinkage=_options(data.get("shrinkage", {}), (False, True), "shrinkage", where),
        drop_indicator=bool(drop.get("enabled", True)),
        p_none=float(_num(drop, "p_none", 0.5, 0.0, 1.0, where)),
        relative_error=float(_num(err, "relative", 0.05, 0.0, 10.0, where)),
        error_levels=int(_num(err, "levels", 256, 1, 1_000_000, where)),
        margins=tuple(sorted(margins.items())),
        source=where,
    )


def load_assumptions(path: str | Path | None) -> Assumptions:
    """The package default (``None``) or a TOML file of assumptions."""
    if path is None:
        text = resources.files("buurtbalans.index.presets").joinpath(DEFAULT_FILE).read_text()
        where = f"preset {DEFAULT_FILE}"
    else:
        p = Path(path)
        if not p.exists():
            raise SpecError(Msg("err_an_no_assumptions_file", path=p, default=DEFAULT_FILE))
        text, where = p.read_text("utf-8"), str(p)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(Msg("err_an_assumptions_toml", where=where, error=str(exc))) from exc
    return parse_assumptions(data, where=where)


@dataclass
class Design:
    """The variants: per variant the domain weights, scaling, missing rule, shrinkage,
    dropped indicator (-1 = none) and error realisation (-1 = none)."""

    factors: list[str]
    problem: dict[str, Any] | None
    samples: np.ndarray
    weights: np.ndarray
    scaling: np.ndarray
    missing: np.ndarray
    shrink: np.ndarray
    drop: np.ndarray
    error: np.ndarray
    base_n: int
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of variants."""
        return len(self.scaling)


def _level(u: np.ndarray, k: int) -> np.ndarray:
    return np.minimum((u * k).astype(int), k - 1)


def make_design(
    spec: IndexSpec,
    a: Assumptions,
    indicators: list[str],
    *,
    shrinkable: bool,
    has_error: bool,
) -> Design:
    """Saltelli/Sobol sample (SALib, scrambled, seeded) over the varying assumptions.

    ``indicators`` are those with data (the candidates for dropping one). The number of
    variants is N·(k + 2) for k factors, with N the smallest power of two that gives at
    least ``a.runs`` variants.
    """
    notes: list[str] = []
    domains = spec.domain_ids()
    w0 = np.array([d.weight for d in spec.domains], dtype=float)
    factors: list[str] = []
    if a.weight_method != "fixed":
        factors += [f"gewicht {d}" for d in domains]
    scalings = a.scalings
    if spec.transform not in SCALINGS:
        raise SpecError(Msg("err_an_scalings", scalings=list(SCALINGS), transform=spec.transform))
    if len(scalings) > 1:
        factors.append("schaal")
    if len(a.missing_rules) > 1:
        factors.append("ontbrekend")
    shrink_opts = a.shrinkage
    if len(shrink_opts) > 1 and not shrinkable:
        notes.append(
            "krimp niet gevarieerd: geen ratio-indicator met tellers en noemers in de invoer"
        )
        shrink_opts = (spec.shrinkage,)
    if len(shrink_opts) > 1:
        factors.append("krimp")
    drop = a.drop_indicator and len(indicators) > 1
    if drop:
        factors.append("indicator weglaten")
    if has_error:
        factors.append("indicatorfout")
    k = len(factors)
    if k:
        from SALib.sample import sobol as sobol_sample

        problem = {"num_vars": k, "names": factors, "bounds": [[0.0, 1.0]] * k}
        base_n = 2 ** max(0, math.ceil(math.log2(max(a.runs, 1) / (k + 2))))
        samples = sobol_sample.sample(
            problem, base_n, calc_second_order=False, scramble=True, seed=a.seed
        )
    else:
        problem, base_n, samples = None, a.runs, np.zeros((a.runs, 0))
    n = len(samples)
    col = {name: samples[:, j] for j, name in enumerate(factors)}
    weights = np.tile(w0, (n, 1))
    if a.weight_method == "uniform":
        u = np.column_stack([col[f"gewicht {d}"] for d in domains])
        weights = w0 * (1.0 - a.weight_spread + 2.0 * a.weight_spread * u)
    elif a.weight_method == "dirichlet":
        u = np.column_stack([col[f"gewicht {d}"] for d in domains]).clip(1e-12, 1 - 1e-12)
        weights = gamma.ppf(u, a.concentration * w0 / w0.sum())
    weights = weights * (w0.sum() / weights.sum(axis=1, keepdims=True))

    def pick(name: str, options: tuple, base: Any) -> np.ndarray:
        if name in col:
            return np.asarray(options, dtype=object)[_level(col[name], len(options))]
        return np.full(n, options[0] if len(options) == 1 else base, dtype=object)

    scaling = pick("schaal", scalings, spec.transform)
    missing = pick("ontbrekend", a.missing_rules, spec.missing)
    shrink = pick("krimp", shrink_opts, spec.shrinkage).astype(bool)
    dropped = np.full(n, -1)
    if drop:
        u = col["indicator weglaten"]
        rest = (u - a.p_none) / max(1.0 - a.p_none, 1e-12)
        dropped = np.where(u < a.p_none, -1, _level(rest.clip(0, 1), len(indicators)))
    error = _level(col["indicatorfout"], a.error_levels) if has_error else np.full(n, -1)
    return Design(
        factors=factors,
        problem=problem,
        samples=samples,
        weights=weights,
        scaling=np.array([SCALINGS.index(s) for s in scaling]),
        missing=np.array([m == "no-score" for m in missing]),
        shrink=shrink,
        drop=dropped,
        error=error,
        base_n=base_n,
        notes=notes,
    )


def sobol_indices(design: Design, outputs: dict[str, np.ndarray], seed: int) -> list[dict]:
    """First-order and total Sobol indices (SALib) of every factor for every output."""
    rows: list[dict] = []
    if not design.factors or design.problem is None:
        return rows
    from SALib.analyze import sobol as sobol_analyze

    for name, y in outputs.items():
        y = np.asarray(y, dtype=float)
        if not np.isfinite(y).all() or np.var(y) == 0:
            rows += [
                {"uitkomst": name, "factor": f, "S1": np.nan, "S1_conf": np.nan,
                 "ST": np.nan, "ST_conf": np.nan, "noot": "geen variatie in deze uitkomst"}
                for f in design.factors
            ]  # fmt: skip
            continue
        res = sobol_analyze.analyze(
            design.problem, y, calc_second_order=False, num_resamples=100, seed=seed
        )
        for j, f in enumerate(design.factors):
            rows.append(
                {
                    "uitkomst": name,
                    "factor": f,
                    "S1": float(res["S1"][j]),
                    "S1_conf": float(res["S1_conf"][j]),
                    "ST": float(res["ST"][j]),
                    "ST_conf": float(res["ST_conf"][j]),
                    "noot": "",
                }
            )
    return rows
