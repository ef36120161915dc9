"""The findings of the plan-by-plan rules (``scope: plan``), kept per plan between runs, so that
after one plan is edited those rules run for that plan only.

A rule of ``scope: plan`` looks at one plan at a time, with the documents that are not plans
(see ``Model.focused``). Its findings on a plan therefore follow from three things: that plan's
document, those other documents, and the few facts a plan's check reads about the repository as
a whole (which plans are in force and for which roles, the reporting currency, the ids of every
plan and component). The entry's key is a digest of everything but the plans' own documents
(:func:`context_key`); inside it, each plan's findings are kept under the key of the file that
holds the plan. A plan whose file changed, or that is new, is checked again; every other plan's
findings are read back.

Conservative by design: a rule that gave a finding that sits on no plan (as
``no-participation-record`` does for objectives) is run for every plan the next time; the memo is not used
at all when a document failed validation or an id is defined twice (findings are then held back
across files). A rule a run did not run for every changed plan (turned off, or run by a
pre-commit run for its own plans only) is not stored by it.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from incentive_lint.base.findings import Finding
from incentive_lint.engine.cache import Cache, digest
from incentive_lint.engine.result_codec import FileTable, from_record, strict_dumps, to_record

#: bumped when the entry's layout changes
LAYOUT = 1


def context_key(parts: Iterable[str | bytes]) -> str:
    """The entry's key: a digest of what, beside a plan's own document, its findings depend on."""
    return digest("plan-memo", str(LAYOUT), *parts)


class PlanMemo:
    """One run's use of the memo: which plans are checked again, their findings, and the rest's."""

    def __init__(self, store: Cache, key: str, plan_keys: Mapping[str, str | None]) -> None:
        self.store, self.key = store, key
        #: plan id -> key of the file and document that hold it (None: not cacheable, always checked)
        self.plan_keys = dict(plan_keys)
        entry = store.get("plans", key, _decode)
        old_plans: dict[str, str] = entry[0] if entry is not None else {}
        #: rule slug -> plan id -> its findings, for the plans whose document is unchanged
        self._found: dict[str, dict[str, list[Finding]]] = {}
        #: rules run for every plan (the last run gave a finding on no plan), and those this run's did
        self._whole_before: set[str] = set(entry[2]) if entry is not None else set()
        self._whole: set[str] = set()
        self._known: set[str] = set(entry[1]) if entry is not None else set()
        clean = {p for p, k in self.plan_keys.items() if k is not None and old_plans.get(p) == k}
        self.clean = frozenset(clean)
        #: the plans the memoised rules check this run
        self.dirty = frozenset(set(self.plan_keys) - clean)
        if entry is not None:
            for slug, by_plan in entry[3].items():
                self._found[slug] = {p: found for p, found in by_plan.items() if p in clean}
        self._new: dict[str, dict[str, list[Finding]]] = {}
        #: the rules that ran this run through the memo: only theirs is complete for every plan
        self._ran: set[str] = set()
        self._changed = entry is None or bool(self.dirty)

    def cached(self, slug: str) -> list[Finding] | None:
        """The stored findings of ``slug`` on the unchanged plans, or None when the rule is to run
        for every plan (never run with this context, or not memoisable)."""
        if slug in self._whole_before or slug not in self._known:
            return None
        return [f for found in self._found.get(slug, {}).values() for f in found]

    def record(self, slug: str, plan: str | None, finding: Finding) -> None:
        """A finding the rule made this run; ``plan`` None: it sits on no plan (the rule is then run
        whole from now on)."""
        self._changed = True
        if plan is None or plan not in self.plan_keys:
            self._whole.add(slug)
            return
        self._new.setdefault(slug, {}).setdefault(plan, []).append(finding)

    def ran(self, slug: str, whole: bool) -> None:
        """The rule ran (for every plan when ``whole``, else for the dirty ones) and each of its
        findings was recorded. A rule that did not (turned off, or run for some plans only by a
        pre-commit run) is not stored: its findings on the dirty plans are not known."""
        if whole and slug not in self._known:
            self._changed = True
        self._ran.add(slug)

    def save(self) -> None:
        """Store the findings of every plan for the next run. Nothing when nothing changed: no plan
        is dirty, so what is stored still holds for every plan, even of a rule that did not run."""
        if not self._changed:
            return
        found: dict[str, dict[str, list[Finding]]] = {}
        for slug in self._ran - self._whole:
            merged = {p: list(fs) for p, fs in self._found.get(slug, {}).items()}
            for p, fs in self._new.get(slug, {}).items():
                merged[p] = fs
            found[slug] = merged
        plans = {p: k for p, k in self.plan_keys.items() if k is not None}
        try:
            payload = _encode(plans, sorted(self._ran), sorted(self._whole), found)
        except (ValueError, TypeError, RecursionError):
            return  # a finding JSON cannot hold exactly: checked whole next time
        self.store.put_encoded("plans", self.key, payload)


def _encode(plans: dict[str, str], known: list[str], whole: list[str],
            found: dict[str, dict[str, list[Finding]]]) -> bytes:
    files = FileTable()
    records = {slug: {p: [to_record(f, files) for f in fs] for p, fs in sorted(by_plan.items()) if fs}
               for slug, by_plan in sorted(found.items())}
    return strict_dumps({"layout": LAYOUT, "plans": plans, "known": known, "whole": whole, "files": files.names,
                         "found": records}).encode("utf-8", "surrogatepass")


def _decode(payload: bytes) -> tuple[dict[str, str], list[str], list[str], dict[str, dict[str, list[Finding]]]]:
    entry: Any = json.loads(payload)
    if entry.get("layout") != LAYOUT:
        raise ValueError("another layout")
    names = entry["files"]
    found = {slug: {p: [from_record(r, names) for r in rs] for p, rs in by_plan.items()}
             for slug, by_plan in entry["found"].items()}
    return dict(entry["plans"]), list(entry["known"]), list(entry["whole"]), found
