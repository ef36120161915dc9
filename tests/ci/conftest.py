"""Fixtures for the CI-integration tests (the helpers live in ``ci_helpers``)."""
from __future__ import annotations

import pytest
from ci_helpers import cli, repo  # noqa: F401  (fixtures)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "precommit: runs the real pre-commit framework (installs the hook with its "
                                       "PyPI dependencies; deselect with -m 'not precommit')")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the pre-commit end-to-end test last: its pip install is the largest child process of
    the session, and tests that read ``RUSAGE_CHILDREN`` high-water marks must not see it."""
    items.sort(key=lambda item: item.get_closest_marker("precommit") is not None)
