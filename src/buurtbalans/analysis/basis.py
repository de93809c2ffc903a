"""The basis of a comparison between two years: the same domains and indicators in both,
or a refusal that says what each year has and how to get the rest.

A change in score only means something when both scores rest on the same domains and
indicators. :func:`comparable_spec` takes the intersection of what the store holds for a
gemeente in both years (or the user's choice of domains), checks it against the spec's
minimum (``min_weight_share``, ``required_domains``) and returns the spec restricted to it,
with a plain Dutch note for every indicator and domain left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from buurtbalans.errors import DataError, Msg, SpecError
from buurtbalans.harmonise import with_denominators
from buurtbalans.sources.known import predecessors
from buurtbalans.spec import IndexSpec, IndicatorSpec, validate
from buurtbalans.store import Store


@dataclass
class Basis:
    """The domains and indicators a comparison rests on, what was left out and why."""

    spec: IndexSpec  # the spec restricted to the common set (weights rescaled to 100)
    domains: list[str]
    indicators: list[str]
    domains_per_year: dict[int, list[str]]
    left_out: dict[str, str]  # domain → reason
    indicators_left_out: dict[str, str]  # indicator → reason
    weight_share: float  # share of the full spec's domain weight the common set carries
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (for ``ChangeAnalysis.basis`` and run.json)."""
        return {
            "domeinen": self.domains,
            "indicatoren": self.indicators,
            "domeinen_per_jaar": {str(y): d for y, d in self.domains_per_year.items()},
            "weggelaten_domeinen": self.left_out,
            "weggelaten_indicatoren": self.indicators_left_out,
            "gewichtsaandeel": round(self.weight_share, 4),
        }


def store_presence(store: Store, gemeente: str, inputs: Sequence[str]) -> pd.DataFrame:
    """Per observation year, vintage and raw indicator of a gemeente's buurten: the number
    of buurten with a value, how many are zero, and the smallest and largest value."""
    inputs = list(inputs)
    family = predecessors(gemeente)  # with the gemeenten that merged into it
    return store.con.execute(
        f"""SELECT o.period, o.vintage, o.indicator, count(o.value) AS n,
                   count(*) FILTER (WHERE o.value = 0) AS zeros,
                   min(o.value) AS lo, max(o.value) AS hi
            FROM observations o JOIN areas a ON a.code = o.area_code AND a.vintage = o.vintage
            WHERE a.gemeente_code IN ({",".join("?" * len(family))}) AND a.level = 'buurt'
              AND o.indicator IN ({",".join("?" * len(inputs))})
            GROUP BY ALL""",
        [*family, *inputs],
    ).df()


def _has(ind: IndicatorSpec, present: set[str]) -> bool:
    return all(c in present for c in ind.inputs)


def _missing_text(ind: IndicatorSpec, present: set[str]) -> str:
    gone = [c for c in ind.inputs if c not in present]
    if ind.numerator:
        roles = [
            f"{c} ({'teller' if c == ind.numerator else 'noemer'})" for c in dict.fromkeys(gone)
        ]
        return "ontbreekt " + ", ".join(roles)
    return "geen gegevens"


def years_with_domains(
    spec: IndexSpec, presence: pd.DataFrame
) -> dict[int, tuple[list[str], list[str]]]:
    """Per year the store has: (indicators with data, domains with data)."""
    out = {}
    for year, part in presence[presence["n"] > 0].groupby("period"):
        have = set(part["indicator"])
        inds = [i.id for i in spec.indicators if _has(i, have)]
        doms = [
            d
            for d in spec.domain_ids()
            if any(i.domain == d for i in spec.indicators_of(d) if i.id in inds)
        ]
        out[int(year)] = (inds, doms)
    return out


def check_domains(spec: IndexSpec, domains: str | Sequence[str]) -> list[str]:
    """The domain ids of a --domeinen choice ("inkomen,werk"), all declared in ``spec``."""
    chosen = [d.strip() for d in domains.split(",")] if isinstance(domains, str) else domains
    chosen = [d for d in chosen if d]
    if unknown := [d for d in chosen if d not in spec.domain_ids()]:
        raise _unknown_domains(spec, unknown)
    return list(chosen)


