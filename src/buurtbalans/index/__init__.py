"""The composite index engine (spec → pure steps → tidy result with provenance)."""

from buurtbalans.index.engine import IndexResult, Run, Step, compute, replay

__all__ = ["IndexResult", "Run", "Step", "compute", "replay"]
