"""The report's output formats (kept apart so that the CLI can list them without importing the report)."""
from __future__ import annotations

FORMATS = ("html", "markdown", "text")
