"""What every command shares at its edges: reading the ``--as-of`` date, writing output."""
from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

from incentive_lint.base.errors import UsageError


def parse_as_of(value: str | None) -> _dt.date | None:
    """The ``--as-of`` option as a date (None: today, decided by the caller)."""
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of must be a date written YYYY-MM-DD; got '{value}'.") from None


def write_output(text: str, target: str | None) -> None:
    """Write to the terminal (``None`` or ``-``) or to a file, always UTF-8 with ``\\n`` line ends."""
    if target is None or target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write the output file '{target}': {exc.strerror}.") from None
