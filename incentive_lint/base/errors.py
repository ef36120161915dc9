"""Errors that stop the tool (exit code 2). Broken policy data is never one of these.

IncentiveLintError
 +-- UsageError      bad option or missing path
 +-- ConfigError     broken .incentive-lint.yaml (names file, line and key)
 +-- CatalogError    broken rule folder (shipped or the user's own)
"""
from __future__ import annotations


class IncentiveLintError(Exception):
    """Something prevents the tool from doing its job; the message is one line for users."""


class UsageError(IncentiveLintError):
    pass


class ConfigError(IncentiveLintError):
    pass


class CatalogError(IncentiveLintError):
    pass
