"""Progress on stderr: only on a terminal, never in CI logs or pipes, only once a run is slow."""
from __future__ import annotations

import io

import pytest

from incentive_lint import cli
from incentive_lint.engine import workspace


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_wanted_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr", Terminal())
    assert cli._progress_wanted()
    monkeypatch.setenv("CI", "true")
    assert not cli._progress_wanted()
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not cli._progress_wanted()


def test_a_slow_read_shows_the_files_read(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(workspace._Progress, "DELAY", 0.0)
    progress = workspace._Progress(3)
    assert list(progress.wrap(iter(["a", "b", "c"]))) == ["a", "b", "c"]
    progress.close()
    assert "reading files" in capsys.readouterr().err


def test_a_fast_read_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    progress = workspace._Progress(3)  # the default delay: a second
    list(progress.wrap(iter(["a", "b", "c"])))
    progress.close()
    assert capsys.readouterr().err == ""


def test_progress_off_prints_nothing(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(workspace._Progress, "DELAY", 0.0)
    progress = workspace._Progress(0)
    list(progress.wrap(iter(["a", "b"])))
    progress.close()
    assert capsys.readouterr().err == ""
