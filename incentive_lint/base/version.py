"""The tool's version, in one place (pyproject.toml carries the same number)."""

VERSION = "0.1.0"