def _unknown_domains(spec: IndexSpec, unknown: list[str]) -> SpecError:
    return SpecError(
        Msg("err_an_unknown_domains", domains=unknown, n=len(unknown), ids=spec.domain_ids())
    )


def comparable_spec(
    store: Store,
    spec: IndexSpec,
    gemeente: str,
    van: int,
    tot: int,
    *,
    domains: Sequence[str] | None = None,
) -> Basis:
    """The spec restricted to the domains and indicators both years have (within
    ``domains`` when given), or a :class:`DataError` naming what each year has when that
    common set is below the spec's minimum."""
    presence = store_presence(store, gemeente, with_denominators(spec.raw_inputs()))
    per_year = years_with_domains(spec, presence)
    have = {
        y: set(presence.loc[(presence["period"] == y) & (presence["n"] > 0), "indicator"])
        for y in (van, tot)
    }
    inds = {y: per_year.get(y, ([], []))[0] for y in (van, tot)}
    doms = {y: per_year.get(y, ([], []))[1] for y in (van, tot)}
    if domains:
        if unknown := [d for d in domains if d not in spec.domain_ids()]:
            raise _unknown_domains(spec, unknown)
        if lacking := [d for d in domains if not (d in doms[van] and d in doms[tot])]:
            raise DataError(
                Msg(
                    "err_an_domains_no_data",
                    domains=lacking,
                    n=len(lacking),
                    van=van,
                    tot=tot,
                    have_van=doms[van] or Msg("err_an_no_domains"),
                    have_tot=doms[tot] or Msg("err_an_no_domains"),
                ),
                fix=Msg("fix_an_domains_no_data"),
            )
    chosen = list(domains) if domains else spec.domain_ids()
    common = [
        i for i in spec.indicators if i.id in inds[van] and i.id in inds[tot] and i.domain in chosen
    ]
    used = [d for d in spec.domain_ids() if any(i.domain == d for i in common)]
    left_out: dict[str, str] = {}
    for d in spec.domain_ids():
        if d in used:
            continue
        if d not in chosen:
            left_out[d] = "niet gekozen (--domeinen)"
        elif d in doms[van] or d in doms[tot]:
            only = van if d in doms[van] else tot
            left_out[d] = (
                f"alleen gegevens in {only}"
                if not (d in doms[van] and d in doms[tot])
                else "geen indicator die beide jaren hebben"
            )
        else:
            left_out[d] = f"geen gegevens in {van} en {tot}"
    ind_out: dict[str, str] = {}
    notes: list[str] = []
    for i in spec.indicators:
        if i in common or i.domain not in used:
            continue
        texts = {y: _missing_text(i, have[y]) for y in (van, tot) if not _has(i, have[y])}
        if len(texts) == 2 and len(set(texts.values())) == 1:
            why = f"in {van} en {tot} {texts[van]}"
        else:
            why = "; ".join(f"in {y} {t}" for y, t in texts.items())
        ind_out[i.id] = why
        notes.append(
            f"Indicator {i.id} (domein {i.domain}) is weggelaten: {why}; een verandering "
            "vergelijkt alleen indicatoren die beide jaren hebben."
        )
    total = sum(d.weight for d in spec.domains)
    share = sum(d.weight for d in spec.domains if d.id in used) / total
    missing_required = [d for d in spec.required_domains if d not in used]
    if not used or share < spec.min_weight_share - 1e-9 or missing_required:
        raise _refusal(spec, gemeente, van, tot, doms, used, share, missing_required, per_year)
    for d, why in left_out.items():
        notes.append(f"Domein {d} is weggelaten: {why}.")
    notes += _zero_notes(presence, common, (van, tot))
    sub = spec
    if used == spec.domain_ids() and len(common) != len(spec.indicators):
        # every domain: the weights and the minimum stay exactly as loaded (one spec hash)
        sub = validate(replace(spec, indicators=tuple(i for i in spec.indicators if i in common)))
    elif used != spec.domain_ids():
        sub = spec.subset(used)
        w_used = share * total
        sub = validate(
            replace(
                sub,
                indicators=tuple(i for i in sub.indicators if i in common),
                min_weight_share=min(1.0, spec.min_weight_share * total / w_used),
            )
        )
    return Basis(
        sub,
        used,
        [i.id for i in common],
        {y: doms[y] for y in (van, tot)},
        left_out,
        ind_out,
        share,
        notes,
    )


