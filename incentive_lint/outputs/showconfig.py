"""``check --show-config``: every rule's effective setting and where each value comes from.

Sources are ``default`` (the rule's own ``rule.yaml``), ``extends: strict (file:line)`` or
``file:line (the key that set it)``. The text form is valid YAML with the sources as
comments; ``--format json`` gives the same as JSON. Values, keys and file names come from
the repository, so each piece is printed through ``base.escape`` (``visible``/``json_safe``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from incentive_lint.base.escape import json_safe, visible

from incentive_lint.settings.catalog import load_catalog
from incentive_lint.settings.config import discover as discover_config
from incentive_lint.settings.config import load as load_config
from incentive_lint.settings.config import settings as rule_settings
from incentive_lint.run import LintOptions


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).strip()
    return text[:-4].rstrip() if text.endswith("\n...") else text.removesuffix("...").strip()


def effective(options: LintOptions) -> dict[str, Any]:
    """The effective configuration as data: top-level settings and every rule."""
    from incentive_lint.gate.exceptions import REGISTER_NAME, register_path

    cwd = options.cwd or Path.cwd()
    config_path = options.config
    if config_path is None and options.use_config:
        config_path = discover_config(cwd / options.paths[0] if options.paths else cwd)
    config = load_config(config_path, cwd)
    catalog = load_catalog(cwd, config.rule_paths())
    settings = rule_settings(config, catalog)
    raw = config.raw

    def top(key: str, default: Any) -> dict[str, Any]:
        if key in raw:
            return {"value": raw[key], "source": config.line_of(key)}
        return {"value": default, "source": "default"}

    register, _ = register_path(config, options)
    if "exceptions" in raw:
        exceptions = top("exceptions", None)
    else:
        exceptions = {"value": REGISTER_NAME, "source": "default" + ("" if register else " (no such file)")}
    rules: dict[str, Any] = {}
    for spec in catalog.sorted():
        s = settings[spec.slug]
        src = s.sources
        entry: dict[str, Any] = {
            "code": spec.code, "family": spec.family,
            "enabled": {"value": s.enabled, "source": src.get("enabled", "default")},
            "severity": {"value": s.severity.label, "source": src.get("severity", "default")},
            "options": {k: {"value": v, "source": src.get(f"options.{k}", "default")}
                        for k, v in sorted(s.options.items())},
        }
        if s.ignore_paths:
            entry["ignore_paths"] = {"value": list(s.ignore_paths), "source": src.get("ignore_paths", "")}
        rules[spec.slug] = entry
    return {
        "config_file": config.display or None,
        "extends": top("extends", "recommended"),
        "assume_rollover": top("assume_rollover", True),
        "exceptions": exceptions,
        "rule_paths": top("rule_paths", []),
        "rules": rules,
    }


def show_config(options: LintOptions, fmt: str = "text") -> str:
    data = effective(options)
    if fmt == "json":
        return json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=str)) + "\n"
    lines: list[tuple[str, str]] = []
    for key in ("extends", "assume_rollover", "exceptions", "rule_paths"):
        lines.append((f"{key}: {_scalar(data[key]['value'])}", data[key]["source"]))
    lines.append(("rules:", ""))
    for slug, rule in data["rules"].items():
        lines.append((f"  {slug}:", f"{rule['code']}, {rule['family']}"))
        lines.append((f"    enabled: {_scalar(rule['enabled']['value'])}", rule["enabled"]["source"]))
        lines.append((f"    severity: {rule['severity']['value']}", rule["severity"]["source"]))
        if rule["options"]:
            lines.append(("    options:", ""))
            for name, option in rule["options"].items():
                lines.append((f"      {_scalar(name)}: {_scalar(option['value'])}", option["source"]))
        if "ignore_paths" in rule:
            lines.append((f"    ignore_paths: {_scalar(rule['ignore_paths']['value'])}",
                          rule["ignore_paths"]["source"]))
    lines = [(visible(text), visible(source)) for text, source in lines]
    width = min(60, max(len(text) for text, _ in lines) + 2)
    config = visible(data["config_file"] or "none found, built-in defaults")
    out = [f"# Effective configuration of incentive-lint (configuration file: {config}).",
           "# After each value: where it comes from (default = the rule's own rule.yaml)."]
    for text, source in lines:
        out.append(f"{text.ljust(width)}# {source}" if source else text)
    return "\n".join(out) + "\n"
