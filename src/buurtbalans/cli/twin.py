"""``buurtbalans demo --nederland``: the synthetic national twin into a store of its own,
with a progress bar."""

from __future__ import annotations

import time
from pathlib import Path

from buurtbalans.cli.app import out


def build(store: Path | None, *, klein: bool, folder: Path | None) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from buurtbalans.config import default_twin_path
    from buurtbalans.store import Store
    from buurtbalans.twin import LABEL, SIZES, build_twin

    size = "klein" if klein else "nl"
    target = Path(store or default_twin_path())
    target.parent.mkdir(parents=True, exist_ok=True)
    years = SIZES[size].years
    # geography, one step per year written, 3 more files, then every file imported
    total = 1 + len(years) + 3 + 2 * len(years) + 4
    if size == "nl":
        total += 57
    started = time.perf_counter()
    with (
        Store(target) as st,
        Progress(
            TextColumn("[bold]tweeling[/bold] {task.description:<28}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=out,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("", total=total)

        def step(what: str) -> None:
            bar.update(task, advance=1, description=what)

        manifest = build_twin(st, size, folder=folder, step=step)
    took = time.perf_counter() - started
    per_year = manifest["buurten_per_jaar"]
    out.print(f"[bold yellow]{LABEL}[/bold yellow]")
    out.print(
        f"nationale tweeling ({size}): {len(manifest['gemeenten'])} gemeenten, "  # type: ignore[arg-type]
        f"{max(per_year.values())} buurten, jaren {years[0]}-{years[-1]}, "  # type: ignore[union-attr]
        f"in {took:.0f} s → {target}"
    )
    if folder:
        out.print(f"bestanden (echte formaten): {folder}")
    out.print(
        f"verder: buurtbalans rapport -g Almelo --store {target} --uit rapport-almelo"
        + ("" if size == "nl" else f" --van {years[0]} --tot {years[-1]}")
    )
