"""Fixtures for the CI-integration tests (the helpers live in ``ci_helpers``)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # for tests.cli_run, however pytest is started
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ci_helpers import cli, repo  # noqa: E402,F401  (fixtures)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "precommit: runs the real pre-commit framework (installs the hook with its "
                                       "PyPI dependencies; deselect with -m 'not precommit')")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the pre-commit end-to-end test last: its pip install is the largest child process of
    the session, and tests that read ``RUSAGE_CHILDREN`` high-water marks must not see it."""
    items.sort(key=lambda item: item.get_closest_marker("precommit") is not None)
