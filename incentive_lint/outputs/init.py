"""The ``init`` command: a new policy repository, ready to check, to edit with completion and to run in CI.

It writes the configuration, the schemas (``schemas`` command) with their mapping for VS Code,
a pre-commit configuration, a GitHub Actions workflow, and one small example document of each
kind that together pass ``check`` without a finding. The examples' dates are this year's, so a
repository set up today is in force today. Nothing is ever overwritten: when any file to be
written exists, nothing is written and the message names the files in the way.
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from incentive_lint.base.errors import UsageError
from incentive_lint.base.version import VERSION
from incentive_lint.outputs.schemas import COMBINED, CONFIG, render, schema_files

#: where the schemas go in the new repository (committed, so editors find them offline)
SCHEMA_FOLDER = "schemas"
#: folder of each kind's example, and the globs the editor maps to the combined schema
POLICY_FOLDERS = ("strategy", "kpis", "plans", "org", "offers", "budget", "rates")

CONFIG_TEXT = """\
# yaml-language-server: $schema=schemas/config.schema.json
# incentive-lint configuration: which rules run and how strictly. 'incentive-lint check --show-config'
# prints the effective value of every rule option and where it comes from.
extends: recommended
"""

PRE_COMMIT_TEXT = """\
# pre-commit (https://pre-commit.com): 'pip install pre-commit && pre-commit install' once per clone.
# The hook checks the whole repository and reports the findings that involve the changed files.
repos:
  - repo: local
    hooks:
      - id: incentive-lint
        name: incentive-lint
        entry: incentive-lint check --only-files --
        language: system
        types: [yaml]
        require_serial: true
"""

WORKFLOW_TEXT = """\
# Checks the policy repository on every push and pull request; findings appear as annotations.
name: incentive-lint
on: [push, pull_request]
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # incentive-lint is not on PyPI: it installs from its repository, pinned to a release tag
      # (or a commit SHA until the first release is tagged; see docs/install.md)
      - run: pip install "git+https://github.com/incentive-lint/incentive-lint@v@VERSION@"
      - run: incentive-lint check --format github --format text=incentive-lint.txt
"""

#: one document of each kind; @Y@ is this year, @N@ next year, @P@ last year
DOCUMENTS: dict[str, str] = {
    "strategy/strategy.yaml": """\
# The strategy: what the company wants to change, and how much each priority weighs.
kind: Strategy
schema: incentive-lint/v1
id: strategy-@Y@
title: Grow recurring revenue from service contracts
owner: ceo
status: approved
approved_on: @P@-11-15
effective: {from: @Y@-01-01, to: @N@-12-31}
shift:
  from_drivers: [unit-volume]           # stop rewarding these
  to_drivers: [recurring-revenue]
priorities:
  - id: p-recurring
    title: Sell a service contract with every machine
    weight: 100
    change: grow
    horizon_months: 24
    drivers: [recurring-revenue]
    accountable: ceo
    contributors: [sales]
    targets:
      - {kpi: contract-acv, value: 5000000, by: @N@-12-31}
""",
    "strategy/objectives.yaml": """\
# Objectives: each priority cascaded to the functions that contribute to it.
kind: ObjectiveSet
schema: incentive-lint/v1
id: objectives-@Y@
owner: ceo
status: approved
effective: {from: @Y@-01-01, to: @Y@-12-31}
objectives:
  - {id: o-sales-contracts, title: Sign service contracts worth EUR 5m a year, level: function,
     org_unit: sales, parent: p-recurring, owner: vp-sales, type: committed,
     key_results: [{kpi: contract-acv, target: 5000000}], agreed_with: [vp-sales, account-manager]}
""",
    "kpis/kpis.yaml": """\
# KPIs: what is measured, by whom, from which system.
kind: KpiCatalog
schema: incentive-lint/v1
id: kpis
owner: ceo
status: active
kpis:
  - {id: contract-acv, name: Annual contract value of service contracts, unit: EUR, direction: up,
     drivers: [recurring-revenue], owner: vp-sales, data_source: crm, refresh: monthly,
     measurable_at: individual, verification: system, gameability: low, baseline: {period: @P@, value: 0}}
""",
    "plans/sales.yaml": """\
# An incentive plan: who it pays, how much, and on which KPIs.
kind: IncentivePlan
schema: incentive-lint/v1
id: ip-sales-@Y@
title: Account Manager Plan @Y@
owner: vp-sales
status: active
plan_type: sales-bonus
eligible_roles: [account-manager, vp-sales]
effective: {from: @Y@-01-01, to: @Y@-12-31}
last_reviewed: @P@-12-01
communicated_on: @P@-12-15
acknowledged_by: [account-manager, vp-sales]
currency: EUR
pay_mix: {base: 75, variable: 25}
target_incentive: 20000
payout_frequency: quarterly
clawback: none
windfall_review: none           # every component is capped
components:
  - {id: contracts, kpi: contract-acv, weight: 100, type: bonus, measured_at: individual,
     target: {basis: strategy-target, value: 5000000}, threshold: 75, excellence: 130, cap: 200,
     performance_period_months: 12}
