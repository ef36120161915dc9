"""Check functions of the clarity family."""
from __future__ import annotations

from ..ruleapi import CheckFunction

FUNCTIONS: dict[str, CheckFunction] = {}
