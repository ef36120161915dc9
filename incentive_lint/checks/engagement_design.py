"""Check functions of the engagement family: plan design details (credit rates, SPIFs, MBOs,
executive horizons, OKR grades in pay)."""
from __future__ import annotations

from ..ruleapi import CheckFunction

FUNCTIONS: dict[str, CheckFunction] = {}
