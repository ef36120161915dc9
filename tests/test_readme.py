"""The README's command-line summary describes only what works: every command it lists exists,
and every option it names under a command is in that command's --help."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from incentive_lint.cli import cli

ROOT = Path(__file__).resolve().parents[1]
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])(?![\w-])")


def _summary() -> dict[str, set[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    options: dict[str, set[str]] = {}
    command = ""
    for line in block.splitlines():
        found = re.match(r"incentive-lint (\w+)", line)
        if found:
            command = found.group(1)
            options.setdefault(command, set())
            line = line[found.end():]
        options[command].update(OPTION.findall(line))
    return options


def test_the_summary_lists_every_command_and_only_real_options() -> None:
    listed = _summary()
    assert set(listed) == set(cli.commands), "README's command list and the commands differ"
    runner = CliRunner()
    for command, options in sorted(listed.items()):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0, result.output
        helped = set(OPTION.findall(result.output))
        missing = sorted(options - helped)
        assert not missing, f"README names {missing} under '{command}', which its --help does not have"
