"""Key findings as plain sentences, every number computed from the analyses."""

from __future__ import annotations

from buurtbalans.analysis.pipeline import ChangeAnalysis
from buurtbalans.report.terms import t
from buurtbalans.spec import IndexSpec


def key_findings(a: ChangeAnalysis, spec: IndexSpec, van: int, tot: int, taal: str) -> list[str]:
    """The 'Hoofdbevindingen': direction, very-high class, residents, domains, the gap."""
    ch = a.change
    counts = ch["direction"].value_counts()
    out = [
        t(
            "f_direction",
            taal,
            tot=tot,
            van=van,
            n=int(ch["delta"].notna().sum()),
            improved=int(counts.get("verbeterd", 0)),
            worsened=int(counts.get("verslechterd", 0)),
            stable=int(counts.get("ongeveer gelijk", 0)),
        )
    ]
    f = a.flows
    out.append(
        t(
            "f_veryhigh",
            taal,
            toen=f["toen"],
            nu=f["nu"],
            uit=f["uitgestroomd"],
            in_=f["ingestroomd"],
            van=van,
            tot=tot,
        )
    )
    top = spec.classes.labels[-1]
    if "inwoners" in ch and ch["inwoners"].notna().any():
        res = ch.loc[ch[f"class_{tot}"] == top, "inwoners"].sum()
        share = 100 * res / ch["inwoners"].sum()
        out.append(t("f_share", taal, tot=tot, share=share, res=int(res)))
    dec = a.decomposition
    if not dec.empty:
        biggest = dec.loc[dec["bijdrage"].abs().idxmax()]
        label = {d.id: (d.label_nl if taal == "nl" else d.label_en) or d.id for d in spec.domains}
        out.append(
            t(
                "f_domains",
                taal,
                delta=dec.attrs["delta_gemeente"],
                top=label[biggest["domein"]].lower(),
                top_value=biggest["bijdrage"],
            )
        )
    p = a.polarisation
    g = p.gaps["gap_decile"].tolist()
    key = "f_gap_grew" if p.grew() else "f_gap_shrank"
    out.append(t(key, taal, g0=g[0], g1=g[-1], slope=p.slope, lo=p.slope_ci[0], hi=p.slope_ci[1]))
    used = a.index.domains()
    scored = [d for d in used if a.index.table[d].notna().any()]
    missing = [d for d in spec.domain_ids() if d not in scored]
    out.append(
        t("f_domains_used", taal, domains=", ".join(scored), missing=", ".join(missing) or "–")
    )
    out.append(t("f_reference", taal, reference=t(f"ref_{spec.reference}", taal)))
    return out


def unscored(a: ChangeAnalysis, van: int, tot: int) -> list[str]:
    """Buurten without a score in one of the years (e.g. no code match across vintages)."""
    ch = a.change
    miss = ch[ch[f"score_{van}"].isna() | ch[f"score_{tot}"].isna()]
    return sorted(miss["area_code"].tolist())
