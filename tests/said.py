"""One check for a message in both languages (imported by the message tests)."""

from __future__ import annotations


def both(error: BaseException, en: str, nl: str) -> None:
    """``error`` reads ``en`` for a library user (``str``) and ``nl`` for a Dutch reader."""
    assert str(error) == en
    assert error.text("nl") == nl  # type: ignore[attr-defined]
