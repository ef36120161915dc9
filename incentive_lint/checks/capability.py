"""Check functions of the capability family."""
from __future__ import annotations

from ..ruleapi import CheckFunction

FUNCTIONS: dict[str, CheckFunction] = {}
