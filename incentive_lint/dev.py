"""Developer commands, kept out of the user's CLI: ``python -m incentive_lint.dev new-rule FAMILY SLUG``.

``new-rule`` scaffolds a rule in the three places a rule lives: its folder in ``rules/``
(``rule.yaml`` with a bad and a good example), one check function in the family's module
under ``incentive_lint/checks/``, and one line in that module's ``FUNCTIONS`` mapping. The
function it writes finds nothing, so the bad example's ``# expect:`` line fails the test
suite until the check is written.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: family -> (code prefix, the checks module that holds its functions by default)
FAMILIES: dict[str, tuple[str, str]] = {
    "clarity": ("CL", "clarity"),
    "capability": ("CA", "capability"),
    "engagement": ("EN", "engagement"),
    "input": ("IN", "structure"),
}

SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

RULE_YAML = """\
slug: {slug}
code: {code}
family: {family}
severity: warning
summary: TODO one sentence a compensation analyst understands, saying what is wrong.
why: >-
  TODO why this matters for paying people for the strategy, with the source.
fix: >-
  TODO what to change in which document.
sources: []
message: "TODO '{{id}}' ..."
check:
  function: {slug}
  options: {{}}
options_schema:
  type: object
  additionalProperties: false
  properties: {{}}
"""

BAD_YAML = """\
# TODO: a small repository where the rule must fire; mark each line that must fire.
kind: Strategy
schema: incentive-lint/v1
id: strategy-2025
title: TODO
status: approved
effective: {{from: 2025-01-01, to: 2027-12-31}}
priorities:
  - id: p-one   # expect: {slug}
    title: TODO
    weight: 100
"""

GOOD_YAML = """\
# TODO: the same repository, done right: the rule must stay silent.
kind: Strategy
schema: incentive-lint/v1
id: strategy-2025
title: TODO
status: approved
effective: {from: 2025-01-01, to: 2027-12-31}
priorities:
  - id: p-one
    title: TODO
    weight: 100
"""

FUNCTION = '''

def {name}(model: Model, options: Mapping[str, Any]) -> Iterator[Hit]:
    """TODO: the rule's condition in one sentence."""
    yield from ()
'''


def next_code(prefix: str, catalog: Path) -> str:
    """The first unused code of a family (CL16 after CL15)."""
    used = {int(m.group(1)) for path in catalog.glob("*/*/rule.yaml")
            for m in [re.search(rf"^code:\s*{prefix}(\d+)\s*$", path.read_text(encoding="utf-8"), re.M)] if m}
    return f"{prefix}{max(used, default=0) + 1:02d}"


def new_rule(family: str, slug: str, root: Path = ROOT, module: str | None = None) -> list[Path]:
    """Write the rule's folder, its examples and its function; return the files written or changed."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family '{family}'; choose one of {', '.join(FAMILIES)}.")
    if not SLUG.match(slug):
        raise ValueError(f"'{slug}' is not a slug: use lower-case words joined by hyphens, e.g. 'bonus-without-cap'.")
    catalog = root / "rules"
    folder = catalog / family / slug
    if folder.exists() or any(catalog.glob(f"*/{slug}")):
        raise ValueError(f"a rule '{slug}' already exists in {catalog}.")
    prefix, default_module = FAMILIES[family]
    checks = root / "incentive_lint" / "checks" / f"{module or default_module}.py"
    if not checks.is_file():
        raise ValueError(f"no check module {checks}; give an existing one with --module.")
    source = checks.read_text(encoding="utf-8")
    marker = "FUNCTIONS: dict[str, CheckFunction] = {\n"
    if marker not in source:
        raise ValueError(f"{checks} has no '{marker.strip()}' mapping to add the function to.")
    name = slug.replace("-", "_")
    if re.search(rf"^def {name}\(", source, re.M):
        raise ValueError(f"{checks} already defines {name}().")
    head, tail = source.split(marker, 1)
    end = tail.index("}\n")
    tail = tail[:end] + f'    "{slug}": {name},\n' + tail[end:]
    checks.write_text(head.rstrip("\n") + "\n" + FUNCTION.format(name=name) + "\n\n" + marker + tail,
                      encoding="utf-8")
    (folder / "examples").mkdir(parents=True)
    written = {folder / "rule.yaml": RULE_YAML.format(slug=slug, code=next_code(prefix, catalog), family=family),
               folder / "examples" / "bad.yaml": BAD_YAML.format(slug=slug),
               folder / "examples" / "good.yaml": GOOD_YAML}
    for path, text in written.items():
        path.write_text(text, encoding="utf-8")
    return [*written, checks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m incentive_lint.dev", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("new-rule", help="scaffold a rule: folder, examples, function, registry line")
    add.add_argument("family", choices=sorted(FAMILIES))
    add.add_argument("slug")
    add.add_argument("--module", help="the checks module to put the function in (default: the family's)")
    args = parser.parse_args(argv)
    try:
        paths = new_rule(args.family, args.slug, module=args.module)
    except ValueError as exc:
        print(f"new-rule: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"wrote {path.relative_to(ROOT).as_posix()}")
    print("next: write the check and the examples, then run 'python -m pytest tests/test_rule_examples.py' and "
          "regenerate the catalog page with 'incentive-lint rules --format markdown > docs/rules.md'.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
