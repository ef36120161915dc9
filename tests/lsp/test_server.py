"""The language server driven over stdio by a real LSP client (pygls' ``LanguageClient``)."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls", reason="the language server needs the 'lsp' extra: pip install 'incentive-lint[lsp]'")

from lsprotocol import types as lsp  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PLAN = "plans/cs-2025.yaml"
STRATEGY = "strategy/servitization-2025.yaml"


class Editor:
    """A client that records every publishDiagnostics and can wait for the next one of a file."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.client = LanguageClient("test-editor", "1")
        self.latest: dict[str, list[lsp.Diagnostic]] = {}
        self.events: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
        self.versions: dict[str, int] = {}

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            self.latest[params.uri] = list(params.diagnostics)
            self.events.put_nowait((params.uri, time.perf_counter()))

    def uri(self, name: str) -> str:
        return from_fs_path(str(self.repo / name)) or ""

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "incentive_lint", "lsp", cwd=str(self.repo))
        caps = lsp.ClientCapabilities(workspace=lsp.WorkspaceClientCapabilities(
            workspace_edit=lsp.WorkspaceEditClientCapabilities(snippet_edit_support=True)))
        await self.client.initialize_async(lsp.InitializeParams(capabilities=caps, root_uri=from_fs_path(str(self.repo))))
        self.client.initialized(lsp.InitializedParams())

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    async def settle(self, timeout: float = 60.0) -> set[str]:
        """The files published until nothing more arrives for a moment."""
        seen = {(await asyncio.wait_for(self.events.get(), timeout))[0]}
        while True:
            try:
                seen.add((await asyncio.wait_for(self.events.get(), 1.5))[0])
            except asyncio.TimeoutError:
                return seen

    def open(self, name: str) -> str:
        text = (self.repo / name).read_text(encoding="utf-8")
        self.versions[name] = 1
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
            uri=self.uri(name), language_id="yaml", version=1, text=text)))
        return text

    def change(self, name: str, text: str) -> None:
        self.versions[name] += 1
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=self.uri(name), version=self.versions[name]),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))

    def close(self, name: str) -> None:
        self.client.text_document_did_close(lsp.DidCloseTextDocumentParams(
            text_document=lsp.TextDocumentIdentifier(uri=self.uri(name))))

    def rules(self, name: str) -> list[str]:
        return [str(d.code) for d in self.latest.get(self.uri(name), [])]


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "aligned", tmp_path / "repo")
    return tmp_path / "repo"


def test_strategy_edit_reaches_an_open_unchanged_plan_and_a_fix_removes_it(repo: Path) -> None:
    async def scenario() -> None:
        editor = Editor(repo)
        await editor.start()
        try:
            editor.open(PLAN)
            await editor.settle()
            assert editor.rules(PLAN) == []  # the aligned plan is clean
            strategy = editor.open(STRATEGY)
            await editor.settle()
            # retention becomes a driver the strategy moves away from: the plan pays on it
            edited = strategy.replace("from_drivers: [unit-volume, service-volume]",
                                      "from_drivers: [unit-volume, service-volume, retention]").replace(
                "to_drivers: [outcome-delivery, recurring-revenue, retention]",
                "to_drivers: [outcome-delivery, recurring-revenue]")
            assert edited != strategy
            editor.change(STRATEGY, edited)
            published = await editor.settle()
            assert editor.uri(PLAN) in published  # the plan was not touched, yet it got new diagnostics
            plan_diags = editor.latest[editor.uri(PLAN)]
            assert plan_diags, "the strategy edit must create a finding in the open plan"
            diag = plan_diags[0]
            plan_lines = (repo / PLAN).read_text(encoding="utf-8").splitlines()
            assert diag.source == "incentive-lint" and diag.code_description is not None
            assert diag.code_description.href.startswith("http")
            assert "net-revenue-retention" in plan_lines[diag.range.start.line] or \
                "nrr" in plan_lines[diag.range.start.line]
            related = diag.related_information or []
            assert any(r.location.uri == editor.uri(STRATEGY) for r in related)  # the chain points at the strategy
            strategy_lines = edited.splitlines()
            for r in related:
                if r.location.uri == editor.uri(STRATEGY):
                    assert "retention" in strategy_lines[r.location.range.start.line]
            # hover on the finding explains its rule
            hover = await editor.client.text_document_hover_async(lsp.HoverParams(
                text_document=lsp.TextDocumentIdentifier(uri=editor.uri(PLAN)), position=diag.range.start))
            assert hover is not None and str(diag.code) in hover.contents.value
            # the code action inserts an exception snippet, cursor on the reason
            actions = await editor.client.text_document_code_action_async(lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=editor.uri(PLAN)), range=diag.range,
                context=lsp.CodeActionContext(diagnostics=[diag])))
            snippet = actions[0].edit.document_changes[0].edits[0].snippet.value
            assert f"ignore[{diag.code}]" in snippet and '${1:why this is accepted}' in snippet and "until=" in snippet
            # the fix: the strategy as it was removes the plan's finding
            editor.change(STRATEGY, strategy)
            published = await editor.settle()
            assert editor.uri(PLAN) in published and editor.rules(PLAN) == []
            # closing the strategy clears its diagnostics
            editor.close(STRATEGY)
            await editor.settle()
            assert editor.latest[editor.uri(STRATEGY)] == []
        finally:
            await editor.stop()

    _run(scenario())


def test_an_unsaved_plan_edit_is_reported_at_its_place(repo: Path) -> None:
    async def scenario() -> None:
        editor = Editor(repo)
        await editor.start()
        try:
            text = editor.open(PLAN)
            await editor.settle()
            editor.change(PLAN, text.replace("kpi: csat,", "kpi: no-such-kpi,"))
            await editor.settle()
            diags = [d for d in editor.latest[editor.uri(PLAN)] if (d.data or {}).get("rule") == "dangling-reference"]
            assert len(diags) == 1
            line = text.replace("kpi: csat,", "kpi: no-such-kpi,").splitlines()[diags[0].range.start.line]
            assert "no-such-kpi" in line[diags[0].range.start.character:]
            editor.change(PLAN, text)
            await editor.settle()
            assert editor.rules(PLAN) == []
        finally:
            await editor.stop()

    _run(scenario())


def test_placeholder_reason_fails_closed(repo: Path) -> None:
    plan = repo / PLAN
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "kpi: csat," in line)
    lines[at] = lines[at].replace("kpi: csat,", "kpi: no-such-kpi,")
    lines.insert(at, '  # incentive-lint: ignore[dangling-reference] reason="why this is accepted" until=2099-01-01\n')
    plan.write_text("".join(lines), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "incentive_lint", "check", "-q"], cwd=repo, capture_output=True,
                          text=True, timeout=120)
    assert "dangling-reference" in proc.stdout and "placeholder" in proc.stdout
