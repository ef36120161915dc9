"""The language server: publishes findings for open policy files while they are edited.

The whole repository is linted on every change, so the diagnostics are always those a full
``check`` of the same state gives; what does not change between keystrokes is kept:

* each file's read outcome (validated documents and position table) is reused while the file's
  text (open buffer) or its size and modification time (on disk) are unchanged, so a keystroke
  re-reads one file and no position needs a file read again;
* the list of files is found once, and found again only when the client reports files created,
  changed or deleted on disk (``workspace/didChangeWatchedFiles``) or a file is saved;
* only the findings in open files become diagnostics.

After each run the diagnostics of every open file are compared with those last published, and
only the files whose findings changed are published again: a strategy edit reaches an open plan.
"""
from __future__ import annotations

import datetime as _dt
import gc
import os
import re
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from incentive_lint.base.errors import IncentiveLintError
from incentive_lint.base.findings import Finding, Severity
from incentive_lint.base.source import Span
from incentive_lint.base.version import VERSION
from incentive_lint.model.build import BuildMemo
from incentive_lint.engine.workspace import FileOutcome, LintOptions, read_one
from incentive_lint.outputs.explain import explain_text
from incentive_lint.read.documents import Limits
from incentive_lint.read.files import Candidate
from incentive_lint.run import lint

SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning,
            Severity.INFO: lsp.DiagnosticSeverity.Information}
#: the snippet's placeholder; gate/exceptions.py refuses it as a reason (fail closed)
PLACEHOLDER = "why this is accepted"
UNSUPPRESSIBLE = frozenset({"invalid-exception", "unused-exception"})
WORD = re.compile(r"[A-Za-z0-9_-]+")


def _range(span: Span) -> lsp.Range:
    start = lsp.Position(line=max(span.start.line - 1, 0), character=max(span.start.column - 1, 0))
    end = lsp.Position(line=max(span.end.line - 1, 0), character=max(span.end.column - 1, 0))
    return lsp.Range(start=start, end=end if (end.line, end.character) >= (start.line, start.character) else start)


