"""An unchanged re-run reads its rendered outputs back (``run.check_outputs``): the same bytes, exit
code and notes as a run without the cache, for every format and option, without decoding a finding."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import incentive_lint.run as run_module
from incentive_lint.base.errors import UsageError
from incentive_lint.cli import cli
from incentive_lint.outputs.formats import REPORTERS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    monkeypatch.delenv("INCENTIVE_LINT_CACHE_DIR", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "manufacturer", out)
    monkeypatch.chdir(out)
    return out


def _run(*args: str) -> tuple[int, str, str, dict[str, str]]:
    """Exit code, stdout, stderr and the files written under ``out/``."""
    result = CliRunner().invoke(cli, ["check", "--as-of", "2025-03-01", *args])
    if isinstance(result.exception, UsageError):  # main() prints it and exits 2
        return 2, result.stdout, str(result.exception), {}
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    written = {p.name: p.read_text(encoding="utf-8") for p in sorted(Path("out").glob("*"))} \
        if Path("out").is_dir() else {}
    shutil.rmtree("out", ignore_errors=True)
    return result.exit_code, result.stdout, result.stderr, written


def _no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a finding was decoded")

    monkeypatch.setattr(run_module, "decode_run", refuse)
    monkeypatch.setattr(run_module, "_lint", refuse)


def test_every_format_comes_back_byte_for_byte_without_decoding(repo: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    Path("out").mkdir()
    formats = [arg for name in REPORTERS if name != "text" for arg in ("-f", f"{name}=out/{name}")]
    args = ["--no-color", *formats, "-f", "text"]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    expected = _run(*args, "--no-cache")
    assert len(expected[3]) == len(REPORTERS) - 1 and expected[1]
    Path("out").mkdir()
    assert _run(*args, *cache) == expected  # linted, rendered, kept
    _no_decoding(monkeypatch)
    Path("out").mkdir()
    assert _run(*args, *cache) == expected  # read back


@pytest.mark.parametrize("options", [
    [], ["--fail-on", "warning"], ["--fail-on", "never"], ["--exit-zero"],
    ["--fail-on", "never", "--warnings-exit-code", "3"], ["-q"], ["--color"], ["-f", "concise"],
    ["-f", "junit", "--fail-on", "info"],
], ids=lambda o: " ".join(o) or "default")
def test_exit_codes_and_options_of_a_kept_rendering(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      options: list[str]) -> None:
    """Each option that changes the output or the exit code gives its own answer, the one a run
    without the cache gives; a rendering kept for other options is never shown."""
    cache = ["--cache-dir", str(tmp_path / "cache")]
    expected = _run(*options, "--no-cache")
    _run(*cache)  # another rendering kept first, for the default options
    _run(*options, *cache)
    _no_decoding(monkeypatch)
    assert _run(*options, *cache) == expected


def test_the_note_on_named_files_and_an_empty_check_stay_true(repo: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Naming one file leaves references to other files unknown: the note says so on a re-run
    too. An empty folder fails every time, and nothing is kept for it."""
    cache = ["--cache-dir", str(tmp_path / "cache")]
    plan = "plans/sales-2025.yaml"
    assert Path(plan).is_file()
    expected = _run(plan, "--no-cache", "--no-color")
    assert "only the named files were read" in expected[2]
    _run(plan, *cache, "--no-color")
    _no_decoding(monkeypatch)
    assert _run(plan, *cache, "--no-color") == expected
    monkeypatch.undo()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    first = _run(*cache)
    assert first[0] == 2 and "nothing was checked" in first[2]
    assert _run(*cache) == first


def test_kept_texts_come_back_exactly_and_a_damaged_entry_is_refused() -> None:
    from incentive_lint.base.findings import Severity
    from incentive_lint.run import Outputs

    kept = Outputs(("Überstunden — 100 %\n", "", '{"a": "\\u00e9\\n"}'), Severity.WARNING, True)
    assert Outputs.decode(kept.encode()) == kept
    assert Outputs.decode(Outputs((), None, False).encode()) == Outputs((), None, False)
    payload = kept.encode()
    for damaged in (payload[:-1], payload + b"x", b"not json\n" + payload, payload.replace(b'"worst": 2', b'"worst": 9')):
        with pytest.raises((ValueError, TypeError, KeyError)):
            Outputs.decode(damaged)
