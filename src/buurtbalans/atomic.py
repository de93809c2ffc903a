"""Output files written atomically: into a temporary file in the same folder, renamed over
the target only when complete. A failed write (disk full, no permission, an error while
rendering) leaves the previous file exactly as it was and is one :class:`OutputError`
naming the file.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with atomic_path(folder / "t.csv") as tmp:
...     _ = tmp.write_text("a\\n1\\n")
>>> (folder / "t.csv").read_text(), sorted(p.name for p in folder.iterdir())
('a\\n1\\n', ['t.csv'])
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from buurtbalans.errors import Msg, OutputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_error(path: Path, exc: OSError) -> OutputError:
    """One message for a write that failed: what, which file, and how to fix it."""
    why = exc.strerror or str(exc)
    return OutputError(Msg("err_co_cannot_write", path=path, why=why))


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix) to write to; renamed to ``path`` when
    the block ends without error, removed otherwise."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise write_error(path, exc) from None
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path | str, text: str) -> Path:
    """``path.write_text(text, "utf-8")``, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, "utf-8")
    return Path(path)
