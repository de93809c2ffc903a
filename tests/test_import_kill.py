"""kill -9 during a real import (the Amsterdam StatLine CSV, 39,372 values) at random
moments: the store is byte-for-byte what it was before, or fully updated. Never half."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from buurtbalans.sources.detect import import_path
from buurtbalans.store import Store

pytestmark = pytest.mark.shared

SRC = Path(__file__).resolve().parents[1] / "src"


def _content(path: Path) -> pd.DataFrame:
    with Store(path) as st:
        obs = st.con.execute(
            "SELECT area_code, vintage, period, indicator, value, status, source_id "
            "FROM observations ORDER BY ALL"
        ).df()
        n_sources = st.counts()["sources"]
    return obs.assign(n_sources=n_sources)


def before_content_differs(before: Path, tmp_path: Path) -> bool:
    """Opening a store writes nothing when nothing changes (so 'before' can be bytes)."""
    copy = Path(shutil.copy(before, tmp_path / "b2.duckdb"))
    data = copy.read_bytes()
    Store(copy).close()
    return copy.read_bytes() != data


def test_kill_9_at_random_points(raw, tmp_path):
    csv_path = raw / "cbs-kwb2019-statline-amsterdam" / "kwb2019_84583NED_amsterdam.csv"
    before = tmp_path / "before.duckdb"
    small = tmp_path / "kwb-2020.csv"
    small.write_text("gwb_code_10;a_inw\nBU01410101;100\nBU01410102;200\n", "utf-8")
    with Store(before) as st:
        st.write(import_path(small))
    before_bytes = before.read_bytes()
    assert not before_content_differs(before, tmp_path)

    script = textwrap.dedent(f"""
        import sys
        from buurtbalans.sources.detect import import_path
        from buurtbalans.store import Store
        print("start", flush=True)
        with Store(sys.argv[1]) as st:
            st.write(import_path({str(csv_path)!r}))
        print("done", flush=True)
    """)
    env = {**os.environ, "PYTHONPATH": str(SRC)}

    def run(target: Path, kill_after: float | None) -> int:
        proc = subprocess.Popen(
            [sys.executable, "-c", script, str(target)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        if kill_after is not None:
            time.sleep(kill_after)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=300)
        return proc.returncode

    full = tmp_path / "full.duckdb"
    shutil.copy(before, full)
    start = time.monotonic()
    assert run(full, None) == 0
    duration = time.monotonic() - start
    after_content = _content(full)
    assert after_content["n_sources"].iloc[0] == 2

    rng = random.Random(20261125)
    delays = sorted(rng.uniform(0.05, duration * 1.6) for _ in range(8))
    outcomes = []
    for i, delay in enumerate(delays):
        target = tmp_path / f"k{i}.duckdb"
        shutil.copy(before, target)
        code = run(target, delay)
        wal = Path(str(target) + ".wal")
        if target.read_bytes() == before_bytes and not wal.exists():
            outcomes.append(("before", round(delay, 2), code))
            continue
        # not byte-identical: then it must be fully updated (a committed WAL is replayed)
        pd.testing.assert_frame_equal(_content(target), after_content)
        outcomes.append(("fully updated", round(delay, 2), code))
    print("kill -9 outcomes:", outcomes)
    assert any(code == -signal.SIGKILL for _, _, code in outcomes)