""",
    "org/org.yaml": """\
# The organisation: functions, roles (and the plans they are on), systems, governance bodies.
kind: Org
schema: incentive-lint/v1
id: company
owner: ceo
listed: false
currency: EUR
bodies:
  - {id: board-remco, title: Remuneration committee of the board, type: remuneration-committee}
functions:
  - {id: sales, status: active, head: vp-sales, headcount: 20, customer_facing: true}
  - {id: operations, status: active, head: ceo, headcount: 100}
roles:
  - {id: ceo, function: operations, level: executive, headcount: 1, base_salary: 300000}
  - {id: vp-sales, function: sales, level: executive, headcount: 1, base_salary: 200000, plans: [ip-sales-@Y@]}
  - {id: account-manager, function: sales, level: individual, headcount: 19, base_salary: 60000,
     customer_facing: true, plans: [ip-sales-@Y@]}
systems:
  - {id: crm, status: active, function: operations, capabilities: [opportunity-tracking, contract-management]}
""",
    "offers/offers.yaml": """\
# Offers: what the company sells, on which pricing model, sold and delivered by whom.
kind: OfferCatalog
schema: incentive-lint/v1
id: offers
owner: vp-sales
offers:
  - {id: service-contract, title: Annual service contract, model: subscription, status: active,
     revenue_recognition: over-time, term_months: 12, credit_basis: annual-contract-value,
     sold_by: [sales], delivered_by: [operations], priorities: [p-recurring]}
""",
    "budget/budget.yaml": """\
# The budget: investments by priority, and each function's run budget.
kind: Budget
schema: incentive-lint/v1
id: budget-@Y@
owner: ceo
status: approved
currency: EUR
effective: {from: @Y@-01-01, to: @Y@-12-31}
investments:
  - {id: service-sales-training, amount: 200000, priority: p-recurring, owner: vp-sales}
run_budget:
  - {function: sales, amount: 2500000, headcount: 20}
  - {function: operations, amount: 9000000, headcount: 100}
""",
    "rates/rates.yaml": """\
# Exchange rates: needed once plans pay in more than one currency; 1 unit of 'currency' = 'rate' EUR.
kind: CurrencyRates
schema: incentive-lint/v1
id: rates-@Y@
owner: ceo
status: approved
reporting_currency: EUR
rates:
  - {currency: USD, rate: 0.92, effective_from: @Y@-01-01}
""",
}


def _vscode_settings() -> str:
    """``.vscode/settings.json``: the combined schema on every policy folder, the config's own on the config."""
    policy = [f"{folder}/**/*.yaml" for folder in POLICY_FOLDERS] + [f"{folder}/**/*.yml" for folder in POLICY_FOLDERS]
    settings = {"yaml.schemas": {f"./{SCHEMA_FOLDER}/{COMBINED}": policy,
                                 f"./{SCHEMA_FOLDER}/{CONFIG}": [".incentive-lint.yaml"]}}
    return json.dumps(settings, indent=2) + "\n"


def repository_files(today: _dt.date | None = None) -> dict[str, str]:
    """Repository-relative POSIX path -> text of every file ``init`` writes."""
    day = today or _dt.date.today()
    files = {".incentive-lint.yaml": CONFIG_TEXT, ".pre-commit-config.yaml": PRE_COMMIT_TEXT,
             ".github/workflows/incentive-lint.yml": WORKFLOW_TEXT.replace("@VERSION@", VERSION),
             ".vscode/settings.json": _vscode_settings()}
    files.update({f"{SCHEMA_FOLDER}/{name}": render(schema) for name, schema in schema_files().items()})
    for name, text in DOCUMENTS.items():
        files[name] = (text.replace("@Y@", str(day.year)).replace("@N@", str(day.year + 1))
                       .replace("@P@", str(day.year - 1)))
    return files


def init_repository(folder: Path, today: _dt.date | None = None) -> list[str]:
    """Write a new policy repository into ``folder``; return the paths written (sorted).

    Raises :class:`UsageError`, writing nothing, when any of the files exists.
    """
    files = repository_files(today)
    existing = sorted(name for name in files if (folder / name).exists() or (folder / name).is_symlink())
    if existing:
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        raise UsageError(f"'{folder}' already has {', '.join(existing[:5])}{more}; init writes only into a new "
                         "repository and never replaces a file. Move those files away or pick another folder.")
    try:
        for name, text in sorted(files.items()):
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "x", encoding="utf-8", newline="\n") as handle:  # "x": never replace
                handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write into '{folder}': {exc.strerror}.") from None
    return sorted(files)
