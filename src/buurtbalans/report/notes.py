"""Engine and analysis notes as sentences in the reader's language, and indicator names:
shared by the report's chapters and the console (a light module: no analysis pipeline)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from buurtbalans.sources.codebook import catalogue

if TYPE_CHECKING:
    from buurtbalans.report.context import ReportContext

_PATTERNS = (
    (re.compile(r"indicator '([\w-]+)' has no data and is left out"), "w_indicator_left_out"),
    (
        re.compile(r"domain '([\w-]+)' has no data and is left out; weights rescaled to 100"),
        "w_domain_left_out",
    ),
    (
        re.compile(r"Indicator ([\w-]+) \(domein [\w-]+\) is weggelaten: (.*?); een .*"),
        "w_indicator_not_comparable",
    ),
    (re.compile(r"Domein ([\w-]+) is weggelaten: (.*)\."), "w_domain_not_comparable"),
)


def domain_name(spec, domain: str, taal: str) -> str:
    """A domain's name in ``taal`` from ``spec``; a domain the spec no longer has (left out
    of a comparison: the spec is then the common subset) from the preset MDI spec."""
    from buurtbalans.spec import load_spec

    for source in (spec, load_spec("mdi")):
        for d in source.domains:
            if d.id == domain:
                return (d.label_nl if taal == "nl" else d.label_en) or d.id
    return domain


# why a domain is left out of a comparison (analysis/basis.py's words) -> catalogue key
_REASONS = (
    (r"niet gekozen \(--domeinen\)", "reason_not_chosen"),
    (r"alleen gegevens in (?P<year>\d+)", "reason_only_year"),
    (r"geen indicator die beide jaren hebben", "reason_no_common"),
    (r"geen gegevens in (?P<van>\d+) en (?P<tot>\d+)", "reason_no_data"),
)


def left_out_reason(reason: str, taal: str) -> str:
    """Why a domain is left out, in ``taal`` (the analysis records it in Dutch)."""
    from buurtbalans.terms import t

    for pattern, key in _REASONS:
        if m := re.fullmatch(pattern, str(reason).strip()):
            return t(key, taal, **m.groupdict())
    return str(reason)


def indicator_label(ctx: ReportContext, ind: str) -> str:
    """An indicator's name from the codebook in the report's language; a ratio of the spec
    (e.g. ``r_bijstand`` = a_soz_wb / a_inw) is named after its numerator."""
    cat = catalogue()
    meta = cat.get(ind)
    if meta is not None:
        from buurtbalans.report.tables import numbers_in

        return numbers_in(meta.label_nl if ctx.taal == "nl" else meta.label_en, ctx.taal)
    spec_ind = next((i for i in ctx.spec.indicators if i.id == ind), None)
    if spec_ind is None or not spec_ind.numerator or spec_ind.numerator not in cat:
        return ind
    num = cat[spec_ind.numerator]
    label = num.label_nl if ctx.taal == "nl" else num.label_en
    if tuple(spec_ind.denominator) == (ctx.spec.population,):
        return f"{label} {ctx.t('per_resident')}"
    return f"{label} {ctx.t('as_share')}"


# the analysis' own Dutch sentences (analysis/pipeline.py), for the English report
_SENTENCES = (
    (r"Buurtindeling (?P<v>\d+): de nieuwste indeling met gegevens voor (?P<y>\d+)\.", "n_vintage"),
    (
        r"De gegevens van (?P<y>\d+) \(indeling (?P<from>[\d, ]+)\) zijn omgerekend naar "
        r"indeling (?P<v>\d+)\.",
        "n_moved",
    ),
    (
        r"Geen inwonertallen in de store voor (?P<y>\d+): aantallen inwoners ontbreken en "
        r"gemiddelden zijn niet naar inwoners gewogen\.",
        "n_no_population",
    ),
    (
        r"Voor (?P<y>\d+) zijn de inwoners van (?P<used>\d+) gebruikt \(de store heeft geen "
        r"inwonertal voor \d+\)\.",
        "n_population_year",
    ),
    (
        r"(?P<n>\d+) van de (?P<total>\d+) buurten hebben in (?P<van>\d+) of (?P<tot>\d+) te "
        r"weinig gegevens .*",
        "n_insufficient",
    ),
    (
        r"(?P<n>\d+) buurten hebben in (?P<van>\d+) en (?P<tot>\d+) een score op "
        r"verschillende domeinen.*",
        "n_unlike",
    ),
)


# notes with a count: the catalogue's plural forms replace the analysis' "1 buurten hebben"
_COUNTED = frozenset({"n_insufficient", "n_unlike"})


def note_sentence(ctx: ReportContext, note: object) -> str:
    """An engine or analysis note as a sentence in the report's language."""
    if hasattr(note, "text") and hasattr(note, "key"):  # a catalogue message (errors.Msg)
        return note.text(ctx.taal)  # type: ignore[union-attr]
    for pattern, key in _SENTENCES:  # Dutch too: the catalogue has the plural forms
        if (ctx.taal != "nl" or key in _COUNTED) and (m := re.fullmatch(pattern, note.strip())):
            return ctx.t(key, **m.groupdict())
    for pattern, key in _PATTERNS:
        if m := pattern.fullmatch(note.strip()):
            thing = m.group(1)
            label = (
                ctx.domain_label(thing)
                if key.startswith("w_domain")
                else indicator_label(ctx, thing)
            )
            why = m.group(2) if m.re.groups > 1 else ""
            return ctx.t(key, label=label, why=why)
    return note
