"""A corpus of hostile and broken inputs for the loader, with the finding each must give.

Each case: a file name, its bytes, and the set of (rule, line) the reading stage must
report (schema findings are not listed: they depend on the document, not the input).
"""
from __future__ import annotations

import dataclasses

from dataclasses import dataclass

PLAN = """kind: IncentivePlan
schema: incentive-lint/v1
id: ip-test
"""


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: frozenset[tuple[str, int]]
    #: another accepted outcome, where the YAML library's version decides which reading rule speaks
    instead: frozenset[tuple[str, int]] | None = None

    def accepts(self, found: set[tuple[str, int]]) -> bool:
        return found == set(self.expect) or (self.instead is not None and found == set(self.instead))


def case(name: str, text: str | bytes, *expect: tuple[str, int]) -> Case:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return Case(name, data, frozenset(expect))


BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
) + "\n"

DEEP_BLOCK = "".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "leaf: 1\n"

CASES: list[Case] = [
    case("tab-indent.yaml", PLAN + "components:\n\t- id: a\n", ("yaml-syntax", 5)),
    case("unclosed-flow.yaml", PLAN + "eligible_roles: [a, b\nowner: x\n", ("yaml-syntax", 5)),
    case("unclosed-quote.yaml", PLAN + 'title: "Account plan\n', ("yaml-syntax", 4)),
    case("bad-indent.yaml", PLAN + "effective:\n  from: 2025-01-01\n to: 2025-12-31\n", ("yaml-syntax", 6)),
    case("colon-in-value.yaml", PLAN + "title: Plan: sales: 2025\n", ("yaml-syntax", 4)),
    case("undefined-alias.yaml", PLAN + "owner: *nobody\n", ("yaml-syntax", 4)),
    case("control-char.yaml", PLAN + "title: bell\x07here\n", ("yaml-syntax", 4)),
    case("nul-byte.yaml", PLAN + "title: a\x00b\n", ("yaml-syntax", 4)),
    case("duplicate-top.yaml", PLAN + "owner: vp-sales\nowner: cfo\n", ("duplicate-key", 5)),
    case("duplicate-nested.yaml", PLAN + "components:\n  - id: a\n    weight: 60\n    weight: 40\n",
         ("duplicate-key", 7)),
    case("duplicate-flow.yaml", PLAN + "pay_mix: {base: 60, base: 40}\n", ("duplicate-key", 4)),
    case("norway-no.yaml", PLAN + "title: no\n", ("ambiguous-value", 4)),
    case("norway-on.yaml", PLAN + "title: On\n", ("ambiguous-value", 4)),
    case("norway-yes.yaml", PLAN + "currency: YES\n", ("ambiguous-value", 4)),
    case("norway-off.yaml", PLAN + "title: off\n", ("ambiguous-value", 4)),
    case("sexagesimal.yaml", PLAN + "title: 1:30\n", ("ambiguous-value", 4)),
    case("octal.yaml", PLAN + "title: 010\n", ("ambiguous-value", 4)),
    case("underscore-number.yaml", PLAN + "title: 1_000\n", ("ambiguous-value", 4)),
    case("latin1.yaml", PLAN.encode() + "title: Prämie\n".encode("latin-1"), ("not-utf8", 4)),
    case("utf16.yaml", "kind: Org\n".encode("utf-16"), ("not-utf8", 1)),
    case("stray-byte.yaml", PLAN.encode() + b"owner: a\xffb\n", ("not-utf8", 4)),
    case("impossible-date.yaml", PLAN + "last_reviewed: 2025-02-30\n", ("invalid-value", 4)),
    case("month-13.yaml", PLAN + "last_reviewed: 2025-13-01\n", ("invalid-value", 4)),
    case("not-leap.yaml", PLAN + "effective: {from: 2025-02-29}\n", ("invalid-value", 4)),
    case("huge-int.yaml", PLAN + "target_incentive: " + "9" * 400 + "\n", ("invalid-value", 4)),
    case("nan.yaml", PLAN + "target_incentive: .nan\n", ("invalid-value", 4)),
    case("inf.yaml", PLAN + "target_incentive: .inf\n", ("invalid-value", 4)),
    case("minus-inf.yaml", PLAN + "components:\n  - {id: a, kpi: k, weight: -.inf}\n", ("invalid-value", 5)),
    case("bad-int-tag.yaml", PLAN + "target_incentive: !!int abc\n", ("invalid-value", 4)),
    case("complex-key.yaml", PLAN + "? [a, b]\n: 1\n", ("invalid-value", 4)),
    case("merge-scalar.yaml", PLAN + "pay_mix:\n  <<: 5\n", ("invalid-value", 5)),
    case("python-apply.yaml", PLAN + "title: !!python/object/apply:os.system ['echo pwned']\n",
         ("unsupported-tag", 4)),
    case("python-name.yaml", PLAN + "title: !!python/name:os.system\n", ("unsupported-tag", 4)),
    case("custom-tag.yaml", PLAN + "owner: !Ref vp-sales\n", ("unsupported-tag", 4)),
    case("binary-tag.yaml", PLAN + "title: !!binary aGVsbG8=\n", ("unsupported-tag", 4)),
    case("set-tag.yaml", PLAN + "eligible_roles: !!set {a, b}\n", ("unsupported-tag", 4)),
    case("billion-laughs.yaml", BOMB, ("too-complex", 5)),
    case("recursive-alias.yaml", PLAN + "owner: &a [*a]\n", ("too-complex", 4)),
    # Older libyaml builds stop at 1,000 levels of nesting (a syntax error); newer builds
    # compose the tree and the loader's own depth limit reports it.
    dataclasses.replace(case("deep-flow.yaml", PLAN + "title: " + "[" * 5000 + "]" * 5000 + "\n", ("yaml-syntax", 4)),
                        instead=frozenset({("too-complex", 4)})),
    case("deep-block.yaml", DEEP_BLOCK, ("too-complex", 102)),
    case("cr-only-lines.yaml", "kind: Org\rschema: incentive-lint/v1\rid: o\rjurisdiction: no\r",
         ("ambiguous-value", 1)),
    case("line-separator.yaml", PLAN + "title: \"a\u2028b\u2029c\"\nowner: no\n", ("ambiguous-value", 5)),
    case("unknown-kind.yaml", PLAN.replace("IncentivePlan", "IncentivPlan"), ("unknown-kind", 1)),
    case("two-docs-one-broken.yaml", PLAN + "title: [\n---\n" + PLAN + "title: x\ntitle: y\n",
         ("yaml-syntax", 5), ("duplicate-key", 10)),
    # Inputs that must load cleanly.
    case("empty.yaml", ""),
    case("only-comments.yaml", "# nothing here\n# at all\n"),
    case("top-level-list.yaml", "- a\n- b\n"),
    case("ci-config.yaml", "stages: [test]\ntest:\n  script: [pytest]\non: push\n"),
    case("bom.yaml", b"\xef\xbb\xbf" + PLAN.encode()),
    case("long-line.yaml", PLAN + "title: " + "x" * 1_000_000 + "\n"),
    case("anchors-merge.yaml", PLAN + "defaults: &d {cap: 150}\ncomponents:\n  - <<: *d\n    id: a\n"),
    case("explicit-str.yaml", PLAN + "title: !!str 010\n"),
    case("many-docs.yaml", "---\nx: 1\n" * 5000),
]
