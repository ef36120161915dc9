"""Running the command line in the test's own process, as ``incentive-lint ARGS`` would from a folder."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pytest

from incentive_lint.cli import main


def run_in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path,
                   args: Sequence[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``main(args)`` run from ``cwd``; a traceback fails the test."""
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err
