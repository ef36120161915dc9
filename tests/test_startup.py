"""Start-up stays light: ``--version``, ``rules`` and ``explain`` do not load the engine, the
YAML reader, JSON Schema, CEL, the report or the optional solver and language server. Speed
itself is measured in bench/; this pins which modules are loaded, which is what makes it."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("incentive_lint.run", "incentive_lint.engine", "incentive_lint.checks", "incentive_lint.model", "yaml",
         "jsonschema", "jsonschema_rs", "celpy", "cel", "scipy", "pygls", "pathspec", "incentive_lint.outputs.report.html")

PROBE = """
import json, sys
from incentive_lint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = {heavy!r}
print(json.dumps(sorted(m for m in sys.modules if m.startswith(heavy))), file=sys.stderr)
"""


def loaded(*args: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True,
                          timeout=60)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_importing_the_package_loads_nothing_heavy() -> None:
    proc = subprocess.run([sys.executable, "-c", "import sys, incentive_lint; print(incentive_lint.__version__); "
                           f"print([m for m in sys.modules if m.startswith({HEAVY!r})])"],
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout.splitlines()[1] == "[]", proc.stdout


def test_the_public_api_is_still_there() -> None:
    import incentive_lint
    assert callable(incentive_lint.lint) and incentive_lint.LintOptions and incentive_lint.Severity.ERROR
    with pytest.raises(AttributeError):
        incentive_lint.no_such_name  # noqa: B018


def test_version_loads_nothing_heavy() -> None:
    assert loaded("--version") == []


@pytest.mark.parametrize("args", [("--help",), ("check", "--help")])
def test_help_loads_nothing_heavy(args: tuple[str, ...]) -> None:
    assert loaded(*args) == []
