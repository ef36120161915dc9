#!/usr/bin/env python3
"""Generate a synthetic, realistic policy repository for benchmarking incentive-lint.

    python bench/generate.py --files 2000 --out bench/corpus/medium [--seed 7]

The repository describes one industrial manufacturer ("from selling machines to selling
guaranteed uptime", as in model.md section 5.4) at scale:

    strategy/strategy.yaml            Strategy: 4-5 weighted priorities, shift, requires
    strategy/objectives-*.yaml        ObjectiveSet per function (+ company level)
    kpis/*.yaml                       KpiCatalog documents, a few hundred KPIs in total
    org/org.yaml                      Org: bodies, functions, systems, executive roles
    org/roles-<region>.yaml           Org: the roles of one region, with their plans
    offers/*.yaml                     OfferCatalog documents
    budget/budget-fy2025.yaml         Budget
    finance/fx-2025.yaml              CurrencyRates: budget rates to EUR for the regions' currencies
    plans/<region>/plan-<rg>-NNNNN.yaml   IncentivePlan, one per file (the bulk)

About N files totalling about ``--avg-bytes`` (default 4,070) bytes per file on average,
byte-identical for a given ``--seed``. The YAML is written with string templates (no
yaml.dump) in the block style people write by hand, with some flow-style collections
and comments. About 2.5 % of plans carry a deliberate mistake a linter reports (weights
summing to 95, 60 % of pay on a legacy driver, a reference to a KPI that does not
exist); ``--manifest FILE`` lists them as JSON. ``--mistake-rate 0`` gives a clean repo.

Standard library only, so it runs anywhere the project does.
"""
from __future__ import annotations

import argparse
import functools
import json
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = "incentive-lint/v1"
FY = 2025
AVG_BYTES = 4070          # 2,000 files ~ 8.1 MB; 20,000 files ~ 81 MB (as in performance.md)

# ---------------------------------------------------------------------------------------
# YAML text helpers
# ---------------------------------------------------------------------------------------

_PLAIN_OK = re.compile(r"^[A-Za-z][A-Za-z0-9 ()/&.'+-]*[A-Za-z0-9).]$")
_AMBIGUOUS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"}


def q(text: str) -> str:
    """A scalar as a human would write it: plain when that is unambiguous, else quoted."""
    if _PLAIN_OK.match(text) and text.lower() not in _AMBIGUOUS and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


@functools.lru_cache(maxsize=65536)
def _wrap(text: str, indent: str, width: int) -> tuple[str, ...]:
    lines: list[str] = []
    cur: list[str] = []
    n = len(indent)
    for word in text.split():
        if cur and n + len(word) + 1 > width:
            lines.append(indent + " ".join(cur))
            cur, n = [], len(indent)
        cur.append(word)
        n += len(word) + 1
    if cur:
        lines.append(indent + " ".join(cur))
    return tuple(lines)


def wrap(text: str, indent: str, width: int = 96) -> list[str]:
    """Greedy word wrap (faster than textwrap, and memoised: plan prose repeats a lot)."""
    return list(_wrap(text, indent, width))