def _refusal(
    spec: IndexSpec,
    gemeente: str,
    van: int,
    tot: int,
    doms: dict[int, list[str]],
    used: list[str],
    share: float,
    missing_required: list[str],
    per_year: dict[int, tuple[list[str], list[str]]],
) -> DataError:
    if spec.required_domains:
        need = Msg(
            "err_an_need_share_required",
            share=spec.min_weight_share,
            domains=", ".join(spec.required_domains),
        )
    else:
        need = Msg("err_an_need_share", share=spec.min_weight_share)
    store_has = "; ".join(f"{y}: {', '.join(d) or '-'}" for y, (_i, d) in sorted(per_year.items()))
    lacking = {
        y: Msg(
            "fix_an_year_lacks",
            year=y,
            domains=", ".join(d for d in spec.domain_ids() if d not in doms[y])
            or Msg("err_an_nothing"),
        )
        for y in (van, tot)
    }
    without = Msg("err_an_without", domains=", ".join(missing_required)) if missing_required else ""
    return DataError(
        Msg(
            "err_an_unlike_years",
            van=van,
            tot=tot,
            gemeente=gemeente,
            has_van=", ".join(doms[van]) or Msg("err_an_no_domains"),
            has_tot=", ".join(doms[tot]) or Msg("err_an_no_domains"),
            common=", ".join(used) or Msg("err_an_nothing"),
            share=share,
            without=without,
            spec=spec.name,
            need=need,
            store_has=store_has,
        ),
        fix=Msg(
            "fix_an_unlike_years",
            lacking_van=lacking[van],
            lacking_tot=lacking[tot],
            hint=_kwb_hint(gemeente, van, tot),
        ),
    )


def _kwb_hint(gemeente: str, van: int, tot: int) -> list[str | Msg]:
    """The import command for the KWB years StatLine has (2013-2025); other years come
    from downloaded files."""
    years = [y for y in (van, tot) if 2013 <= y <= 2025]
    other = [y for y in (van, tot) if y not in years]
    parts: list[str | Msg] = []
    if years and not gemeente.startswith("GM99"):
        parts.append(
            f"`buurtbalans import cbs --gemeente {gemeente} --jaren {','.join(map(str, years))}`"
        )
    if other or gemeente.startswith("GM99"):
        shown = other or [van, tot]
        parts.append(Msg("fix_an_kwb_file", years="/".join(map(str, shown))))
    return parts  # a list field: "a and b" / "a en b"


def _zero_notes(
    presence: pd.DataFrame,
    common: Sequence[IndicatorSpec],
    years: Sequence[int],
) -> list[str]:
    """A note for every used raw column that is entirely zero or constant in a year:
    in derived tables a zero often means 'missing'."""
    inputs = {c for i in common for c in i.inputs}
    notes = []
    part = presence[presence["period"].isin(years) & presence["indicator"].isin(inputs)]
    for row in part.itertuples():
        if row.n == 0:
            continue
        if row.zeros == row.n:
            notes.append(
                f"{row.indicator} is in {row.period} in alle {row.n} buurten 0; in afgeleide "
                "tabellen betekent 0 vaak 'ontbreekt' — controleer de bron."
            )
        elif row.n > 1 and row.lo == row.hi:
            notes.append(
                f"{row.indicator} heeft in {row.period} in alle {row.n} buurten dezelfde "
                f"waarde ({row.lo:g}); het onderscheidt geen buurten."
            )
        elif row.zeros > row.n / 2:
            notes.append(
                f"{row.indicator} is in {row.period} in {row.zeros} van {row.n} buurten 0; "
                "als 0 daar 'ontbreekt' betekent, geef dat aan in de mapping (missing_values)."
            )
    return notes
