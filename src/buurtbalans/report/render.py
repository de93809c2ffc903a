"""HTML (jinja2) and PDF (WeasyPrint) from the built chapters: a title page, a table of
contents, numbered chapters, figures printed at their natural size (type ≥ 7 pt) and
tables whose headers repeat on every page."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pandas as pd

from buurtbalans import __version__
from buurtbalans._compat import import_optional
from buurtbalans.report.context import Chapter, ReportContext


def table_html(df: pd.DataFrame) -> str:
    """A display table (strings, labelled headers) as HTML."""
    return df.to_html(index=False, classes="tabel", border=0, na_rep="–", escape=True)


def _figure(fig) -> dict[str, Any]:
    return {
        "b64": base64.b64encode(fig.png).decode(),
        "title": fig.title,
        "figkind": fig.kind,
        "has_legend": fig.has_legend,
        "n_drawn": fig.n_drawn,
        "width": min(fig.width_in or 6.8, 7.1),
    }


def render_html(ctx: ReportContext, chapters: list[Chapter], run: dict[str, Any]) -> str:
    """The report as one HTML document."""
    jinja2 = import_optional("jinja2")
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("buurtbalans.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    shown = []
    for number, ch in enumerate(chapters, start=1):
        blocks = []
        for b in ch.blocks:
            item: dict[str, Any] = {"kind": b.kind, "text": b.text, "entries": b.items}
            if b.kind == "table" and b.table is not None:
                item["html"] = table_html(b.table)
                item["caption"] = b.caption
                item["wide"] = b.wide
                item["small"] = len(b.table) <= 12
            if b.kind == "figure" and b.figure is not None:
                item.update(_figure(b.figure))
            blocks.append(item)
        # text and headings that introduce a figure or table stay on its page
        for i in range(len(blocks) - 2, -1, -1):
            nxt = blocks[i + 1]
            if blocks[i]["kind"] in ("text", "heading", "note") and (
                nxt["kind"] in ("figure",)
                or (nxt["kind"] == "table" and nxt.get("small"))
                or nxt.get("lead")
            ):
                blocks[i]["lead"] = True
        shown.append(
            {
                "id": ch.id,
                "number": number,
                "title": ch.title,
                "blocks": blocks,
                "break": ch.page_break,
            }
        )
    footer = f"{ctx.gm_name} | buurtbalans {__version__} | spec {ctx.spec_hash[:10]}"
    return env.get_template("rapport.html.j2").render(
        taal=ctx.taal,
        title=ctx.t("title", gemeente=ctx.gm_name),
        subtitle=ctx.t("subtitle", van=ctx.van, tot=ctx.tot, vintage=ctx.analysis.vintage),
        synthetic=ctx.synthetic,
        synthetic_text=ctx.t("synthetic"),
        banner=ctx.t("footer_synthetic"),
        footer=footer,
        toc_title=ctx.t("toc"),
        chapters=shown,
        built_at=run["report"]["built_at"],
    )


def write_pdf(html: str, path: Path, base: Path) -> Path:
    """The PDF via WeasyPrint."""
    weasyprint = import_optional("weasyprint")
    from buurtbalans.atomic import atomic_path

    with atomic_path(path) as tmp:  # a failed write keeps the previous file
        weasyprint.HTML(string=html, base_url=str(base)).write_pdf(tmp)
    return path
