"""Check functions of the engagement family."""
from __future__ import annotations

from ..ruleapi import CheckFunction

FUNCTIONS: dict[str, CheckFunction] = {}
