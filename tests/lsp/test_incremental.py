"""After a series of edits (buffers, files created on disk), the diagnostics the language server
published equal those of a fresh lint of the same state: what it keeps between runs (read outcomes,
position tables, the list of files) never changes a result."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls", reason="the language server needs the 'lsp' extra: pip install 'incentive-lint[lsp]'")

from lsprotocol import types as lsp  # noqa: E402

from incentive_lint.engine.workspace import LintOptions  # noqa: E402
from incentive_lint.lsp.server import Session  # noqa: E402
from incentive_lint.run import lint  # noqa: E402
from tests.lsp.test_server import PLAN, ROOT, STRATEGY, Editor  # noqa: E402


def _fresh(repo: Path, texts: dict[str, str]) -> dict[str, list[Any]]:
    """The diagnostics of each open file by a lint that has seen nothing before."""
    result, ws = lint(LintOptions(paths=[repo], cwd=repo, root=repo, texts=dict(texts)))
    session = Session(repo)
    session.catalog = ws.catalog
    out: dict[str, list[Any]] = {session.uri(name): [] for name in texts}
    for finding in result.findings:
        if finding.span.file in texts:
            out[session.uri(finding.span.file)].append(session.diagnostic(finding))
    return out


async def _barrier(editor: Editor) -> None:
    """Wait until the server has handled every notification sent so far: it answers requests in
    order, and an edit whose diagnostics do not change publishes nothing to wait for."""
    await asyncio.wait_for(editor.client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=editor.uri(PLAN)), position=lsp.Position(line=0, character=0))),
        120)


def _key(diagnostics: list[lsp.Diagnostic]) -> list[tuple[Any, ...]]:
    return [(d.range, d.message, d.code, d.severity, tuple((r.location.uri, r.location.range, r.message)
                                                           for r in d.related_information or ())) for d in diagnostics]


def test_diagnostics_after_several_edits_equal_a_fresh_lint(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "aligned", repo)

    async def scenario() -> None:
        editor = Editor(repo)
        await editor.start()
        try:
            plan = editor.open(PLAN)
            await editor.settle()
            strategy = editor.open(STRATEGY)
            await editor.settle()
            texts = {PLAN: plan, STRATEGY: strategy}
            edits = [
                (PLAN, plan.replace("kpi: csat,", "kpi: no-such-kpi,")),
                (PLAN, plan.replace("kpi: csat,", "kpi: no-such-kpi,").replace("weight: ", "weight: 1", 1)),
                (STRATEGY, strategy.replace("to_drivers: [outcome-delivery, recurring-revenue, retention]",
                                            "to_drivers: [outcome-delivery, recurring-revenue]")),
                (PLAN, plan.replace("weight: ", "weight: 1", 1)),
            ]
            for name, text in edits:
                assert text != texts[name]
                texts[name] = text
                editor.change(name, text)
                await _barrier(editor)
            # a plan created on disk (a copy of the open one: the same id) reaches the open files
            (repo / "plans" / "copy.yaml").write_text(plan, encoding="utf-8")
            editor.client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=[
                lsp.FileEvent(uri=editor.uri("plans/copy.yaml"), type=lsp.FileChangeType.Created)]))
            await _barrier(editor)
            expected = _fresh(repo, texts)
            assert any(expected.values()), "the edits must leave findings to compare"
            for uri, diagnostics in expected.items():
                assert _key(editor.latest.get(uri, [])) == _key(diagnostics), uri
        finally:
            await editor.stop()

    asyncio.run(scenario())
