"""The ``exceptions`` listing: every exception (register and inline) as text, CSV or JSON.

Reasons, owners and ids are written by people in the repository, so every value is printed
through ``base.escape`` (``visible`` in text and CSV cells, ``json_safe`` for JSON)."""
from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any

from incentive_lint.base.escape import json_safe, visible
from incentive_lint.engine.workspace import LintOptions
from incentive_lint.gate.exception_list import LIST_COLUMNS, rows
from incentive_lint.run import lint


def listing(options: LintOptions, fmt: str = "text", redact: bool = False) -> str:
    """The exceptions of a repository as text, CSV or JSON (runs the whole check to know what each accepts).

    ``redact`` (``exceptions --redact``) replaces what people wrote (reason, owner, approver,
    ticket, the problem of an invalid entry) with ``[redacted]``; status, dates, rule, the ids
    it applies to and where it is written stay, as in ``check --redact``.
    """
    result, ws = lint(dataclasses.replace(options, exceptions=True))
    as_of = _dt.date.fromisoformat(result.as_of)
    table = rows(ws.exceptions, as_of)
    if redact:
        from incentive_lint.gate.redact import redact_row

        table = [redact_row(row, REDACTED_COLUMNS) for row in table]
    if fmt == "json":
        import json

        return json_safe(json.dumps({"as_of": result.as_of, "exceptions": table}, indent=2, ensure_ascii=False)) + "\n"
    if fmt == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(LIST_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in table:
            writer.writerow({k: "" if row[k] is None else _csv_safe(_text(row[k])) for k in LIST_COLUMNS})
        return buffer.getvalue()
    if not table:
        return f"No exceptions (as of {result.as_of}).\n"
    from tabulate import tabulate

    shown = [[_text(v) for v in (r["status"], r["until"], "" if r["days_left"] is None else r["days_left"], r["rule"],
                                 r["applies_to"], r["owner"], r["approved_by"], r["reason"] or r["problem"],
                                 r["written_at"])] for r in table]
    counts: dict[str, int] = {}
    for r in table:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    summary = ", ".join(f"{counts[s]} {s}" for s in ("active", "expired", "unused", "invalid") if s in counts)
    text = tabulate(shown, headers=["status", "until", "days left", "rule", "applies to", "owner", "approved by",
                                    "reason (or problem)", "written at"], tablefmt="simple",
                    maxcolwidths=[None, None, None, 30, 30, 24, 36, 50, None])
    return f"{text}\n\n{len(table)} exception(s) as of {result.as_of}: {summary}.\n"


#: The columns of the listing that hold what people wrote, not ids, dates or counts.
REDACTED_COLUMNS = ("reason", "owner", "approved_by", "ticket", "problem")


def _text(value: Any) -> Any:
    """A cell value with control characters made visible; numbers stay numbers."""
    return visible(value) if isinstance(value, str) else value


def _csv_safe(value: Any) -> Any:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
