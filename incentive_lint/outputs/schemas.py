"""The ``schemas`` command: the shipped JSON Schemas, written where a policy repository can commit them.

Editors that use yaml-language-server map one schema to a set of files. A file may hold several
documents of different kinds, and each document is validated against the mapped schema, so
besides one schema per kind this writes ``incentive-lint.schema.json``, which chooses the
kind's schema by the document's ``kind`` (``if``/``then``). That schema is self-contained: every
kind's schema is copied into its ``definitions`` and their ``$ref``s are rewritten to point
there, so it works from any folder, offline. Every ``$id`` is the file's own name, a relative
reference that resolves to wherever the file was written.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from incentive_lint.base.errors import UsageError
from incentive_lint.base.kinds import KIND_SCHEMAS, SCHEMA_VERSION
from incentive_lint.base.resources import load_schema, schemas_dir

#: the schema that validates any policy document by its ``kind``
COMBINED = "incentive-lint.schema.json"
#: the configuration file's schema (``.incentive-lint.yaml``)
CONFIG = "config.schema.json"
DRAFT = "http://json-schema.org/draft-07/schema#"


def _rebased(node: Any, prefix: str) -> Any:
    """``node`` with every local ``$ref`` (``#/...``) moved under ``prefix`` (``#/definitions/Kind``)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                out[key] = prefix + value[1:]
            else:
                out[key] = _rebased(value, prefix)
        return out
    if isinstance(node, list):
        return [_rebased(item, prefix) for item in node]
    return node


def combined_schema() -> dict[str, Any]:
    """One draft-07 schema for every policy document: the kind's own schema, chosen by ``kind``."""
    kinds = sorted(KIND_SCHEMAS)
    definitions: dict[str, Any] = {}
    choices: list[dict[str, Any]] = []
    for kind in kinds:
        own = {k: v for k, v in load_schema(KIND_SCHEMAS[kind]).items() if k not in ("$schema", "$id")}
        definitions[kind] = _rebased(own, f"#/definitions/{kind}")
        choices.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                        "then": {"$ref": f"#/definitions/{kind}"}})
    return {
        "$schema": DRAFT,
        "$id": COMBINED,
        "title": "incentive-lint policy document",
        "description": (f"Any incentive-lint policy document ({SCHEMA_VERSION}): 'kind' selects the schema "
                        f"that checks the rest ({', '.join(kinds)}). Map it to every policy file; in a file "
                        "holding several documents each one is checked against its own kind."),
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": kinds, "description": "Document type; it selects the schema that "
                                                               "validates this document."}},
        "allOf": choices,
        "definitions": definitions,
    }


def schema_files() -> dict[str, dict[str, Any]]:
    """File name -> schema for everything ``schemas`` writes, in name order."""
    files = {path.name: load_schema(path.name) for path in sorted(schemas_dir().glob("*.schema.json"))}
    files[COMBINED] = combined_schema()
    return dict(sorted(files.items()))


def render(schema: dict[str, Any]) -> str:
    """A schema as written: indented, keys in their given order, a final newline (stable diffs)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path, *, overwrite: bool = True) -> list[Path]:
    """Write every schema into ``folder`` (created if needed); return the files written.

    With ``overwrite=False`` nothing is written when any of the files already exists.
    """
    files = schema_files()
    targets = {name: folder / name for name in files}
    if not overwrite:
        existing = sorted(str(p) for p in targets.values() if p.exists())
        if existing:
            raise UsageError(f"will not overwrite {', '.join(existing)}; delete or move them first.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, schema in files.items():
            with open(targets[name], "w", encoding="utf-8", newline="\n") as handle:
                handle.write(render(schema))
    except OSError as exc:
        raise UsageError(f"cannot write the schemas to '{folder}': {exc.strerror}.") from None
    return list(targets.values())
