"""The veerkracht maps' classes can be told apart, also under colour-vision deficiency
(Machado et al. 2009 simulation, severity 1), and the benchmark docs' example holds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from buurtbalans.report.chapters.veerkracht import MAPS

MACHADO = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}


def _lin(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(lin: np.ndarray) -> np.ndarray:
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)


def _rgb(colours: list[str]) -> np.ndarray:
    return np.array([[int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)] for c in colours])


@pytest.mark.parametrize("column", ["kaart2_kwetsbaar", "kaart3_focus"])
@pytest.mark.parametrize("vision", ["normal", *MACHADO])
def test_classes_can_be_told_apart(column, vision):
    colours = next(m[3] for m in MAPS if m[0] == column)
    lin = _lin(_rgb(list(colours)))
    if vision != "normal":
        lin = np.clip(lin @ MACHADO[vision].T, 0, 1)
    lab = _lab(lin)
    worst = min(np.linalg.norm(a - b) for a, b in itertools.combinations(lab, 2))
    assert worst > 8, f"{column}: two classes only ΔE {worst:.1f} apart under {vision}"


@pytest.mark.shared
def test_benchmark_docs_example(raw, tmp_path):
    from buurtbalans.analysis.benchmark import SEED004_NAMES
    from buurtbalans.analysis.pipeline import benchmark_analysis
    from buurtbalans.sources.detect import import_path
    from buurtbalans.store import Store

    store = Store(tmp_path / "gm.duckdb")
    store.write(import_path(raw / "cbs-kwb2014-almere-nens" / "municipalities.topojson", jaar=2014))
    code = store.resolve_gemeente("Almere")
    bm = benchmark_analysis(store, code, peers=list(SEED004_NAMES), year=2014)
    sentences = bm.standouts["zin"].tolist()
    assert (
        "Almere heeft van de 13 gemeenten de laagste waarde voor aandeel inwoners 65 jaar of "
        "ouder (9,0 %; benchmark 14,5; Nederland 17,3, verschil -8,3)." in sentences
    )
    rule = benchmark_analysis(store, code, rule="seed004", year=2014)
    assert len(set(rule.peers.table["naam"]) & set(SEED004_NAMES)) == 7  # as docs say
