"""The ``buurtbalans`` command: a thin layer over the library.

Each command makes library calls; library errors become one clear message and exit code 1.
Commands live in one module per group and register themselves on :data:`app`.
"""

import os

# A command builds big columns once and frees them (an import of a national KWB year,
# the national reference): the system allocator gives the pages back at once, Arrow's
# own pool keeps them (peak RSS of that import 380 instead of 400 MiB, the same time).
# Set before pyarrow makes its pool; a user's own setting wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

from buurtbalans.cli import (  # noqa: F401  (registers the commands)
    analyses,
    data,
    doctor,
    index,
    report,
    serve,
    stad,
    uncertainty,
)
from buurtbalans.cli.app import app, main

__all__ = ["app", "main"]