def fmt_num(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------
# The company: regions, functions, systems, roles, KPIs, offers, strategy
# ---------------------------------------------------------------------------------------

COMPANIES = [
    ("acme-presses", "Acme Presses"),
    ("nordwerk", "Nordwerk Industrial Systems"),
    ("halvorsen", "Halvorsen Machine Works"),
    ("kestrel-automation", "Kestrel Automation"),
]

# id, display name, currency, salary factor, macro region
REGIONS = [
    ("amer-east", "Americas East", "USD", 1.00, "amer"),
    ("emea-north", "EMEA North", "EUR", 0.95, "emea"),
    ("apac-anz", "APAC ANZ", "AUD", 1.35, "apac"),
    ("amer-west", "Americas West", "USD", 1.05, "amer"),
    ("emea-central", "EMEA Central", "EUR", 0.92, "emea"),
    ("apac-north", "APAC North", "JPY", 140.0, "apac"),
    ("emea-south", "EMEA South", "EUR", 0.80, "emea"),
    ("uk-ireland", "UK and Ireland", "GBP", 0.78, "emea"),
    ("amer-central", "Americas Central", "USD", 0.97, "amer"),
    ("apac-south", "APAC South", "SGD", 1.20, "apac"),
    ("latam", "Latin America", "BRL", 3.10, "amer"),
    ("canada", "Canada", "CAD", 1.30, "amer"),
]

#: budget exchange rates FY2025: EUR per 1 unit of each currency (the reporting currency is EUR)
EUR_RATES = {"USD": 0.92, "AUD": 0.61, "JPY": 0.0062, "GBP": 1.17, "SGD": 0.69, "BRL": 0.18, "CAD": 0.68}

# id, status, head role, headcount (per region for regional functions), customer facing
FUNCTIONS = [
    ("sales", "vp-sales", True),
    ("inside-sales", "vp-sales", True),
    ("channel-sales", "vp-sales", True),
    ("sales-engineering", "vp-sales", True),
    ("customer-success", "vp-customer-success", True),
    ("field-service", "vp-service", True),
    ("service-operations", "vp-service", False),
    ("marketing", "cmo", False),
    ("operations", "coo", False),
    ("manufacturing", "vp-manufacturing", False),
    ("supply-chain", "vp-supply-chain", False),
    ("finance", "cfo", False),
    ("people", "chro", False),
    ("information-technology", "cio", False),
    ("product-management", "cpo", False),
    ("engineering", "cto", False),
    ("legal", "general-counsel", False),
]

FUNCTION_TITLES = {"sales": "Sales", "inside-sales": "Inside Sales", "channel-sales": "Channel Sales",
                   "sales-engineering": "Sales Engineering", "customer-success": "Customer Success",
                   "field-service": "Field Service", "service-operations": "Service Operations",
                   "information-technology": "Information Technology", "people": "People and Culture"}
SYSTEM_TITLES = {"erp": "SAP S/4HANA", "crm": "Salesforce Sales Cloud", "cpq": "Salesforce CPQ",
                 "fsm": "ServiceMax field service", "survey-platform": "Qualtrics CX",
                 "telemetry-hub": "Connected-fleet telemetry hub", "subscription-billing": "Zuora billing",
                 "usage-metering": "Usage metering service", "data-warehouse": "Snowflake data warehouse",
                 "hris": "Workday HCM", "icm": "Xactly Incent", "plm": "Teamcenter PLM", "qms": "Quality management system"}

# id, status, available_from, capabilities
SYSTEMS = [
    ("erp", "active", None, ["order-to-cash", "costing", "inventory", "general-ledger"]),
    ("crm", "active", None, ["opportunity-tracking", "account-management", "territory-management"]),
    ("cpq", "active", None, ["quoting", "discount-approval"]),
    ("fsm", "active", None, ["work-orders", "time-billing", "dispatch"]),
    ("survey-platform", "active", None, ["csat-survey", "nps-survey"]),
    ("telemetry-hub", "active", None, ["remote-telemetry", "condition-monitoring"]),
    ("subscription-billing", "active", None, ["recurring-billing", "revenue-schedules"]),
    ("usage-metering", "planned", f"{FY}-05-01", ["usage-metering"]),
    ("data-warehouse", "active", None, ["kpi-reporting"]),
    ("hris", "active", None, ["headcount", "payroll"]),
    ("icm", "active", None, ["commission-calculation", "clawback-processing"]),
    ("plm", "active", None, ["product-lifecycle"]),
    ("qms", "active", None, ["quality-management", "audit-trail"]),
]

# executive roles: id, function, base salary (company currency)
EXEC_ROLES = [
    ("ceo", "operations", 720000), ("cfo", "finance", 480000), ("coo", "operations", 460000),
    ("cro", "sales", 450000), ("chro", "people", 330000), ("cto", "engineering", 390000),
    ("cmo", "marketing", 320000), ("cio", "information-technology", 310000),
    ("cpo", "product-management", 330000), ("general-counsel", "legal", 340000),
    ("vp-sales", "sales", 300000), ("vp-service", "field-service", 260000),
    ("vp-customer-success", "customer-success", 250000),
    ("vp-manufacturing", "manufacturing", 255000), ("vp-supply-chain", "supply-chain", 240000),
    ("vp-sales-amer", "sales", 285000), ("vp-sales-emea", "sales", 275000),
    ("vp-sales-apac", "sales", 270000),
]


@dataclass(frozen=True)
class Family:
    """A job family; regional roles are instances of it (one per region and segment)."""

    id: str
    name: str
    function: str
    level: str
    salary: int
    customer_facing: bool
    plan_types: tuple[str, ...]
    drivers: tuple[str, ...]          # drivers its plans pay on (in preference order)
    weight: int                       # relative number of plans
    headcount: tuple[int, int]
    segmented: bool = False
    decision_rights: tuple[str, ...] = ()
    legacy_driver: str = "unit-volume"


FAMILIES = [
    Family("account-executive", "Account Executive", "sales", "individual", 98000, True,
           ("sales-commission",), ("recurring-revenue", "outcome-delivery", "new-logos", "margin", "expansion"),
           14, (6, 40), True, ("configure-quotes", "approve-trials")),
    Family("key-account-manager", "Key Account Manager", "sales", "individual", 118000, True,
           ("sales-commission",), ("outcome-delivery", "recurring-revenue", "expansion", "retention", "margin"),
           9, (3, 18), True, ("configure-quotes", "discount-up-to-10pct")),
    Family("territory-manager", "Territory Manager", "sales", "individual", 88000, True,
           ("sales-commission",), ("new-logos", "recurring-revenue", "margin", "expansion"),
           7, (4, 25), True, ("configure-quotes",)),
    Family("inside-sales-rep", "Inside Sales Representative", "inside-sales", "individual", 62000, True,
           ("sales-commission",), ("new-logos", "recurring-revenue", "expansion"),
           6, (5, 30), True),
    Family("business-development-rep", "Business Development Representative", "inside-sales", "individual",
           56000, True, ("sales-commission",), ("new-logos", "recurring-revenue"), 4, (4, 20), True),
    Family("channel-account-manager", "Channel Account Manager", "channel-sales", "individual", 96000, True,
           ("sales-commission",), ("recurring-revenue", "new-logos", "margin"), 4, (2, 10), True),
    Family("renewals-specialist", "Renewals Specialist", "customer-success", "individual", 70000, True,
           ("sales-commission",), ("retention", "expansion", "recurring-revenue"), 5, (3, 15)),
    Family("sales-engineer", "Sales Engineer", "sales-engineering", "individual", 105000, True,
           ("sales-bonus",), ("outcome-delivery", "recurring-revenue", "new-logos", "customer-satisfaction"),
           5, (3, 16), True, ("configure-quotes",)),
    Family("solutions-consultant", "Solutions Consultant", "sales-engineering", "individual", 112000, True,
           ("sales-bonus",), ("outcome-delivery", "recurring-revenue", "expansion"), 3, (2, 8)),
    Family("customer-success-manager", "Customer Success Manager", "customer-success", "individual", 86000,
           True, ("sales-bonus",), ("retention", "expansion", "customer-satisfaction", "outcome-delivery"),
           7, (4, 24), True),
    Family("field-technician", "Field Service Technician", "field-service", "individual", 64000, True,
           ("sales-bonus",), ("outcome-delivery", "quality", "customer-satisfaction", "internal-efficiency"),
           8, (10, 60), False, ("diagnose-repair",), "service-volume"),
    Family("service-engineer", "Service Engineer", "field-service", "individual", 78000, True,
           ("sales-bonus",), ("outcome-delivery", "quality", "customer-satisfaction"), 4, (4, 20),
           False, ("diagnose-repair", "remote-diagnostics"), "service-volume"),
    Family("service-dispatcher", "Service Dispatcher", "service-operations", "individual", 52000, False,
           ("mbo",), ("internal-efficiency", "outcome-delivery", "customer-satisfaction"), 2, (2, 8),
           False, (), "service-volume"),
    Family("regional-sales-director", "Regional Sales Director", "sales", "manager", 185000, True,
           ("annual-bonus",), ("recurring-revenue", "outcome-delivery", "margin", "retention", "new-logos"),
           3, (1, 3), False, ("discount-up-to-20pct", "approve-trials")),
    Family("sales-manager", "Sales Manager", "sales", "manager", 145000, True,
           ("sales-bonus", "annual-bonus"), ("recurring-revenue", "outcome-delivery", "margin", "new-logos"),
           4, (2, 8), True, ("discount-up-to-15pct",)),
    Family("service-manager", "Service Manager", "field-service", "manager", 118000, True,
           ("annual-bonus",), ("outcome-delivery", "customer-satisfaction", "quality", "internal-efficiency"),
           3, (1, 5), False, (), "service-volume"),
    Family("cs-team-lead", "Customer Success Team Lead", "customer-success", "manager", 112000, True,
           ("annual-bonus", "sales-bonus"), ("retention", "expansion", "customer-satisfaction"), 2, (1, 4)),
    Family("marketing-manager", "Marketing Manager", "marketing", "manager", 108000, False,
           ("mbo", "annual-bonus"), ("new-logos", "recurring-revenue", "customer-satisfaction"), 2, (1, 6)),
    Family("finance-business-partner", "Finance Business Partner", "finance", "individual", 96000, False,
           ("annual-bonus",), ("margin", "capital-efficiency", "internal-efficiency"), 2, (1, 5)),
    Family("operations-planner", "Operations Planner", "operations", "individual", 72000, False,
           ("mbo", "annual-bonus"), ("internal-efficiency", "quality", "capital-efficiency"), 2, (2, 10)),
    Family("plant-manager", "Plant Manager", "manufacturing", "manager", 165000, False,
           ("annual-bonus",), ("internal-efficiency", "quality", "margin", "compliance"), 1, (1, 2)),
    Family("supply-chain-analyst", "Supply Chain Analyst", "supply-chain", "individual", 74000, False,
           ("mbo",), ("internal-efficiency", "capital-efficiency", "quality"), 1, (1, 6)),
]

SEGMENTS = [("enterprise", "Enterprise"), ("mid-market", "Mid-Market"),
            ("public-sector", "Public Sector"), ("strategic-accounts", "Strategic Accounts")]

PRODUCT_LINES = [
    ("press-lines", "Press Lines"), ("automation-cells", "Automation Cells"), ("robotics", "Robotics"),
    ("connected-fleet", "Connected Fleet"), ("retrofit", "Retrofit"), ("tooling", "Tooling"),
    ("spare-parts", "Spare Parts"), ("consumables", "Consumables"), ("software", "Software"),
    ("training", "Training"), ("energy-services", "Energy Services"), ("laser-cutting", "Laser Cutting"),
]

# KPI stems: id, name, unit, direction, drivers, owner, data_source, refresh, measurable_at,
#            verification, gameability, lag months, variantable (by product line), domain
KPI_STEMS = [
    # sales
    ("uptime-contract-acv", "Uptime contract ACV", "currency", "up", ["recurring-revenue", "outcome-delivery"], "cro", "subscription-billing", "monthly", "individual", "system", "medium", 36, True, "sales"),
    ("outcome-contract-bookings", "Outcome-based contract bookings", "currency", "up", ["outcome-delivery", "recurring-revenue"], "cro", "crm", "monthly", "individual", "system", "medium", 24, True, "sales"),
    ("subscription-arr", "Subscription ARR", "currency", "up", ["recurring-revenue"], "cro", "subscription-billing", "monthly", "individual", "system", "low", 12, True, "sales"),
    ("new-logo-acv", "New-logo ACV", "currency", "up", ["new-logos", "recurring-revenue"], "vp-sales", "crm", "monthly", "individual", "system", "medium", 12, True, "sales"),
    ("new-logos-won", "New logos won", "count", "up", ["new-logos"], "vp-sales", "crm", "monthly", "individual", "system", "medium", 0, False, "sales"),
    ("expansion-arr", "Expansion ARR", "currency", "up", ["expansion", "recurring-revenue"], "vp-customer-success", "subscription-billing", "monthly", "individual", "system", "low", 12, True, "sales"),
    ("contract-gross-margin", "Contract gross margin", "percent", "up", ["margin"], "cfo", "erp", "monthly", "individual", "audited", "low", 0, True, "sales"),
    ("price-realization", "Price realization vs list", "percent", "up", ["margin"], "cfo", "cpq", "monthly", "individual", "system", "low", 0, False, "sales"),
    ("discount-leakage", "Discount leakage", "percent", "down", ["margin"], "cfo", "cpq", "monthly", "team", "system", "low", 0, False, "sales"),
    ("channel-partner-arr", "Channel partner ARR", "currency", "up", ["recurring-revenue", "new-logos"], "vp-sales", "subscription-billing", "monthly", "individual", "system", "medium", 12, False, "sales"),
    ("pipeline-coverage", "Qualified pipeline coverage", "ratio", "up", ["activity"], "vp-sales", "crm", "monthly", "individual", "self-reported", "high", 0, False, "sales"),
    ("customer-meetings", "Customer meetings held", "count", "up", ["activity"], "vp-sales", "crm", "monthly", "individual", "self-reported", "high", 0, False, "sales"),
    ("units-shipped", "Units shipped", "count", "up", ["unit-volume"], "vp-sales", "erp", "monthly", "individual", "system", "medium", 0, True, "sales"),
    ("machine-revenue", "Machine revenue", "currency", "up", ["product-revenue", "unit-volume"], "vp-sales", "erp", "monthly", "individual", "system", "medium", 0, True, "sales"),
    ("spare-parts-revenue", "Spare parts revenue", "currency", "up", ["product-revenue"], "vp-service", "erp", "monthly", "individual", "system", "low", 0, False, "sales"),
    ("accounts-per-customer", "Products per customer", "ratio", "up", ["product-count"], "vp-sales", "crm", "monthly", "individual", "system", "high", 0, False, "sales"),
    # service
    ("fleet-uptime", "Fleet uptime", "percent", "up", ["outcome-delivery"], "vp-service", "telemetry-hub", "monthly", "team", "system", "low", 0, True, "service"),
    ("guaranteed-uptime-attainment", "Guaranteed uptime attainment", "percent", "up", ["outcome-delivery"], "vp-service", "telemetry-hub", "monthly", "individual", "system", "low", 0, False, "service"),
    ("mean-time-to-repair", "Mean time to repair", "hours", "down", ["outcome-delivery", "quality"], "vp-service", "fsm", "monthly", "individual", "system", "medium", 0, False, "service"),
    ("first-time-fix-rate", "First-time fix rate", "percent", "up", ["quality", "customer-satisfaction"], "vp-service", "fsm", "monthly", "individual", "system", "medium", 0, False, "service"),
    ("remote-resolution-rate", "Remote resolution rate", "percent", "up", ["outcome-delivery", "internal-efficiency"], "vp-service", "telemetry-hub", "monthly", "team", "system", "low", 0, False, "service"),
    ("preventive-maintenance-compliance", "Preventive maintenance compliance", "percent", "up", ["outcome-delivery"], "vp-service", "fsm", "monthly", "individual", "system", "low", 0, False, "service"),
    ("service-contract-renewal-rate", "Service contract renewal rate", "percent", "up", ["retention"], "vp-customer-success", "subscription-billing", "quarterly", "individual", "system", "low", 12, True, "service"),
    ("net-revenue-retention", "Net revenue retention", "percent", "up", ["retention", "expansion"], "vp-customer-success", "subscription-billing", "quarterly", "team", "audited", "low", 12, False, "service"),
    ("gross-revenue-retention", "Gross revenue retention", "percent", "up", ["retention"], "vp-customer-success", "subscription-billing", "quarterly", "individual", "system", "low", 12, False, "service"),
    ("customer-health-score", "Customer health score", "score", "up", ["retention"], "vp-customer-success", "data-warehouse", "monthly", "individual", "system", "medium", 0, False, "service"),
    ("churned-arr", "Churned ARR", "currency", "down", ["retention"], "vp-customer-success", "subscription-billing", "monthly", "team", "system", "low", 0, False, "service"),
    ("billable-repair-hours", "Billable repair hours", "hours", "up", ["service-volume"], "vp-service", "fsm", "monthly", "individual", "system", "high", 0, False, "service"),
    ("repair-orders-closed", "Repair orders closed", "count", "up", ["service-volume"], "vp-service", "fsm", "monthly", "individual", "system", "high", 0, True, "service"),
    ("time-and-materials-revenue", "Time-and-materials revenue", "currency", "up", ["service-volume", "product-revenue"], "vp-service", "erp", "monthly", "individual", "system", "medium", 0, False, "service"),
    # customer
    ("csat", "Customer satisfaction (CSAT)", "score", "up", ["customer-satisfaction"], "vp-service", "survey-platform", "quarterly", "team", "system", "low", 0, False, "customer"),
    ("nps", "Net promoter score", "score", "up", ["customer-satisfaction"], "vp-customer-success", "survey-platform", "quarterly", "region", "system", "low", 0, False, "customer"),
    ("customer-effort-score", "Customer effort score", "score", "down", ["customer-satisfaction"], "vp-customer-success", "survey-platform", "quarterly", "team", "system", "low", 0, False, "customer"),
    ("complaint-resolution-days", "Complaint resolution time", "days", "down", ["customer-satisfaction"], "vp-service", "crm", "monthly", "team", "system", "medium", 0, False, "customer"),
    ("onboarding-time-to-value", "Onboarding time to value", "days", "down", ["customer-satisfaction", "outcome-delivery"], "vp-customer-success", "data-warehouse", "monthly", "individual", "system", "low", 0, False, "customer"),
    ("adoption-rate", "Connected-fleet adoption rate", "percent", "up", ["retention", "expansion"], "vp-customer-success", "telemetry-hub", "monthly", "individual", "system", "low", 0, True, "customer"),
    # finance
    ("ebit", "EBIT", "currency", "up", ["earnings", "margin"], "cfo", "erp", "quarterly", "company", "audited", "low", 0, False, "finance"),
    ("ebitda-margin", "EBITDA margin", "percent", "up", ["earnings", "margin"], "cfo", "erp", "quarterly", "company", "audited", "low", 0, False, "finance"),
    ("product-gross-margin", "Product gross margin", "percent", "up", ["margin"], "cfo", "erp", "monthly", "individual", "audited", "low", 0, True, "finance"),
    ("regional-contribution-margin", "Regional contribution margin", "percent", "up", ["margin"], "cfo", "erp", "quarterly", "region", "audited", "low", 0, False, "finance"),
    ("free-cash-flow", "Free cash flow", "currency", "up", ["capital-efficiency"], "cfo", "erp", "quarterly", "company", "audited", "low", 0, False, "finance"),
    ("roce", "Return on capital employed", "percent", "up", ["capital-efficiency"], "cfo", "erp", "annual", "company", "audited", "low", 0, False, "finance"),
    ("total-shareholder-return", "Relative total shareholder return", "percent", "up", ["shareholder-return"], "cfo", "data-warehouse", "annual", "company", "audited", "low", 0, False, "finance"),
    ("eps-growth", "EPS growth", "percent", "up", ["earnings", "shareholder-return"], "cfo", "erp", "annual", "company", "audited", "low", 0, False, "finance"),
    ("days-sales-outstanding", "Days sales outstanding", "days", "down", ["capital-efficiency"], "cfo", "erp", "monthly", "region", "system", "low", 0, False, "finance"),
    ("opex-to-revenue", "Opex to revenue", "percent", "down", ["internal-efficiency"], "cfo", "erp", "quarterly", "company", "audited", "low", 0, False, "finance"),
    ("forecast-accuracy", "Forecast accuracy", "percent", "up", ["internal-efficiency"], "cfo", "data-warehouse", "monthly", "team", "system", "medium", 0, False, "finance"),
    # operations
    ("cost-per-unit", "Cost per unit", "currency", "down", ["internal-efficiency"], "coo", "erp", "monthly", "company", "system", "low", 0, True, "operations"),
    ("otif", "On time in full", "percent", "up", ["internal-efficiency", "quality"], "coo", "erp", "monthly", "team", "system", "low", 0, False, "operations"),
    ("scrap-rate", "Scrap rate", "percent", "down", ["quality"], "vp-manufacturing", "qms", "monthly", "team", "system", "medium", 0, True, "operations"),
    ("warranty-claims-rate", "Warranty claims rate", "percent", "down", ["quality"], "vp-manufacturing", "qms", "quarterly", "company", "system", "low", 0, True, "operations"),
    ("plant-oee", "Overall equipment effectiveness", "percent", "up", ["internal-efficiency"], "vp-manufacturing", "erp", "monthly", "team", "system", "low", 0, False, "operations"),
    ("inventory-turns", "Inventory turns", "ratio", "up", ["capital-efficiency"], "vp-supply-chain", "erp", "monthly", "team", "system", "low", 0, False, "operations"),
    ("order-lead-time-days", "Order lead time", "days", "down", ["internal-efficiency"], "vp-supply-chain", "erp", "monthly", "team", "system", "low", 0, False, "operations"),
    ("supplier-on-time-delivery", "Supplier on-time delivery", "percent", "up", ["internal-efficiency"], "vp-supply-chain", "erp", "monthly", "team", "system", "low", 0, False, "operations"),
    ("safety-incident-rate", "Lost-time incident rate", "ratio", "down", ["compliance"], "coo", "qms", "monthly", "team", "audited", "low", 0, False, "operations"),
    ("first-pass-yield", "First-pass yield", "percent", "up", ["quality"], "vp-manufacturing", "qms", "monthly", "team", "system", "medium", 0, False, "operations"),
    # people / compliance
    ("compliance-training-completion", "Compliance training completion", "percent", "up", ["compliance"], "chro", "hris", "quarterly", "individual", "system", "low", 0, False, "people"),
    ("certified-outcome-technicians", "Technicians certified for outcome contracts", "percent", "up", ["capability-building", "outcome-delivery"], "vp-service", "hris", "quarterly", "team", "system", "low", 0, False, "people"),
    ("regretted-attrition", "Regretted attrition", "percent", "down", ["capability-building"], "chro", "hris", "quarterly", "team", "system", "low", 0, False, "people"),
    ("audit-findings-closed", "Audit findings closed on time", "percent", "up", ["compliance"], "general-counsel", "qms", "quarterly", "team", "audited", "low", 0, False, "people"),
    ("data-quality-score", "Master data quality score", "score", "up", ["compliance", "internal-efficiency"], "cio", "data-warehouse", "monthly", "team", "system", "low", 0, False, "people"),
    ("self-assessed-skills", "Self-assessed digital skills", "score", "up", ["capability-building"], "chro", "hris", "annual", "individual", "self-reported", "high", 0, False, "people"),
]

# deprecated KPIs (kept in the catalog for history), replaced by an active stem
DEPRECATED_KPIS = [
    ("machine-orders-booked", "Machine orders booked", ["unit-volume"], "outcome-contract-bookings"),
    ("service-hours-sold", "Service hours sold", ["service-volume"], "guaranteed-uptime-attainment"),
    ("quote-volume", "Quotes issued", ["activity"], "pipeline-coverage"),
    ("parts-units-shipped", "Spare-part units shipped", ["unit-volume"], "spare-parts-revenue"),
    ("survey-response-count", "Survey responses collected", ["activity"], "csat"),
]

KPI_DOMAINS = [("sales", "Sales and commercial KPIs", "cro"), ("service", "Service and retention KPIs", "vp-service"),
               ("customer", "Customer experience KPIs", "vp-customer-success"),
               ("finance", "Financial KPIs", "cfo"), ("operations", "Operations KPIs", "coo"),
               ("people", "People and compliance KPIs", "chro")]

UNIT_BASELINE = {"currency": (400000, 9000000), "percent": (40, 96), "count": (20, 900), "ratio": (1, 6),
                 "hours": (2, 30), "days": (3, 60), "score": (30, 85)}

FROM_DRIVERS = ["unit-volume", "service-volume"]
TO_DRIVERS = ["outcome-delivery", "recurring-revenue", "retention", "expansion"]

PRIORITIES_5 = [
    dict(id="p-uptime", title="Sell guaranteed-uptime contracts instead of machines", weight=35, change="new",
         horizon=36, drivers=["outcome-delivery", "recurring-revenue"], accountable="cro",
         contributors=["sales", "sales-engineering", "customer-success", "field-service"],
         targets=[("uptime-contract-acv", 40000000, f"{FY}-12-31"), ("uptime-contract-acv", 110000000, f"{FY + 2}-12-31"),
                  ("fleet-uptime", 97.5, f"{FY + 1}-12-31")],
         requires=dict(functions=["customer-success", "field-service"], offer_models=["outcome-based", "subscription"],
                       system_capabilities=["remote-telemetry", "recurring-billing"])),
    dict(id="p-installed-base", title="Retain and grow the installed base", weight=25, change="grow",
         horizon=36, drivers=["retention", "expansion", "customer-satisfaction"], accountable="vp-customer-success",
         contributors=["customer-success", "field-service", "sales"],
         targets=[("net-revenue-retention", 108, f"{FY + 1}-12-31"), ("csat", 82, f"{FY}-12-31")],
         requires=dict(functions=["customer-success"], offer_models=["subscription"],
                       system_capabilities=["condition-monitoring"])),
    dict(id="p-new-logos", title="Win new logos in adjacent segments with the connected-fleet platform",
         weight=15, change="grow", horizon=24, drivers=["new-logos"], accountable="vp-sales",
         contributors=["sales", "inside-sales", "channel-sales", "marketing"],
         targets=[("new-logos-won", 240, f"{FY}-12-31")],
         requires=dict(functions=["inside-sales", "channel-sales"], offer_models=["subscription"])),
    dict(id="p-margin", title="Protect product margin while unit volume declines", weight=15, change="sustain",
         horizon=12, drivers=["margin", "earnings", "capital-efficiency"], accountable="cfo",
         contributors=["sales", "operations", "finance", "supply-chain"],
         targets=[("product-gross-margin", 33, f"{FY}-12-31"), ("free-cash-flow", 180000000, f"{FY}-12-31")]),
    dict(id="p-operational-excellence", title="Run operations leaner and safer", weight=10, change="sustain",
         horizon=12, drivers=["internal-efficiency", "quality", "compliance"], accountable="coo",
         contributors=["operations", "manufacturing", "supply-chain", "service-operations"],
         targets=[("otif", 95, f"{FY}-12-31"), ("scrap-rate", 1.8, f"{FY}-12-31")]),
]

OFFER_TEMPLATES = [
    # suffix, model, revenue_recognition, term, credit_basis, sold_by, delivered_by, priorities, caps
    ("uptime-guarantee", "Guaranteed uptime", "outcome-based", "over-time", 60, "total-contract-value",
     ["sales", "channel-sales"], ["customer-success", "field-service"], ["p-uptime"], ["remote-telemetry", "recurring-billing"]),
    ("fleet-subscription", "Connected-fleet subscription", "subscription", "over-time", 36, "annual-contract-value",
     ["sales", "inside-sales", "channel-sales"], ["customer-success"], ["p-uptime", "p-installed-base"], ["recurring-billing"]),
    ("pay-per-stroke", "Pay per stroke", "usage", "over-time", 48, "recognized-revenue",
     ["sales"], ["customer-success", "field-service"], ["p-uptime"], ["usage-metering", "recurring-billing"]),
    ("equipment", "Equipment sale", "per-unit", "point-in-time", 0, "net-price",
     ["sales", "channel-sales"], ["operations"], [], []),
    ("service-bundle", "Installation and training bundle", "bundle", "point-in-time", 0, "net-price",
     ["sales", "sales-engineering"], ["field-service"], ["p-installed-base"], []),
    ("repair", "Time-and-materials repair", "time-and-materials", "point-in-time", 0, "recognized-revenue",
     ["field-service"], ["field-service"], [], []),
]

COMMENT_LINES = [
    "Changes need sign-off from the remuneration committee; see governance/plan-changes.md.",
    "Plan terms are binding only as communicated in the participant's acceptance letter.",
    "Weights are percent of target variable pay; amounts are in the plan currency.",
    "Reviewed with Finance and HR in the annual plan design cycle.",
    "Do not edit component ids: the ICM export keys on them.",
    "Targets are set in the territory planning model and loaded from the ICM system.",
]

# Plan wording, tagged by audience: a = any plan, s = plans that credit sales,
# f = field service, m = managers, t = team-measured plans
SENTENCES = [
    ("a", "This plan pays {role} in {region} for results that move the company from selling machines to selling guaranteed uptime."),
    ("a", "Participants must be employed in an eligible role on the last day of the performance period to earn a payout, except where local law requires otherwise."),
    ("s", "Credit is assigned to the account owner of record in the CRM at the time the contract is signed; split credit requires written approval by the regional sales director."),
    ("s", "Transfers between territories during the year are prorated by calendar days in each role, using the quota of each territory."),
    ("a", "Payouts for participants on leave are prorated for the days actively worked, subject to local statutory requirements."),
    ("s", "Contracts cancelled within the lookback period are charged back against future payouts, and any unrecovered balance is settled at termination where permitted."),
    ("s", "Deals above the windfall threshold are reviewed by the deal desk and the compensation committee before credit is released."),
    ("a", "Disputes about a payout must be raised through the ICM dispute workflow within 60 days of the statement that shows it."),
    ("a", "Attainment between threshold and target pays linearly from the threshold payout to 100 percent of the component's target incentive."),
    ("a", "Attainment above target is paid at the rate shown for each component, up to the component cap where one applies."),
    ("s", "Targets for outcome-based contracts are derived from the strategy targets for {year} and allocated to territories by installed base and market potential."),
    ("a", "The plan is administered in {currency}; payments to participants paid in another currency use the budget exchange rate for {year}."),
    ("m", "Managers may recommend discretionary adjustments of up to ten percent of the target incentive, which require HR business partner approval."),
    ("s", "Bookings count only once the order has passed credit check and the customer's purchase order has been received."),
    ("f", "Uptime attainment is read from the telemetry hub and audited quarterly by the service quality team before any payout is released."),
    ("s", "Renewals that are delayed for reasons attributable to the company are credited in the original renewal quarter."),
    ("t", "Customer satisfaction is measured with the quarterly relationship survey; accounts with fewer than three responses are excluded from the team score."),
    ("f", "Technicians who diagnose a fault are not credited for the resulting repair order; diagnosis and selling are kept separate by design."),
    ("a", "The company may amend or withdraw the plan with thirty days' written notice; amendments never reduce payouts already earned."),
    ("s", "New hires joining after the first month of a quarter start earning in the following quarter, with a ramped quota for their first two quarters."),
    ("s", "Channel-sourced deals are credited at the partner-net price, and co-selling with a partner does not reduce the rep's credit."),
    ("s", "Multi-year contracts are credited on first-year annual contract value, with the remaining years credited on each anniversary if the contract is still in force."),
    ("a", "Payouts are calculated in the incentive compensation system and approved by regional finance before they reach payroll."),
    ("a", "Participants acknowledge the plan electronically within thirty days of receiving it; unacknowledged plans are escalated to the line manager."),
    ("t", "The {region} team shares accounts with customer success and field service, so retention components are measured at team level."),
    ("s", "Quota relief may be granted for territory changes or product recalls, but never for price changes or competitive losses."),
    ("a", "Any payout calculated on data later found to be materially misstated will be recalculated and the difference recovered."),
    ("m", "Components measured at company level use the audited year-end figures published in the annual report."),
    ("a", "For {role}, the plan focuses on a small number of measures so that each carries enough weight to change behaviour."),
    ("a", "The plan does not pay on billable hours or units shipped, which the {year} strategy is moving away from."),
    ("f", "Service visits are scheduled by dispatch; technicians do not choose which work orders they take, so volume is not a fair measure of their contribution."),
    ("f", "Remote resolutions count as first-time fixes when the customer confirms the machine is back in production within four hours."),
    ("m", "Half of any payout above target is held until the audited year-end results are available."),
    ("t", "Team results are calculated on the team's roster on the last day of each quarter; movers are credited to their new team from the first full month."),
    ("a", "Statements are published in the ICM portal by the tenth working day after the end of each payout period."),
    ("a", "Participants who resign or are dismissed for cause before the payout date forfeit unpaid incentive, unless local law requires otherwise."),
]

RATIONALE = {
    "outcome-delivery": "Pays for delivered uptime, not for machines shipped or hours billed.",
    "recurring-revenue": "Rewards recurring contract value, the core of the {year} strategy.",
    "retention": "Keeps the installed base: retention is what makes recurring revenue stick.",
    "expansion": "Rewards growth within existing accounts on the connected-fleet platform.",
    "new-logos": "Pays for new customers in the adjacent segments named in the strategy.",
    "margin": "Margin guardrail so that contract value is not bought with discounts.",
    "customer-satisfaction": "Measured at team level from the quarterly survey to avoid gaming by individuals.",
    "quality": "Quality measure agreed with the service quality team; read from the system of record.",
    "internal-efficiency": "Efficiency measure the role can influence directly.",
    "capital-efficiency": "Cash and capital discipline, as in the group scorecard.",
    "earnings": "Ties the payout to the group's audited earnings.",
    "compliance": "Compliance measure; misses are reviewed by the audit committee.",
    "unit-volume": "Kept from last year's plan to protect the order book during the transition.",
    "service-volume": "Kept from last year's plan while the uptime contracts ramp up.",
}


@dataclass
class Kpi:
    id: str
    name: str
    unit: str
    direction: str
    drivers: list[str]
    owner: str
    data_source: str
    refresh: str
    measurable_at: str
    verification: str
    gameability: str
    lag: int
    domain: str
    status: str = "active"
    replaced_by: str | None = None
    paired_with: list[str] = field(default_factory=list)
    baseline: float = 0.0
    introduced: str | None = None


@dataclass
class Role:
    id: str
    family: Family
    region: tuple
    segment: tuple | None
    headcount: int
    base_salary: int
    plans: list[str] = field(default_factory=list)


@dataclass
class PlanSpec:
    id: str
    region: tuple
    path: str
    roles: list[Role]
    plan_type: str
    mistake: str | None = None
    extra_doc: "PlanSpec | None" = None


MONTH_END = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
REFRESH_ORDER = {"monthly": 1, "quarterly": 3, "semi-annual": 6, "annual": 12}
FREQ_BY_MONTHS = {1: "monthly", 3: "quarterly", 6: "semi-annual", 12: "annual"}
MEASURE_ORDER = {"individual": 0, "team": 1, "region": 2, "company": 3}


class Generator:
    def __init__(self, files: int, seed: int, avg_bytes: int, mistake_rate: float) -> None:
        self.files = files
        self.seed = seed
        self.avg_bytes = avg_bytes
        self.mistake_rate = mistake_rate
        self.rng = random.Random(seed)
        self.company_id, self.company_name = COMPANIES[seed % len(COMPANIES)]
        if files < 120:
            n_regions = 2
        elif files < 600:
            n_regions = 4
        elif files < 1500:
            n_regions = 8
        else:
            n_regions = 12
        self.regions = REGIONS[:n_regions]
        self.n_segments = 1 if files < 1000 else (2 if files < 5000 else 4)
        self.priorities = self._priorities()
        self.kpis = self._kpis()
        self.kpi_by_id = {k.id: k for k in self.kpis}
        self.roles = self._roles()
        self.fn_headcount = {f[0]: sum(r.headcount for r in self.roles if r.family.function == f[0])
                             + sum(1 for e in EXEC_ROLES if e[1] == f[0]) + self.rng.randint(20, 400)
                             for f in FUNCTIONS}
        self.offers = self._offers()
        self.outputs: dict[str, str] = {}
        self.mistakes: list[dict[str, Any]] = []

    # ---- model ---------------------------------------------------------------------------

    def _priorities(self) -> list[dict]:
        pri = [dict(p) for p in PRIORITIES_5]
        if self.rng.random() < 0.4:           # a 4-priority strategy
            pri = [p for p in pri if p["id"] != "p-new-logos"]
            for p, w in zip(pri, (40, 30, 20, 10)):
                p["weight"] = w
        return pri

    def _kpis(self) -> list[Kpi]:
        rng = self.rng
        target = max(150, min(480, 200 + self.files // 100))  # 2k -> 220; 20k -> all ~270 variants
        kpis: list[Kpi] = []
        for s in KPI_STEMS:
            kpis.append(Kpi(s[0], s[1], s[2], s[3], list(s[4]), s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[13]))
        variantable = [s for s in KPI_STEMS if s[12]]
        for line_id, line_name in PRODUCT_LINES:
            for s in variantable:
                if len(kpis) + len(DEPRECATED_KPIS) >= target:
                    break
                kpis.append(Kpi(f"{s[0]}-{line_id}", f"{s[1]} - {line_name}", s[2], s[3], list(s[4]), s[5], s[6],
                                s[7], s[8], s[9], s[10], s[11], s[13]))
        for kid, name, drivers, repl in DEPRECATED_KPIS:
            kpis.append(Kpi(kid, name, "count", "up", drivers, "vp-sales", "crm", "monthly", "individual",
                            "system", "medium", 0, "sales", status="deprecated", replaced_by=repl))
        for k in kpis:
            lo, hi = UNIT_BASELINE[k.unit]
            v = rng.uniform(lo, hi)
            k.baseline = round(v, -3) if k.unit == "currency" else round(v, 1)
            if rng.random() < 0.25:
                k.introduced = f"{FY - rng.randint(0, 6)}-{rng.randint(1, 12):02d}-01"
            if any(d in FROM_DRIVERS for d in k.drivers) and k.status == "active":
                k.paired_with = ["warranty-claims-rate"] if "unit-volume" in k.drivers else ["first-time-fix-rate"]
        return kpis

    def _roles(self) -> list[Role]:
        rng = self.rng
        roles: list[Role] = []
        # small corpora: keep the most common job families, so that every role gets a plan
        est_plans = self.files - 25 - 2 * len(self.regions)
        fams = sorted(FAMILIES, key=lambda f: -f.weight)
        while len(fams) > 3 and len(self.regions) * sum(
                self.n_segments if f.segmented else 1 for f in fams) > est_plans:
            fams.pop()
        fams = [f for f in FAMILIES if f in fams]
        for region in self.regions:
            for fam in fams:
                segs = SEGMENTS[: self.n_segments] if fam.segmented else [None]
                for seg in segs:
                    rid = f"{fam.id}-{seg[0]}-{region[0]}" if seg else f"{fam.id}-{region[0]}"
                    hc = rng.randint(*fam.headcount)
                    sal = int(round(fam.salary * region[3] * rng.uniform(0.9, 1.12), -3))
                    roles.append(Role(rid, fam, region, seg, hc, sal))
        return roles

    def _offers(self) -> list[dict]:
        offers = []
        lines = PRODUCT_LINES[:6]
        for t in OFFER_TEMPLATES:
            for line_id, line_name in lines:
                if t[1] == "Time-and-materials repair" and line_id not in ("press-lines", "automation-cells"):
                    continue
                status, avail = "active", None
                if t[0] == "pay-per-stroke":
                    status, avail = "planned", f"{FY}-07-01"
                offers.append(dict(id=f"{t[0]}-{line_id}", name=f"{t[1]} - {line_name}", model=t[2], rec=t[3],
                                   term=t[4], credit_basis=t[5], sold_by=t[6], delivered_by=t[7],
                                   priorities=t[8], caps=t[9], status=status, available_from=avail))
        return offers

    def kpi_map(self, kpi: Kpi) -> list[str]:
        """model.md's map(kpi): 'legacy', the priorities it serves, or 'unaligned'."""
        if any(d in FROM_DRIVERS for d in kpi.drivers):
            return ["legacy"]
        named = [p["id"] for p in self.priorities if any(t[0] == kpi.id for t in p["targets"])]
        if named:
            return named
        hit = [p["id"] for p in self.priorities if set(p["drivers"]) & set(kpi.drivers)]
        return hit or ["unaligned"]

    # ---- rendering: reference documents --------------------------------------------------

    def header(self, kind: str, id_: str, title: str | None, owner: str, status: str | None = None) -> list[str]:
        out = [f"kind: {kind}", f"schema: {SCHEMA}", f"id: {id_}"]
        if title:
            out.append(f"title: {q(title)}")
        out.append(f"owner: {owner}")
        if status:
            out.append(f"status: {status}")
        return out

    def render_strategy(self) -> str:
        L = ["# Group strategy 2025-2027, approved by the board on 2024-10-28.",
             "# Priority weights are the yardstick the linter compares variable pay against.",
             *self.header("Strategy", f"strategy-{FY}-{FY + 2}", "From selling presses to selling guaranteed uptime",
                          "ceo", "approved"),
             f"approved_on: {FY - 1}-10-28",
             f"effective: {{from: {FY}-01-01, to: {FY + 2}-12-31}}",
             "x-description: >-"]
        L += wrap(f"{self.company_name} will earn a growing share of its revenue from contracts that guarantee "
                  "machine uptime and from subscriptions on the connected-fleet platform, instead of one-off "
                  "machine sales and billable repair hours. Pay, KPIs, offers and systems follow that direction.", "  ")
        L += ["shift:",
              f"  from_drivers: {flow(FROM_DRIVERS)}      # stop rewarding these",
              f"  to_drivers: {flow(TO_DRIVERS)}",
              "priorities:"]
        for p in self.priorities:
            L += [f"  - id: {p['id']}",
                  f"    title: {q(p['title'])}",
                  f"    weight: {p['weight']}",
                  f"    change: {p['change']}",
                  f"    horizon_months: {p['horizon']}",
                  f"    drivers: {flow(p['drivers'])}",
                  f"    accountable: {p['accountable']}",
                  f"    contributors: {flow(p['contributors'])}",
                  "    targets:"]
            for kpi, value, by in p["targets"]:
                L.append(f"      - {{kpi: {kpi}, value: {fmt_num(value)}, by: {by}}}")
            req = p.get("requires")
            if req:
                L.append("    requires:")
                for key in ("functions", "offer_models", "system_capabilities"):
                    if key in req:
                        L.append(f"      {key}: {flow(req[key])}")
        return "\n".join(L) + "\n"

    def render_kpi_catalogs(self) -> None:
        for dom, title, owner in KPI_DOMAINS:
            kpis = [k for k in self.kpis if k.domain == dom]
            L = [f"# {title}. One entry per measure; definitions live in the data dictionary.",
                 *self.header("KpiCatalog", f"kpis-{dom}", title, owner),
                 "kpis:"]
            for i, k in enumerate(kpis):
                if i % 5 == 4:   # some entries in compact flow style, as people write short ones
                    parts = [f"id: {k.id}", f"name: {q(k.name)}", f"unit: {k.unit}", f"direction: {k.direction}",
                             f"drivers: {flow(k.drivers)}", f"owner: {k.owner}", f"data_source: {k.data_source}",
                             f"refresh: {k.refresh}", f"measurable_at: {k.measurable_at}",
                             f"verification: {k.verification}", f"gameability: {k.gameability}",
                             f"baseline: {{period: {FY - 1}, value: {fmt_num(k.baseline)}}}"]
                    if k.status != "active":
                        parts += [f"status: {k.status}", f"replaced_by: {k.replaced_by}"]
                    L += wrap_flow_map(parts, "  - ", "     ")
                    continue
                L += [f"  - id: {k.id}",
                      f"    name: {q(k.name)}",
                      f"    unit: {k.unit}",
                      f"    direction: {k.direction}",
                      f"    drivers: {flow(k.drivers)}",
                      f"    owner: {k.owner}",
                      f"    data_source: {k.data_source}",
                      f"    refresh: {k.refresh}",
                      f"    measurable_at: {k.measurable_at}",
                      f"    verification: {k.verification}",
                      f"    gameability: {k.gameability}"]
                if k.paired_with:
                    L.append(f"    paired_with: {flow(k.paired_with)}")
                if k.lag:
                    L.append(f"    realization_lag_months: {k.lag}")
                L += ["    baseline:", f"      period: {FY - 1}", f"      value: {fmt_num(k.baseline)}"]
                if k.introduced:
                    L.append(f"    introduced: {k.introduced}")
                L.append(f"    status: {k.status}")
                if k.replaced_by:
                    L.append(f"    replaced_by: {k.replaced_by}      # deprecated with the {FY} strategy")
            self.outputs[f"kpis/{dom}.yaml"] = "\n".join(L) + "\n"

    def render_org(self) -> None:
        L = [f"# {self.company_name}: governance bodies, functions, systems and the executive team.",
             "# Regional roles live in org/roles-<region>.yaml.",
             *self.header("Org", f"org-{self.company_id}", self.company_name, "chro"),
             "listed: true",
             "jurisdiction: de",
             "currency: EUR",
             "bodies:",
             "  - {id: board-remco, type: remuneration-committee}",
             "  - {id: board-audit, type: audit-committee}",
             "functions:"]
        for fid, head, cf in FUNCTIONS:
            hc = self.fn_headcount[fid]
            L += [f"  - id: {fid}", f"    title: {q(FUNCTION_TITLES.get(fid, fid.replace('-', ' ').title()))}",
                  "    status: active", f"    head: {head}", f"    headcount: {hc}"]
            if fid == "customer-success":
                L += ["    headcount_plan:", f"      {FY}-06-30: {int(hc * 1.2)}", f"      {FY}-12-31: {int(hc * 1.45)}"]
            if cf:
                L.append("    customer_facing: true")
            if fid == "sales":
                L.append("    shares_accounts_with: [customer-success, field-service]")
        L.append("roles:")
        for rid, fn, sal in EXEC_ROLES:
            plans = ["ip-exec-2025", "ip-ltip-2025-2027"] if rid in ("ceo", "cfo", "coo", "cro") else ["ip-exec-2025"]
            L.append(f"  - {{id: {rid}, function: {fn}, level: executive, headcount: 1, base_salary: {sal},")
            L.append(f"     plans: {flow(plans)}}}")
        L.append("systems:")
        for sid, status, avail, caps in SYSTEMS:
            line = f"  - {{id: {sid}, title: {q(SYSTEM_TITLES[sid])}, status: {status}, capabilities: {flow(caps)}"
            if avail:
                line += f", available_from: {avail}"
            L.append(line + "}")
        self.outputs["org/org.yaml"] = "\n".join(L) + "\n"

        for region in self.regions:
            rid, rname, cur, _, macro = region
            L = [f"# Roles in {rname}. 'plans' lists every incentive plan the role is eligible for.",
                 *self.header("Org", f"roles-{rid}", f"{rname} roles", f"vp-sales-{macro}"),
                 f"currency: {cur}             # base salaries below",
                 "roles:"]
            for r in (x for x in self.roles if x.region is region):
                fam = r.family
                title = f"{fam.name} ({r.segment[1]}), {rname}" if r.segment else f"{fam.name}, {rname}"
                L += [f"  - id: {r.id}",
                      f"    title: {q(title)}",
                      f"    function: {fam.function}",
                      f"    level: {fam.level}",
                      f"    headcount: {r.headcount}",
                      f"    base_salary: {r.base_salary}"]
                if fam.customer_facing:
                    L.append("    customer_facing: true")
                if fam.decision_rights:
                    L.append(f"    decision_rights: {flow(list(fam.decision_rights))}")
                L += wrap_flow_list("    plans: ", r.plans, "      ")
            self.outputs[f"org/roles-{rid}.yaml"] = "\n".join(L) + "\n"

    def render_offers(self) -> None:
        groups = [("products", "Products and subscriptions", lambda o: o["model"] != "time-and-materials"
                   and o["model"] != "bundle"),
                  ("services", "Services and bundles", lambda o: o["model"] in ("time-and-materials", "bundle"))]
        for gid, title, pred in groups:
            L = [f"# {title} that can be sold and credited in incentive plans.",
                 *self.header("OfferCatalog", f"offers-{gid}", title, "cpo"),
                 "offers:"]
            for o in self.offers:
                if not pred(o):
                    continue
                L += [f"  - id: {o['id']}",
                      f"    title: {q(o['name'])}",
                      f"    model: {o['model']}",
                      f"    status: {o['status']}"]
                if o["available_from"]:
                    L.append(f"    available_from: {o['available_from']}")
                L.append(f"    revenue_recognition: {o['rec']}")
                if o["term"]:
                    L.append(f"    term_months: {o['term']}")
                L += [f"    credit_basis: {o['credit_basis']}",
                      f"    sold_by: {flow(o['sold_by'])}",
                      f"    delivered_by: {flow(o['delivered_by'])}"]
                if o["priorities"]:
                    L.append(f"    priorities: {flow(o['priorities'])}")
                if o["caps"]:
                    L.append(f"    requires_system_capabilities: {flow(o['caps'])}")
            self.outputs[f"offers/{gid}.yaml"] = "\n".join(L) + "\n"

    def render_budget(self) -> None:
        rng = self.rng
        L = [f"# FY{FY} budget as approved in December {FY - 1}. Amounts in EUR.",
             *self.header("Budget", f"budget-fy{FY}", f"Budget FY{FY}", "cfo", "approved"),
             "currency: EUR",
             f"effective: {{from: {FY}-01-01, to: {FY}-12-31}}",
             "investments:"]
        inv = []
        for p in self.priorities:
            for j in range(2 if p["change"] in ("new", "grow") else 1):
                amt = int(round(p["weight"] * rng.uniform(0.6, 1.4) * 300000, -4))
                inv.append((f"inv-{p['id'][2:]}-{j + 1}", amt, p["id"], p["accountable"]))
        for iid, amt, pid, owner in inv:
            L.append(f"  - {{id: {iid}, amount: {amt}, priority: {pid}, owner: {owner}}}")
        L.append(f"  - {{id: inv-press-x2-development, amount: 1500000, drivers: [unit-volume], owner: coo}}")
        L.append("run_budget:")
        for fid, _, _ in FUNCTIONS:
            hc = self.fn_headcount[fid]
            L.append(f"  - {{function: {fid}, amount: {int(round(hc * rng.uniform(95000, 130000), -5))}, "
                     f"headcount: {hc}}}")
        self.outputs[f"budget/budget-fy{FY}.yaml"] = "\n".join(L) + "\n"

    def render_rates(self) -> None:
        currencies = sorted({r[2] for r in self.regions} - {"EUR"})
        L = [f"# Budget exchange rates FY{FY}, set by group finance: 1 unit of each currency in EUR.",
             *self.header("CurrencyRates", f"fx-{FY}", f"Budget rates FY{FY}", "cfo", "approved"),
             f"effective: {{from: {FY}-01-01, to: {FY}-12-31}}",
             "reporting_currency: EUR",
             "rates:"]
        L += [f"  - {{currency: {c}, rate: {EUR_RATES[c]}, effective_from: {FY}-01-01}}" for c in currencies]
        self.outputs[f"finance/fx-{FY}.yaml"] = "\n".join(L) + "\n"

    def render_objectives(self) -> None:
        rng = self.rng
        fn_head = {f[0]: f[1] for f in FUNCTIONS}
        # company level
        L = ["# Company-level objectives: one or two per strategic priority.",
             *self.header("ObjectiveSet", f"objectives-company-{FY}", f"Company objectives {FY}", "ceo"),
             f"effective: {{from: {FY}-01-01, to: {FY}-12-31}}",
             "objectives:"]
        for p in self.priorities:
            kpi = p["targets"][0][0]
            L += [f"  - id: o-company-{p['id'][2:]}",
                  f"    title: {q(p['title'] + ' in ' + str(FY))}",
                  "    level: company",
                  f"    parent: {p['id']}",
                  f"    owner: {p['accountable']}",
                  "    type: committed",
                  "    key_results:",
                  f"      - {{kpi: {kpi}, target: {fmt_num(p['targets'][0][1])}}}",
                  "    agreed_with: [ceo, cfo]"]
        company = "\n".join(L) + "\n"
        # one file per contributor function, with team-level objectives per region
        fn_objs: dict[str, list[tuple]] = {}
        for p in self.priorities:
            for fn in p["contributors"]:
                fn_objs.setdefault(fn, []).append(p)
        aligned = [k for k in self.kpis if k.status == "active" and self.kpi_map(k)[0] not in ("legacy", "unaligned")]
        mgr_role = {}
        for r in self.roles:
            if r.family.level == "manager" and (r.family.function, r.region[0]) not in mgr_role:
                mgr_role[(r.family.function, r.region[0])] = r.id
        files = []
        for fn, plist in fn_objs.items():
            head = fn_head[fn]
            L = [f"# {fn} objectives for {FY}, cascaded from the company objectives.",
                 *self.header("ObjectiveSet", f"objectives-{fn}-{FY}", f"{fn.replace('-', ' ').title()} objectives {FY}", head),
                 f"effective: {{from: {FY}-01-01, to: {FY}-12-31}}",
                 "objectives:"]
            for p in plist:
                pk = [k for k in aligned if p["id"] in self.kpi_map(k)]
                krs = rng.sample(pk, min(len(pk), rng.randint(1, 3)))
                oid = f"o-{fn}-{p['id'][2:]}"
                L += [f"  - id: {oid}",
                      f"    title: {q(fn.replace('-', ' ').capitalize() + ' contribution to ' + p['title'].lower())}",
                      "    level: function",
                      f"    org_unit: {fn}",
                      f"    parent: o-company-{p['id'][2:]}",
                      f"    owner: {head}",
                      "    type: committed",
                      "    key_results:"]
                for k in krs:
                    L.append(f"      - {{kpi: {k.id}, target: {fmt_num(kr_target(k, 1.08))}}}")
                L.append(f"    agreed_with: [{p['accountable']}]")
                for region in self.regions:
                    if rng.random() < 0.5:
                        continue
                    k = rng.choice(krs) if krs else None
                    lead = mgr_role.get((fn, region[0]), head)
                    L += [f"  - {{id: {oid}-{region[0]}, title: {q(region[1] + ' ' + fn.replace('-', ' ') + ' share')}, "
                          f"level: team, org_unit: {fn},",
                          f"     parent: {oid}, owner: {lead}, type: {rng.choice(['committed', 'committed', 'aspirational'])},"]
                    if k:
                        share = 1 / len(self.regions) * rng.uniform(0.6, 1.5) if k.unit in ("currency", "count") else 1.0
                        L.append(f"     key_results: [{{kpi: {k.id}, target: {fmt_num(kr_target(k, rng.uniform(1.03, 1.1)) * share)}}}]}}")
                    else:
                        L[-1] = L[-1].rstrip(",") + "}"
            files.append((fn, "\n".join(L) + "\n"))
        self.outputs["strategy/objectives-company.yaml"] = company
        # a few multi-document files: small functions share one file
        small = [f for f in files if f[0] in ("service-operations", "supply-chain", "finance", "marketing")]
        for fn, text in files:
            if (fn, text) in small:
                continue
            self.outputs[f"strategy/objectives-{fn}.yaml"] = text
        if small:
            self.outputs["strategy/objectives-support-functions.yaml"] = "---\n".join(t for _, t in small)

    # ---- plans ---------------------------------------------------------------------------

    def plan_specs(self, n_files: int) -> list[PlanSpec]:
        rng = self.rng
        specs: list[PlanSpec] = []
        by_region: dict[str, list[Role]] = {}
        for r in self.roles:
            by_region.setdefault(r.region[0], []).append(r)
        # region shares (bigger regions first), family weights within a region
        reg_w = [1.6, 1.4, 0.8, 1.2, 1.1, 0.9, 0.8, 1.0, 0.9, 0.7, 0.6, 0.6][: len(self.regions)]
        counters = {r[0]: 0 for r in self.regions}
        role_weights = {r.id: r.family.weight / (self.n_segments if r.family.segmented else 1) for r in self.roles}
        # first give every role a plan (round-robin), then draw by weight
        order: list[Role] = []
        n_roles = len(self.roles)
        if n_files >= n_roles:
            order = list(self.roles)
            rng.shuffle(order)
        all_roles = self.roles
        weights = [role_weights[r.id] * reg_w[self.regions.index(r.region)] for r in all_roles]
        extra = n_files - len(order)
        order += rng.choices(all_roles, weights=weights, k=max(0, extra))
        for i, role in enumerate(order):
            region = role.region
            counters[region[0]] += 1
            n = counters[region[0]]
            compact = region[0].replace("-", "")
            pid = f"ip-{region[0]}-{n:05d}"
            path = f"plans/{region[0]}/plan-{compact}-{n:05d}.yaml"
            peers = [r for r in by_region[region[0]] if r.family is role.family and r is not role]
            roles = [role] + (rng.sample(peers, min(len(peers), rng.choice([0, 0, 1, 1, 2]))) if peers else [])
            ptype = rng.choice(role.family.plan_types)
            spec = PlanSpec(pid, region, path, roles, ptype)
            if rng.random() < self.mistake_rate:
                spec.mistake = rng.choice(["weights-95", "legacy-60", "missing-kpi"])
            if role.family.plan_types == ("sales-commission",) and rng.random() < 0.006:
                # a few multi-document files: a Q2 SPIF kept next to the plan it tops up
                counters[region[0]] += 1
                sid = f"ip-{region[0]}-{counters[region[0]]:05d}"
                spec.extra_doc = PlanSpec(sid, region, path, [role], "spif")
            specs.append(spec)
        return specs

    def exec_plan_specs(self) -> list[tuple[str, str]]:
        return [("ip-exec-2025", "plans/global/plan-exec-2025.yaml"),
                ("ip-ltip-2025-2027", "plans/global/plan-ltip-2025-2027.yaml")]

    def pick_components(self, spec: PlanSpec) -> list[dict]:
        """Clean components: aligned, active KPIs with weights >= 15 summing to 100."""
        rng = self.rng
        fam = spec.roles[0].family
        n = rng.choices([2, 3, 4, 5], weights=[30, 52, 14, 4])[0]
        if spec.plan_type == "spif":
            n = 1
        pool_by_driver: dict[str, list[Kpi]] = self._pools
        chosen: list[Kpi] = []
        drivers = list(fam.drivers)
        needs_margin = any(d.startswith("discount") for r in spec.roles for d in r.family.decision_rights)
        if needs_margin:
            drivers = ["margin"] + [d for d in drivers if d != "margin"]
        tries = 0
        while len(chosen) < n and tries < 40:
            tries += 1
            d = drivers[len(chosen) % len(drivers)] if tries <= len(drivers) else rng.choice(drivers)
            cands = pool_by_driver.get(d, [])
            if fam.level == "individual" and spec.plan_type in ("sales-commission", "spif"):
                cands = [k for k in cands if k.measurable_at == "individual"] or cands
            if not cands:
                continue
            k = rng.choice(cands)
            if k not in chosen and all(k.id.split("-")[0] != c.id.split("-")[0] or k.unit != c.unit for c in chosen):
                chosen.append(k)
        n = len(chosen)
        weights = split_weights(rng, n, margin_first=needs_margin)
        comps = []
        for k, w in zip(chosen, weights):
            comps.append(dict(kpi=k, weight=w))
        return comps

    def _build_pools(self) -> None:
        pools: dict[str, list[Kpi]] = {}
        for k in self.kpis:
            if k.status != "active" or k.verification in ("self-reported", "estimate", "lab-test"):
                continue
            if k.paired_with:
                continue
            m = self.kpi_map(k)
            if m[0] in ("legacy", "unaligned"):
                continue
            for d in k.drivers:
                pools.setdefault(d, []).append(k)
        self._pools = pools
        self._legacy = [k for k in self.kpis if k.status == "active" and self.kpi_map(k) == ["legacy"]]

    def render_plan(self, spec: PlanSpec, pad_to: int, region_name: str) -> str:
        rng = self.rng
        role = spec.roles[0]
        fam = role.family
        region = spec.region
        cur = region[2]
        macro = region[4]
        seg = f" {role.segment[1]}" if role.segment else ""
        kind_word = {"sales-commission": "Commission Plan", "sales-bonus": "Bonus Plan", "annual-bonus": "Annual Bonus",
                     "mbo": "MBO Plan", "spif": "SPIF", "ltip": "LTIP"}[spec.plan_type]
        variant = rng.choice(["", "", "", " (H1 hires)", " - Strategic Verticals", " - Connected Fleet",
                              " - Installed Base", " - Key Accounts", " - Growth Territories"])
        title = f"{fam.name} {kind_word} {FY}{seg} {region_name}{variant}"
        owner = {"sales": f"vp-sales-{macro}", "inside-sales": f"vp-sales-{macro}",
                 "channel-sales": f"vp-sales-{macro}", "sales-engineering": f"vp-sales-{macro}",
                 "customer-success": "vp-customer-success", "field-service": "vp-service",
                 "service-operations": "vp-service", "marketing": "cmo", "finance": "cfo", "operations": "coo",
                 "manufacturing": "vp-manufacturing", "supply-chain": "vp-supply-chain"}[fam.function]
        comps = self.pick_components(spec)
        mistake = spec.mistake
        detail = None
        if mistake == "weights-95":
            if len(comps) < 2:
                mistake = spec.mistake = "missing-kpi"
            else:
                j = max(range(len(comps)), key=lambda i: comps[i]["weight"])
                comps[j]["weight"] -= 5
                detail = f"component weights sum to {sum(c['weight'] for c in comps)}"
        if mistake == "legacy-60":
            legacy = [k for k in self._legacy if fam.legacy_driver in k.drivers
                      and (k.measurable_at == "individual")] or self._legacy
            lk = rng.choice(legacy)
            rest = comps[:2] if len(comps) >= 2 else comps
            ws = [40] if len(rest) == 1 else [20, 20]
            comps = [dict(kpi=lk, weight=60)] + [dict(kpi=c["kpi"], weight=w) for c, w in zip(rest, ws)]
            detail = f"60% on legacy KPI {lk.id} ({', '.join(lk.drivers)})"
        missing_ref = None
        if mistake == "missing-kpi":
            j = rng.randrange(len(comps))
            good = comps[j]["kpi"].id
            missing_ref = typo(rng, good, self.kpi_by_id)
            comps[j]["missing"] = missing_ref
            detail = f"component refers to unknown KPI {missing_ref} (meant {good})"
        if mistake:
            self.mistakes.append(dict(file=spec.path, id=spec.id, mistake=mistake, detail=detail))

        # payout frequency: never more often than the slowest KPI refreshes
        slow = max(REFRESH_ORDER[c["kpi"].refresh] for c in comps)
        default = {"sales-commission": 1, "spif": 1, "sales-bonus": 3, "mbo": 6, "annual-bonus": 12}[spec.plan_type]
        freq = FREQ_BY_MONTHS[max(slow, default if spec.plan_type != "sales-commission" else rng.choice([1, 1, 3]))]
        period_months = REFRESH_ORDER[freq]
        variable = {"sales-commission": rng.choice([30, 35, 40, 40, 45, 50]), "spif": 0,
                    "sales-bonus": rng.choice([15, 20, 20, 25]), "mbo": rng.choice([8, 10, 12]),
                    "annual-bonus": rng.choice([15, 20, 25, 30])}[spec.plan_type]
        books = fam.function in ("sales", "inside-sales", "channel-sales", "customer-success") and \
            spec.plan_type in ("sales-commission", "spif", "sales-bonus")

        if spec.plan_type == "spif":
            eff_from, eff_to = f"{FY}-04-01", f"{FY}-06-30"
        elif "(H1 hires)" in title:
            eff_from, eff_to = f"{FY}-01-01", f"{FY}-06-30"
        else:
            eff_from, eff_to = f"{FY}-01-01", f"{FY}-12-31"
        reviewed = rng.choice([f"{FY - 1}-11-{rng.randint(1, 30):02d}", f"{FY - 1}-12-0{rng.randint(1, 5)}"])
        status = rng.choices(["active", "approved"], weights=[9, 1])[0]

        L = [f"# {title}",
             f"# {rng.choice(COMMENT_LINES)}",
             *self.header("IncentivePlan", spec.id, title, owner, status),
             f"plan_type: {spec.plan_type}"]
        L += wrap_flow_list("eligible_roles: ", [r.id for r in spec.roles], "  ")
        L += [f"effective: {{from: {eff_from}, to: {eff_to}}}",
              f"last_reviewed: {reviewed}",
              f"currency: {cur}"]
        if variable:
            L.append(f"pay_mix: {{base: {100 - variable}, variable: {variable}}}")
        if spec.plan_type == "annual-bonus":
            L.append(f"target_incentive: {{pct_of_base: {variable}}}")
        elif spec.plan_type == "spif":
            L.append(f"target_incentive: {int(round(role.base_salary * 0.03, -2))}")
        else:
            ti = role.base_salary * variable / (100 - variable)
            L.append(f"target_incentive: {int(round(ti, -2))}")
        L.append(f"payout_frequency: {freq}")
        if spec.plan_type == "annual-bonus" and fam.level == "manager" and rng.random() < 0.5:
            L += ["deferral:", "  pct: 25", "  months: 12"]
        needs_clawback = books or spec.plan_type in ("annual-bonus", "ltip")
        if needs_clawback:
            trig = ["customer-cancellation", "non-payment"] if books else ["restatement", "misconduct"]
            L += ["clawback:", f"  triggers: {flow(trig)}", f"  lookback_months: {rng.choice([6, 12, 12, 18])}"]
        else:
            L.append("clawback: none")
        uncapped = [False] * len(comps)
        if spec.plan_type == "sales-commission":
            uncapped = [rng.random() < 0.2 for _ in comps]
        if any(uncapped):
            above = int(round(role.base_salary * rng.choice([4, 5, 8]), -4))
            if rng.random() < 0.5:
                L += ["windfall_review:", f"  deal_value_above: {above}", f"  reviewed_by: {rng.choice(['cro', 'cfo'])}",
                      "  note: Large deals are reviewed by the deal desk before credit is released."]
            else:
                L.append(f"windfall_review: {q(f'Deals above {cur} {above:,} are reviewed by the CFO before credit')}")
        if books:
            offers = [o["id"] for o in self.offers if (set(o["sold_by"]) & {fam.function} or fam.function == "customer-success")
                      and o["status"] == "active"]
            strategic = [o for o in offers if o.startswith(("uptime-guarantee", "fleet-subscription"))]
            chosen = sorted(set(rng.sample(strategic, min(2, len(strategic))) +
                                rng.sample(offers, min(len(offers), rng.randint(1, 3)))),
                            key=offers.index)
            L += wrap_flow_list("credit_offers: ", chosen, "  ")
        if rng.random() < 0.8:
            L.append(f"communicated_on: {FY - 1}-12-{rng.randint(10, 20)}")
        if rng.random() < 0.9:      # participants (by role) have accepted the plan
            L += wrap_flow_list("acknowledged_by: ", [r.id for r in spec.roles], "  ")
        if rng.random() < 0.35:
            L.append(f"history: {{period: {FY - 1}, attainment_rate: {rng.randint(48, 78)}}}")
        code = f"{region[0][:2].upper()}{region[0].split('-')[-1][:2].upper()}-{spec.id[-5:]}-{FY % 100}"
        L += ["x-icm:", f"  plan_code: {code}", f"  template: {spec.plan_type}-v{rng.randint(2, 6)}",
              f"  statement_group: {macro}-{fam.function}"]
        if books and spec.plan_type != "spif" and rng.random() < 0.7:
            # territory codes the ICM system assigns credit by
            cc = region[0].split("-")[-1][:2]
            terr = [f"{cc}-{rng.choice(['n', 's', 'e', 'w', 'c'])}{rng.randint(1, 60):02d}-{rng.randint(100, 999)}"
                    for _ in range(rng.randint(4, 24))]
            L += wrap_flow_list("  territories: ", sorted(set(terr)), "    ", 100)
        if spec.plan_type != "spif" and rng.random() < 0.75:
            # the payout calendar: one line per payout period
            L.append("  payout_calendar:")
            months = REFRESH_ORDER[freq]
            start = int(eff_from[5:7])
            end = int(eff_to[5:7])
            for m in range(start + months - 1, end + 1, months):
                pm, py = (m % 12) + 1, FY + (m // 12)
                L.append(f"    - {{period_end: {FY}-{m:02d}-{MONTH_END[m]}, statement: {py}-{pm:02d}-10, "
                         f"pay_date: {py}-{pm:02d}-{rng.choice([15, 20, 25])}}}")

        # components
        L.append("components:")
        used_ids: set[str] = set()
        for idx, c in enumerate(comps):
            k: Kpi = c["kpi"]
            cid = short_id(k.id, used_ids)
            ctype = {"sales-commission": "commission", "spif": "commission", "mbo": "mbo"}.get(spec.plan_type, "bonus")
            mp = self.kpi_map(k)
            new_prio = any(p["change"] == "new" and p["id"] in mp for p in self.priorities)
            if new_prio:
                target = f"{{basis: strategy-target, value: {fmt_num(target_value(rng, k, 1.1, 1.6))}}}"
            elif mp == ["legacy"]:
                target = f"{{basis: last-year-actual, uplift_pct: {rng.choice([3, 5, 5, 8])}}}"
            else:
                up = rng.choice([2, 3, 4, 5, 6, 7.5])
                target = rng.choice([f"{{basis: last-year-actual, uplift_pct: {-up if k.direction == 'down' else up}}}",
                                     f"{{basis: market-potential, value: {fmt_num(target_value(rng, k, 1.05, 1.2))}}}"])
            threshold = rng.choice([50, 60, 70, 75, 80])
            excellence = rng.choice([120, 125, 130, 150])
            cap = "none" if uncapped[idx] else str(rng.choice([150, 175, 200, 200, 250]))
            if mistake == "legacy-60" and idx == 0:
                cap = "none"
            acc = None
            if spec.plan_type == "sales-commission" and rng.random() < 0.7:
                m1 = rng.choice([1.25, 1.5, 1.5, 2.0])
                acc = f"[{{from: 100, multiplier: {fmt_num(m1)}}}, {{from: 120, multiplier: {fmt_num(m1 + 0.5)}}}]"
            credit = None
            if books:
                credit = "outcome-verified" if "outcome-delivery" in k.drivers else \
                    ("booking" if k.unit == "currency" else rng.choice(["invoice", "cash"]))
            measured = k.measurable_at if MEASURE_ORDER[k.measurable_at] >= MEASURE_ORDER.get(
                "team" if fam.level == "manager" else "individual", 0) else ("team" if fam.level == "manager" else "individual")
            perf = 12 if spec.plan_type in ("annual-bonus",) else period_months
            kpi_ref = c.get("missing", k.id)
            comment = "   # moved from units in 2024" if rng.random() < 0.03 else ""
            if rng.random() < 0.3:       # compact flow-style component
                parts = [f"id: {cid}", f"kpi: {kpi_ref}", f"weight: {c['weight']}", f"type: {ctype}",
                         f"measured_at: {measured}", f"threshold: {threshold}", f"cap: {cap}"]
                if credit:
                    parts.append(f"credit_on: {credit}")
                parts.append(f"performance_period_months: {perf}")
                if acc:
                    parts.append(f"accelerators: {acc}")
                L += wrap_flow_map(parts, "  - ", "     ")
                if comment:
                    L[-1] += comment
                continue
            L += [f"  - id: {cid}",
                  f"    kpi: {kpi_ref}{comment}",
                  f"    weight: {c['weight']}",
                  f"    type: {ctype}",
                  f"    measured_at: {measured}",
                  f"    target: {target}",
                  f"    threshold: {threshold}",
                  f"    excellence: {excellence}",
                  f"    cap: {cap}"]
            if acc:
                L += ["    accelerators:"] + ["      - " + a.strip() for a in split_flow_seq(acc)]
            if credit:
                L.append(f"    credit_on: {credit}")
            L.append(f"    performance_period_months: {perf}")
            if len(mp) == 1 and mp[0].startswith("p-") and rng.random() < 0.15:
                L.append(f"    priority: {mp[0]}")
            if rng.random() < 0.6:
                why = RATIONALE.get(k.drivers[0], "Agreed with the function head.").format(year=FY)
                L += wrap(f"x-rationale: {q(why)}", "    ", 110) if len(why) < 90 else \
                    ["    x-rationale: >-"] + wrap(why, "      ")

        # padding: an x-description and the plan's terms, worded like real plan documents
        body = "\n".join(L) + "\n"
        need = pad_to - len(body.encode())
        if need > 150:
            tags = {"a"}
            if books:
                tags.add("s")
            if fam.function in ("field-service", "service-operations"):
                tags.add("f")
            if fam.level == "manager" or spec.plan_type == "annual-bonus":
                tags.add("m")
            if any(MEASURE_ORDER[c["kpi"].measurable_at] > 0 for c in comps):
                tags.add("t")
            text = self.plan_text(need, tags, fam.name.lower(), region_name, cur)
            i = body.index("plan_type:")      # after the header, as people put a summary first
            body = body[:i] + text + body[i:]
        return body

    def plan_text(self, nbytes: int, tags: set[str], role: str, region: str, cur: str) -> str:
        """~nbytes of `x-description` (a paragraph or two) and `x-terms` (a list of clauses)."""
        rng = self.rng
        pool = [t for tag, t in SENTENCES if tag in tags]
        rng.shuffle(pool)
        sents = [t.format(role=role + "s", region=region, currency=cur, year=FY) for t in pool]
        lines = ["x-description: >-"]
        budget = nbytes * rng.uniform(0.35, 0.6)
        size, i, para = 20, 0, []
        while size < budget and i < len(sents):
            para.append(sents[i])
            size += len(sents[i]) + 3
            i += 1
            if len(para) == 3:
                if len(lines) > 1:
                    lines.append("")
                lines += wrap(" ".join(para), "  ")
                para = []
        if para:
            if len(lines) > 1:
                lines.append("")
            lines += wrap(" ".join(para), "  ")
        if size < nbytes - 60:
            lines.append("x-terms:")
            size += 9
            n = 0
            while size < nbytes - 40:
                t = sents[i % len(sents)] if i < len(sents) else f"{sents[i % len(sents)]} (clause {n + 1})"
                i += 1
                n += 1
                block = wrap(t, "    ", 100)
                block[0] = "  - " + block[0][4:]
                lines += block
                size += len(t) + 8
        return "\n".join(lines) + "\n"

    def render_exec_plans(self) -> None:
        execs = [e[0] for e in EXEC_ROLES]
        p_top = self.priorities[0]["id"]
        L = ["# Executive annual bonus. Approved by the remuneration committee on 2024-12-10.",
             "# Half of the bonus is deferred into shares for two years (UK/DE code practice).",
             *self.header("IncentivePlan", "ip-exec-2025", f"Executive Annual Bonus {FY}", "board-remco", "active"),
             "plan_type: annual-bonus"]
        L += wrap_flow_list("eligible_roles: ", execs, "  ")
        L += [f"effective: {{from: {FY}-01-01, to: {FY}-12-31}}",
              f"last_reviewed: {FY - 1}-12-10",
              "currency: EUR",
              "pay_mix: {base: 55, variable: 45}",
              "target_incentive: {pct_of_base: 80}",
              "payout_frequency: annual",
              "deferral: {pct: 50, months: 24}",
              "clawback: {triggers: [restatement, misconduct], lookback_months: 36}",
              "acknowledged_by: [ceo, cfo, coo, cro, vp-sales, vp-service, vp-customer-success]",
              "components:",
              "  - {id: uptime-acv, kpi: uptime-contract-acv, weight: 35, type: bonus, measured_at: company,",
              f"     threshold: 70, cap: 200, performance_period_months: 12, priority: {p_top}}}",
              "  - {id: nrr, kpi: net-revenue-retention, weight: 25, type: bonus, measured_at: company, threshold: 80,",
              "     cap: 200, performance_period_months: 12}",
              "  - {id: ebit, kpi: ebit, weight: 25, type: bonus, measured_at: company, threshold: 85, cap: 200,",
              "     performance_period_months: 12}",
              "  - {id: safety, kpi: safety-incident-rate, weight: 15, type: bonus, measured_at: company, threshold: 80,",
              "     cap: 150, performance_period_months: 12}"]
        self.outputs["plans/global/plan-exec-2025.yaml"] = "\n".join(L) + "\n"
        L = ["# Long-term incentive 2025-2027: performance shares, three-year performance period, two-year holding.",
             *self.header("IncentivePlan", "ip-ltip-2025-2027", "Long-Term Incentive Plan 2025-2027", "board-remco", "active"),
             "plan_type: ltip",
             "eligible_roles: [ceo, cfo, coo, cro]",
             f"effective: {{from: {FY}-01-01, to: {FY + 2}-12-31}}",
             f"last_reviewed: {FY - 1}-12-10",
             "currency: EUR",
             "target_incentive: {pct_of_base: 120}",
             "payout_frequency: annual",
             "deferral: {pct: 100, months: 24}          # holding period after vesting",
             "clawback:",
             "  triggers: [restatement, misconduct, material-risk-failure]",
             "  lookback_months: 60",
             "acknowledged_by: [ceo, cfo, coo, cro]",
             "components:",
             "  - id: recurring-share",
             "    kpi: subscription-arr",
             "    weight: 40",
             "    type: bonus",
             "    measured_at: company",
             f"    target: {{basis: strategy-target, value: 250000000}}",
             "    threshold: 50",
             "    cap: 200",
             "    performance_period_months: 36",
             "  - {id: roce, kpi: roce, weight: 30, type: bonus, measured_at: company, threshold: 50, cap: 200,",
             "     performance_period_months: 36}",
             "  - {id: tsr, kpi: total-shareholder-return, weight: 30, type: bonus, measured_at: company, threshold: 50,",
             "     cap: 200, performance_period_months: 36}"]
        self.outputs["plans/global/plan-ltip-2025-2027.yaml"] = "\n".join(L) + "\n"

    # ---- driver --------------------------------------------------------------------------

    def run(self) -> dict[str, str]:
        self._build_pools()
        # fixed files (strategy, kpis, offers, budget, objectives, global plans, org) count first
        self.outputs["strategy/strategy.yaml"] = self.render_strategy()
        self.render_kpi_catalogs()
        self.render_offers()
        self.render_budget()
        self.render_rates()
        self.render_objectives()
        self.render_exec_plans()
        n_fixed = len(self.outputs) + 1 + len(self.regions)       # + org.yaml + roles-<region>.yaml
        n_plans = max(1, self.files - n_fixed)
        specs = self.plan_specs(n_plans)
        for s in specs:
            for r in s.roles:
                r.plans.append(s.id)
            if s.extra_doc:
                for r in s.extra_doc.roles:
                    r.plans.append(s.extra_doc.id)
        self.render_org()
        fixed_bytes = sum(len(t.encode()) for t in self.outputs.values())
        budget = self.avg_bytes * self.files - fixed_bytes
        per_plan = max(1500, budget // n_plans)
        written = 0
        region_names = {r[0]: r[1] for r in self.regions}
        for i, s in enumerate(specs):
            expected = per_plan * i
            correction = max(-per_plan // 2, min(per_plan // 2, expected - written))
            pad_to = int(per_plan * self.rng.uniform(0.7, 1.3)) + correction
            text = self.render_plan(s, pad_to, region_names[s.region[0]])
            if s.extra_doc:
                text += "---\n" + self.render_plan(s.extra_doc, 1200, region_names[s.region[0]])
            self.outputs[s.path] = text
            written += len(text.encode())
        return self.outputs


# ---------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------

def split_weights(rng: random.Random, n: int, margin_first: bool = False) -> list[int]:
    """n integer weights, each >= 15 and a multiple of 5, summing to 100 (largest first)."""
    if n == 1:
        return [100]
    while True:
        raw = [rng.uniform(1, 3) for _ in range(n)]
        tot = sum(raw)
        w = [max(15, int(round(x / tot * 20)) * 5) for x in raw]
        diff = 100 - sum(w)
        w[0] += diff
        if all(15 <= x <= 60 for x in w):
            w.sort(reverse=True)
            if margin_first:      # put the margin component (first) at >= 30
                if w[0] < 30:
                    continue
            return w


def kr_target(k: Kpi, f: float) -> float:
    v = k.baseline * (f if k.direction == "up" else 1 / f)
    if k.unit == "percent":
        v = min(v, 99.5)
    return round(v, -3) if k.unit == "currency" else round(v, 1)


def target_value(rng: random.Random, k: Kpi, lo: float, hi: float) -> float:
    """A plausible target per payee: better than baseline in the KPI's direction, percent <= 99.5."""
    f = rng.uniform(lo, hi)
    v = k.baseline * (f if k.direction == "up" else 1 / f)
    if k.unit == "percent":
        v = min(v, 99.5)
    if k.unit == "currency":
        return round(v / 40, -3) or 1000.0        # per payee, not the company total
    return round(v, 1)


_STOP = {"on", "to", "per", "of", "in", "and", "the", "for"}


def short_id(kpi_id: str, used: set[str]) -> str:
    parts = kpi_id.split("-")
    n = 2
    while n < len(parts) and (parts[n - 1] in _STOP or len("-".join(parts[:n])) < 6):
        n += 1
    cid = "-".join(parts[:n])
    base, i = cid, 2
    while cid in used:
        cid = f"{base}-{i}"
        i += 1
    used.add(cid)
    return cid


def typo(rng: random.Random, kpi_id: str, known: dict) -> str:
    """A plausible wrong reference: a stale name, a missing letter, a plural."""
    for _ in range(10):
        how = rng.choice(["drop", "suffix", "plural", "swap"])
        if how == "drop":
            i = rng.randrange(1, len(kpi_id) - 1)
            cand = kpi_id[:i] + kpi_id[i + 1:] if kpi_id[i] != "-" else kpi_id + "-v2"
        elif how == "suffix":
            cand = kpi_id + rng.choice(["-v2", "-2024", "-total", "-eur"])
        elif how == "plural":
            cand = kpi_id + "s" if not kpi_id.endswith("s") else kpi_id[:-1]
        else:
            parts = kpi_id.split("-")
            cand = "-".join(parts[::-1]) if len(parts) > 1 else kpi_id + "-new"
        cand = cand.strip("-").replace("--", "-")
        if cand not in known and cand != kpi_id:
            return cand
    return kpi_id + "-legacy-name"


def wrap_flow_list(prefix: str, items: list[str], cont: str, width: int = 100) -> list[str]:
    """`key: [a, b, c]` wrapped over several lines when long."""
    if not items:
        return [prefix + "[]"]
    lines: list[str] = []
    cur = prefix + "["
    for i, it in enumerate(items):
        piece = it + (", " if i < len(items) - 1 else "]")
        if len(cur) + len(piece) > width and not cur.endswith("["):
            lines.append(cur.rstrip())
            cur = cont
        cur += piece
    lines.append(cur)
    return lines


def wrap_flow_map(parts: list[str], first: str, cont: str, width: int = 110) -> list[str]:
    """`- {a: 1, b: 2}` wrapped over several lines when long."""
    lines: list[str] = []
    cur = first + "{"
    for i, p in enumerate(parts):
        piece = p + (", " if i < len(parts) - 1 else "}")
        if len(cur) + len(piece) > width and not cur.endswith("{"):
            lines.append(cur.rstrip())
            cur = cont
        cur += piece
    lines.append(cur)
    return lines


def split_flow_seq(text: str) -> list[str]:
    """'[{a}, {b}]' -> ['{a}', '{b}'] for the simple maps we generate."""
    inner = text.strip()[1:-1]
    out, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(inner[start:i])
            start = i + 1
    out.append(inner[start:])
    return [o.strip() for o in out]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, required=True, help="number of YAML files to write (about)")
    ap.add_argument("--out", type=Path, required=True, help="output directory (replaced if it exists)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--avg-bytes", type=int, default=AVG_BYTES, help="average file size (default %(default)s)")
    ap.add_argument("--mistake-rate", type=float, default=0.025,
                    help="share of plans with a deliberate mistake (default %(default)s)")
    ap.add_argument("--manifest", type=Path, help="write the deliberate mistakes here as JSON")
    ap.add_argument("--force", action="store_true", help="replace a non-empty --out that is not a corpus")
    args = ap.parse_args(argv)
    if args.files < 40:
        ap.error("--files must be at least 40 (the reference documents alone take about 25)")

    t0 = time.perf_counter()
    gen = Generator(args.files, args.seed, args.avg_bytes, args.mistake_rate)
    outputs = gen.run()

    out: Path = args.out
    if out.exists() and any(out.iterdir()):
        if not (out / "strategy" / "strategy.yaml").exists() and not args.force:
            ap.error(f"{out} is not empty and does not look like a generated corpus; use --force")
        shutil.rmtree(out)
    total = 0
    made: set[Path] = set()
    for rel, text in outputs.items():
        p = out / rel
        if p.parent not in made:
            p.parent.mkdir(parents=True, exist_ok=True)
            made.add(p.parent)
        data = text.encode()
        with open(p, "wb") as fh:
            fh.write(data)
        total += len(data)
    # The corpus is a repository of its own: a configuration file makes its folder the root of a
    # run (paths relative to it, the project's own configuration not applied).
    (out / ".incentive-lint.yaml").write_text("# the benchmark corpus: its folder is the root of a run\n{}\n",
                                              encoding="utf-8")
    if args.manifest:
        args.manifest.parent.mkdir(parents=True, exist_ok=True)
        args.manifest.write_text(json.dumps({"seed": args.seed, "files": len(outputs), "bytes": total,
                                             "mistakes": gen.mistakes}, indent=1) + "\n")
    dt = time.perf_counter() - t0
    n_plans = sum(1 for r in outputs if r.startswith("plans/"))
    print(f"wrote {len(outputs)} files, {total / 1e6:.2f} MB ({total / len(outputs):.0f} B/file) to {out} "
          f"in {dt:.2f} s: {len(gen.kpis)} KPIs, {len(gen.roles) + len(EXEC_ROLES)} roles, "
          f"{n_plans} plan files, {len(gen.mistakes)} deliberate mistakes (seed {args.seed})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