class Session:
    """The repository in memory: open buffers, each file's read outcome, what was published."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.texts: dict[str, str] = {}          # display name -> open buffer
        self.memo: dict[str, tuple[Any, FileOutcome]] = {}
        self.published: dict[str, list[lsp.Diagnostic]] = {}  # uri -> last published
        self.catalog: Any = None
        #: the files found by the last walk (see ``LintOptions.discovered``); cleared by :meth:`forget_files`
        self.discovered: dict[str, Any] = {}
        #: plans built by earlier runs: an unchanged plan file is not built into the model again
        self.plans = BuildMemo()
        self._uris: dict[str, str] = {}

    def forget_files(self) -> None:
        """Files may have been created or deleted, or the configuration changed: walk again next run."""
        self.discovered.clear()

    def name(self, uri: str) -> str | None:
        path = to_fs_path(uri)
        if path is None or not path.endswith((".yaml", ".yml")):
            return None
        try:
            return Path(os.path.abspath(path)).relative_to(self.root).as_posix()
        except ValueError:
            return None

    def uri(self, name: str) -> str:
        found = self._uris.get(name)
        if found is None:
            found = self._uris[name] = from_fs_path(str(self.root / name)) or ""
        return found

    def reader(self, candidate: Candidate, limits: Limits) -> FileOutcome:
        text = self.texts.get(candidate.display)
        if text is not None:
            key: Any = ("buffer", text, repr(limits))
        else:
            try:
                info = os.stat(candidate.path)
                key = ("disk", info.st_mtime_ns, info.st_size, info.st_ino, repr(limits))
            except OSError:
                key = None
        hit = self.memo.get(candidate.display)
        if key is not None and hit is not None and hit[0] == key:
            return hit[1]
        outcome = read_one(candidate, limits=limits, text=text)
        self.memo[candidate.display] = (key, outcome)
        return outcome

    def diagnostic(self, finding: Finding) -> lsp.Diagnostic:
        spec = self.catalog.rules.get(finding.rule) if self.catalog is not None else None
        related = [lsp.DiagnosticRelatedInformation(location=lsp.Location(uri=self.uri(r.span.file),
                                                                          range=_range(r.span)), message=r.label)
                   for r in finding.shown_related()[0]]
        return lsp.Diagnostic(range=_range(finding.span), message=finding.full_message,
                              severity=SEVERITY.get(finding.severity, lsp.DiagnosticSeverity.Warning),
                              code=finding.code or finding.rule, source="incentive-lint",
                              code_description=lsp.CodeDescription(href=spec.help_uri) if spec else None,
                              related_information=related or None, data={"rule": finding.rule})

    def run(self) -> dict[str, list[lsp.Diagnostic]]:
        """Lint the repository; return uri -> diagnostics of each open file whose diagnostics changed."""
        options = LintOptions(paths=[self.root], cwd=self.root, root=self.root, reader=self.reader,
                              texts=dict(self.texts), discovered=self.discovered, build_memo=self.plans)
        result, ws = lint(options)
        gc.unfreeze()  # a long-lived process: let the cyclic GC reclaim earlier runs
        self.catalog = ws.catalog
        by_file: dict[str, list[lsp.Diagnostic]] = {}
        for finding in result.findings:
            if finding.span.file in self.texts:  # only open files are published
                by_file.setdefault(finding.span.file, []).append(self.diagnostic(finding))
        changed = {}
        for name in self.texts:
            uri = self.uri(name)
            diagnostics = by_file.get(name, [])
            if self.published.get(uri) != diagnostics:
                self.published[uri] = diagnostics
                changed[uri] = diagnostics
        return changed

    def explain(self, word: str) -> str | None:
        if self.catalog is None:
            return None
        found = self.catalog.resolve(word)
        return explain_text(found[0]) if len(found) == 1 else None


def exception_action(uri: str, text: str, diagnostic: lsp.Diagnostic, snippets: bool,
                     today: _dt.date | None = None) -> lsp.CodeAction | None:
    """Accept the finding with an inline exception on a comment line above it, cursor on the reason."""
    rule = (diagnostic.data or {}).get("rule") if isinstance(diagnostic.data, dict) else None
    if rule in UNSUPPRESSIBLE or diagnostic.source != "incentive-lint":
        return None
    lines = text.splitlines()
    line = diagnostic.range.start.line
    current = lines[line] if line < len(lines) else ""
    indent = current[:len(current) - len(current.lstrip())]
    until = ((today or _dt.date.today()) + _dt.timedelta(days=90)).isoformat()
    code = diagnostic.code
    head = f"{indent}# incentive-lint: ignore[{code}] reason=\""
    tail = f"\" until={until}\n"
    at = lsp.Range(start=lsp.Position(line=line, character=0), end=lsp.Position(line=line, character=0))
    edit: Any = (lsp.SnippetTextEdit(range=at, snippet=lsp.StringValue(value=f"{head}${{1:{PLACEHOLDER}}}{tail}"))
                 if snippets else lsp.TextEdit(range=at, new_text=f"{head}{PLACEHOLDER}{tail}"))
    change = lsp.TextDocumentEdit(text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                                  edits=[edit])
    return lsp.CodeAction(title=f"Accept {code} with an exception until {until}", kind=lsp.CodeActionKind.QuickFix,
                          diagnostics=[diagnostic], edit=lsp.WorkspaceEdit(document_changes=[change]))


def quote_action(uri: str, text: str, diagnostic: lsp.Diagnostic) -> lsp.CodeAction | None:
    """Quote an ambiguous YAML 1.1 value (``no``, ``on``, ``1:30``, ``010``) so every reader sees a string."""
    if not isinstance(diagnostic.data, dict) or diagnostic.data.get("rule") != "ambiguous-value":
        return None
    lines = text.splitlines()
    start, end = diagnostic.range.start, diagnostic.range.end
    if start.line >= len(lines):
        return None
    line = lines[start.line]
    stop = end.character if end.line == start.line and end.character > start.character else None
    if stop is None:  # a point: the plain scalar that starts there
        match = re.match(r"[^\s,\]\}#]+", line[start.character:])
        if match is None:
            return None
        stop = start.character + match.end()
    value = line[start.character:stop]
    if not value or value[0] in "\"'":
        return None
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    at = lsp.Range(start=start, end=lsp.Position(line=start.line, character=stop))
    return lsp.CodeAction(title=f"Quote {value} as text", kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                          edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=at, new_text=quoted)]}))


def build_server() -> LanguageServer:
    """The pygls server with its features registered."""
    server = LanguageServer("incentive-lint", VERSION, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
    state: dict[str, Session] = {}

    def session(ls: LanguageServer) -> Session:
        if "s" not in state:
            root = ls.workspace.root_path or os.getcwd()
            state["s"] = Session(Path(os.path.abspath(root)))
        return state["s"]

    def refresh(ls: LanguageServer) -> None:
        try:
            changed = session(ls).run()
        except IncentiveLintError as exc:  # e.g. a broken configuration file: say so, keep serving
            ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=f"incentive-lint: {exc}"))
            return
        for uri, diagnostics in sorted(changed.items()):
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def buffer(ls: LanguageServer, uri: str) -> None:
        s = session(ls)
        name = s.name(uri)
        if name is not None:
            s.texts[name] = ls.workspace.get_text_document(uri).source

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        buffer(ls, params.text_document.uri)
        refresh(ls)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        buffer(ls, params.text_document.uri)
        refresh(ls)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        session(ls).forget_files()  # "save as" creates a file; a saved configuration may change the scope
        refresh(ls)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        s = session(ls)
        name = s.name(params.text_document.uri)
        if name is not None:
            s.texts.pop(name, None)  # from now on the file on disk counts
        s.published.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                          diagnostics=[]))
        refresh(ls)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: LanguageServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        session(ls).forget_files()
        refresh(ls)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: LanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        s = session(ls)
        lines = ls.workspace.get_text_document(params.text_document.uri).source.splitlines()
        pos = params.position
        text = None
        if pos.line < len(lines):
            for match in WORD.finditer(lines[pos.line]):
                if match.start() <= pos.character <= match.end():
                    text = s.explain(match.group())
        if text is None:  # on a finding: the explanation of its rule
            for diagnostic in s.published.get(params.text_document.uri, []):
                r = diagnostic.range
                if (r.start.line, r.start.character) <= (pos.line, pos.character) <= (r.end.line, r.end.character):
                    text = s.explain(str(diagnostic.code))
                    break
        if text is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.PlainText, value=text))

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    def code_action(ls: LanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        text = ls.workspace.get_text_document(uri).source
        caps = ls.client_capabilities.workspace
        snippets = bool(caps and caps.workspace_edit and caps.workspace_edit.snippet_edit_support)
        actions = []
        for diagnostic in params.context.diagnostics:
            for action in (quote_action(uri, text, diagnostic), exception_action(uri, text, diagnostic, snippets)):
                if action is not None:
                    actions.append(action)
        return actions

    return server


def serve() -> None:
    """Serve on standard input and output until the client says exit."""
    build_server().start_io()
