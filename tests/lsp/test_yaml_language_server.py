"""The schemas as a user's editor sees them: a policy repository set up by ``incentive-lint init``
(outside this checkout), opened in the real yaml-language-server (Red Hat's, which VS Code's YAML
extension runs), validates every document of a file holding several, and completes fields.

Needs Node.js and yaml-language-server (``npm install yaml-language-server``): on PATH, or named
by ``YAML_LANGUAGE_SERVER``. Without them the test is skipped; CI installs only Python packages."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="drives the server with pygls' client: pip install 'incentive-lint[lsp]'")

from lsprotocol import types as lsp  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

SERVER = os.environ.get("YAML_LANGUAGE_SERVER") or shutil.which("yaml-language-server")
pytestmark = pytest.mark.skipif(not SERVER or not shutil.which("node"),
                                reason="yaml-language-server not found (npm install yaml-language-server, then put it "
                                       "on PATH or set YAML_LANGUAGE_SERVER)")


def _repository(tmp_path: Path) -> Path:
    repo = tmp_path / "policies"
    repo.mkdir()
    subprocess.run([sys.executable, "-m", "incentive_lint", "init", str(repo)], check=True, capture_output=True)
    return repo


async def _diagnostics_and_completion(repo: Path, text: str, at: lsp.Position) -> tuple[list[lsp.Diagnostic], list[str]]:
    mapping = json.loads((repo / ".vscode" / "settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    schemas = {str(repo / name.removeprefix("./")): globs for name, globs in mapping.items()}
    client = LanguageClient("test-editor", "1")
    published: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    @client.feature(lsp.WORKSPACE_CONFIGURATION)
    def configuration(params: lsp.ConfigurationParams) -> list[object]:
        return [{"schemas": schemas, "validate": True, "completion": True} if item.section == "yaml" else None
                for item in params.items]

    assert SERVER is not None
    await client.start_io(SERVER, "--stdio")
    root = from_fs_path(str(repo))
    await client.initialize_async(lsp.InitializeParams(
        capabilities=lsp.ClientCapabilities(workspace=lsp.WorkspaceClientCapabilities(configuration=True)),
        root_uri=root, workspace_folders=[lsp.WorkspaceFolder(uri=root or "", name="policies")]))
    client.initialized(lsp.InitializedParams())
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(
        settings={"yaml": {"schemas": schemas, "validate": True}}))
    uri = from_fs_path(str(repo / "plans" / "two.yaml")) or ""
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
    found: list[lsp.Diagnostic] = []
    while not found:
        params = await asyncio.wait_for(published.get(), 30)
        if params.uri == uri:
            found = list(params.diagnostics)
    completion = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=at))
    items = completion.items if isinstance(completion, lsp.CompletionList) else list(completion or [])
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return found, [item.label for item in items]


def test_every_document_of_a_file_is_checked_and_completed(tmp_path: Path) -> None:
    repo = _repository(tmp_path)
    plan = (repo / "plans" / "sales.yaml").read_text(encoding="utf-8")
    first = plan.replace("payout_frequency: quarterly", "payout_frequncy: quarterly")
    second = plan.replace("id: ip-sales-2026", "id: ip-sales-2026-b").replace("status: active", "status: in-force")
    third = "kind: IncentivePlan\nschema: incentive-lint/v1\nid: ip-third\npla"
    text = first + "---\n" + second + "---\n" + third
    lines = text.splitlines()
    typo = next(i for i, line in enumerate(lines) if line.startswith("payout_frequncy"))
    status = next(i for i, line in enumerate(lines) if "status: in-force" in line)
    found, labels = asyncio.run(_diagnostics_and_completion(
        repo, text, lsp.Position(line=len(lines) - 1, character=len(lines[-1]))))
    rows = {d.range.start.line for d in found}
    assert typo in rows, [(d.range.start.line, d.message) for d in found]    # the first document
    assert status in rows, [(d.range.start.line, d.message) for d in found]  # the second: its own kind's schema
    assert "plan_type" in labels  # completion in the third document, from the IncentivePlan schema
