"""The rows of the ``exceptions`` listing: one per exception, soonest end first."""
from __future__ import annotations

import datetime as _dt
from typing import Any, Sequence

from incentive_lint.gate.exceptions import ExceptionEntry


# --------------------------------------------------------------------------- listing

LIST_COLUMNS = ("status", "until", "days_left", "rule", "applies_to", "reason", "owner", "approved_by", "ticket",
                "findings_accepted", "written_at", "source", "problem")


def rows(entries: Sequence[ExceptionEntry], as_of: _dt.date) -> list[dict[str, Any]]:
    """One row per exception for the ``exceptions`` command: soonest end first."""
    out: list[dict[str, Any]] = []
    for e in entries:
        status = e.status(as_of)
        applies = e.target if e.source == "register" else (f"{e.file}:{e.line}" if e.line else e.file)
        accepted = len(e.matched) if status == "active" else 0
        out.append({
            "status": status, "until": e.until.isoformat() if e.until else e.until_text,
            "days_left": (e.until - as_of).days if e.until else None,
            "rule": ", ".join(e.rules) or e.rule_text, "applies_to": applies, "reason": e.reason, "owner": e.owner,
            "approved_by": e.approved_by, "ticket": e.ticket, "findings_accepted": accepted,
            "written_at": f"{e.span.file}:{e.span.start.line}", "source": e.source,
            "problem": "; ".join(e.problems)})
    order = {"invalid": 0, "expired": 1, "unused": 2, "active": 3}
    out.sort(key=lambda r: (order[r["status"]], r["until"] or "", r["written_at"]))
    return out
