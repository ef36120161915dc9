"""A rule's documentation page, assembled from its ``rule.yaml`` and examples."""
from __future__ import annotations

from pathlib import Path

from .resources import catalog_dir
from .rulespec import RuleSpec


def example_files(spec: RuleSpec) -> list[Path]:
    folder = catalog_dir() / spec.family / spec.slug / "examples"
    if not folder.is_dir():
        folder = Path(spec.folder) / "examples"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def explain_text(spec: RuleSpec) -> str:
    lines = [f"{spec.slug} ({spec.code}, {spec.family}, default severity: {spec.severity.label})", "",
             "Summary", f"  {spec.summary}", "", "Why it matters"]
    lines += [f"  {line}" for line in spec.why.splitlines()]
    if spec.sources:
        lines.append(f"  Sources: {', '.join(spec.sources)}")
    lines += ["", "How to fix"] + [f"  {line}" for line in spec.fix.splitlines()]
    if spec.options:
        lines += ["", "Options (set them under rules: in .incentive-lint.yaml)"]
        props = spec.options_schema.get("properties") or {}
        for name, default in sorted(spec.options.items()):
            desc = (props.get(name) or {}).get("description", "")
            lines.append(f"  {name}: {default}    {desc}".rstrip())
    lines += ["", "Message", f"  {spec.message}"]
    for path in example_files(spec):
        label = "Bad example" if path.name.startswith("bad") else "Good example"
        lines += ["", f"{label} ({path.name})", ""]
        lines += [f"    {line}" for line in path.read_text(encoding="utf-8").splitlines()]
    return "\n".join(lines) + "\n"
