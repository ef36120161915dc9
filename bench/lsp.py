"""Latency of the language server while typing: from a didChange notification to the diagnostics
published for it, on a corpus (default: the 2,000-file benchmark corpus).

    python bench/lsp.py [--corpus bench/corpus/medium] [--plan PATH] [--changes 10]

It copies the corpus to a temporary folder (the corpus sits in this repository's git-ignored
``bench/corpus/``, and the server, like ``check``, leaves out what ``.gitignore`` ignores; pass
``--in-place`` for a corpus outside any git work tree), starts ``python -m incentive_lint lsp``
there with pygls' ``LanguageClient``, opens one plan, waits for its first
diagnostics (the cold lint, which builds the warm state), then edits the first component weight
``--changes`` times. Each edit gives the plan another weight sum, so every edit changes the
plan's diagnostics and is published (the server publishes only diagnostics that changed). It
prints each edit's latency and the median. Standard library plus pygls (the ``lsp`` extra).
"""
from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE / "corpus" / "medium"
DEFAULT_PLAN = "plans/amer-central/plan-amercentral-00001.yaml"
#: the first component weight of a plan written in block style (``    weight: 50``)
WEIGHT = re.compile(r"^(\s+weight: )(\d+)$", re.MULTILINE)


class Client:
    """An LSP client that records when each file's diagnostics arrive."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.client = LanguageClient("bench-lsp", "1")
        self.events: asyncio.Queue[tuple[str, float, int]] = asyncio.Queue()

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: lsp.PublishDiagnosticsParams) -> None:
            self.events.put_nowait((params.uri, time.perf_counter(), len(params.diagnostics)))

    def uri(self, name: str) -> str:
        return from_fs_path(str(self.repo / name)) or ""

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "incentive_lint", "lsp", cwd=str(self.repo))
        await self.client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities(),
                                                                root_uri=from_fs_path(str(self.repo))))
        self.client.initialized(lsp.InitializedParams())

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    async def wait_for(self, uri: str, timeout: float) -> tuple[float, int]:
        """When the next diagnostics of ``uri`` arrived, and how many there were."""
        while True:
            got, at, count = await asyncio.wait_for(self.events.get(), timeout)
            if got == uri:
                return at, count


async def measure(repo: Path, plan: str, changes: int, timeout: float) -> list[float]:
    text = (repo / plan).read_text(encoding="utf-8")
    match = WEIGHT.search(text)
    if match is None:
        raise SystemExit(f"{plan}: no block-style 'weight:' line to edit")
    client = Client(repo)
    await client.start()
    uri = client.uri(plan)
    try:
        start = time.perf_counter()
        client.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
            uri=uri, language_id="yaml", version=1, text=text)))
        at, count = await client.wait_for(uri, timeout)
        print(f"open (cold lint): {1000 * (at - start):8.1f} ms  ({count} diagnostics)")
        latencies: list[float] = []
        for i in range(1, changes + 1):
            # another weight each time: the weight sum (and so the diagnostics) differ from the last edit's
            weight = int(match.group(2)) + i
            edited = text[:match.start(2)] + str(weight) + text[match.end(2):]
            sent = time.perf_counter()
            client.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=i + 1),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=edited)]))
            at, count = await client.wait_for(uri, timeout)
            latencies.append(1000 * (at - sent))
            print(f"change {i:2d} (weight {weight}): {latencies[-1]:8.1f} ms  ({count} diagnostics)")
        return latencies
    finally:
        await client.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the repository to serve")
    parser.add_argument("--plan", default=DEFAULT_PLAN, help="the plan to open and edit (relative to the corpus)")
    parser.add_argument("--changes", type=int, default=10, help="how many edits to time")
    parser.add_argument("--in-place", action="store_true", help="serve the corpus where it is, not a copy")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for any one publication")
    args = parser.parse_args(argv)
    repo = args.corpus.resolve()
    if not (repo / args.plan).is_file():
        parser.error(f"{repo / args.plan} does not exist (generate the corpus: see bench/README.md)")
    with tempfile.TemporaryDirectory(prefix="bench-lsp-") as tmp:
        if not args.in_place:
            repo = Path(shutil.copytree(repo, Path(tmp) / repo.name))
        latencies = asyncio.run(measure(repo, args.plan, args.changes, args.timeout))
    print(f"median didChange -> publishDiagnostics: {statistics.median(latencies):.1f} ms "
          f"(min {min(latencies):.1f}, max {max(latencies):.1f}, {len(latencies)} changes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
