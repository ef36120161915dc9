"""The per-file half of the persistent cache (see ``engine.cache`` for the store): each policy
file's validated documents, issues and position table, keyed by its content, and the remembered
state (size, times, inode) that lets an unchanged file be keyed without reading it."""
from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from incentive_lint.base.source import Span
from incentive_lint.engine.cache import Cache, digest
from incentive_lint.engine.entry_codec import _Unencodable, encode
from incentive_lint.model.invalid_document import InvalidDocument
from incentive_lint.read.documents import Document, Issue, Limits
from incentive_lint.read.files import Candidate, read_text
from incentive_lint.read.positions import Positions

#: what reading one file gave (see ``engine.workspace.FileOutcome``)
Outcome = Tuple[List[Document], List[Issue], bool, Optional[Positions], Optional[str], List[InvalidDocument]]


class FileCache:
    """The per-file half of the cache: each file's documents, issues and position table, keyed by its
    content, its name and everything reading depends on (the tool's code, schemas and limits).

    The configuration and the catalog are not part of a file's key: reading and validating a file
    does not depend on them, so editing ``.incentive-lint.yaml`` does not make every file be parsed
    again (the whole-run key in ``run.py`` has them)."""

    def __init__(self, store: Cache, salt: str, root: Path | None = None) -> None:
        self.store, self.salt = store, salt
        #: where the remembered file states are kept: one entry per root (a cache folder given by
        #: INCENTIVE_LINT_CACHE_DIR may serve several repositories)
        self._states_key = digest(salt, "states", str(root or ""))
        #: display name -> key of its content (None: not cacheable, e.g. text given by an editor)
        self.keys: dict[str, str] = {}
        self.parsed = 0

    def hash_all(self, candidates: Sequence[Candidate], limits: Limits, given: Mapping[str, str]) -> None:
        """Key every file by its content (the text is not kept: a file whose entry is missing is
        read again, by the same code that reads it without a cache).

        A file whose size, modification and change times and inode are those remembered from the
        run that hashed it is not read again: its remembered key is used (as ruff and mypy trust
        a file's size and time). The change time moves on every write and cannot be set back by
        an ordinary user, so a rewritten file is always read. On 20,000 files this spares reading
        and hashing 81 MB on every unchanged re-run."""
        salt = self.salt
        # A file changed in the last two seconds could change again within the resolution of its
        # time stamps without changing its size: its state is not remembered ("racy git").
        recent = time.time_ns() - 2_000_000_000
        known = self.store.get("states", self._states_key)
        known = known if isinstance(known, dict) else {}
        states: dict[str, list[Any]] = {}
        for candidate in candidates:
            display = candidate.display
            if display in given:
                continue  # an editor's unsaved text: never cached, its positions are not on disk
            try:
                info = os.stat(candidate.path)
                state: list[Any] | None = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino] \
                    if stat.S_ISREG(info.st_mode) else None
            except OSError:
                state = None
            old = known.get(display)
            if state is not None and isinstance(old, list) and len(old) == 5 and old[:4] == state \
                    and isinstance(old[4], str):
                self.keys[display] = old[4]
                states[display] = old
                continue
            text, issue = read_text(candidate.path, display, max_bytes=limits.max_file_size)
            if text is None:
                self.keys[display] = digest(salt, display, "refused", repr(issue))
            else:
                self.keys[display] = digest(salt, display, text)
                if state is not None and state[1] < recent and state[2] < recent:
                    states[display] = [*state, self.keys[display]]
        if states != known:
            self.store.put("states", self._states_key, states, plain=True)

    def outcomes(self, candidates: Sequence[Candidate],
                 read_all: Callable[[List[Candidate], Dict[str, bytes]], Iterator[Outcome]]) -> Iterator[Outcome]:
        """Every candidate's outcome in order: from the cache where an entry holds, else read (by
        ``read_all``) and stored. ``read_all`` may put each file's entry, already encoded by
        :func:`encode_outcome` in the worker process that read it, into the dict it is given:
        encoding is then done in parallel instead of by this process, one file after another."""
        cached: dict[int, Outcome] = {}
        missing: list[Candidate] = []
        for i, candidate in enumerate(candidates):
            key = self.keys.get(candidate.display)
            entry = self.store.get("file", key) if key is not None else None
            outcome = _unpack(candidate.display, entry) if entry is not None else None
            if outcome is None:
                missing.append(candidate)
                continue
            cached[i] = outcome
        self.parsed = len(missing)
        encoded: Dict[str, bytes] = {}
        fresh = read_all(missing, encoded)
        for i, candidate in enumerate(candidates):
            if i in cached:
                yield cached[i]
                continue
            outcome = next(fresh)
            key = self.keys.get(candidate.display)
            if key is not None:
                payload = encoded.pop(candidate.display, None)
                if payload is not None:
                    self.store.put_encoded("file", key, payload)
                else:
                    self.store.put("file", key, _pack(outcome), plain=True)
            yield outcome



def encode_outcome(outcome: Outcome) -> bytes | None:
    """A file's cache entry, encoded (None: it cannot be stored)."""
    try:
        return encode(_pack(outcome), plain=True)
    except (_Unencodable, ValueError, TypeError, RecursionError):
        return None


def _pack(outcome: Outcome) -> dict[str, Any]:
    docs, issues, has_policy, positions, inline, invalid = outcome
    return {"docs": [[d.index, d.data, d.kind] for d in docs], "issues": list(issues), "policy": has_policy,
            "inline": inline, "invalid": list(invalid), "pos": positions.to_json() if positions is not None else None}


def _unpack(display: str, entry: Any) -> Outcome | None:
    """The outcome of a stored entry, or None when it does not have the expected shape."""
    try:
        docs = [Document(display, index, data, Span.at(display, 1), kind=kind) for index, data, kind in entry["docs"]]
        issues, invalid, inline = entry["issues"], entry["invalid"], entry["inline"]
        if not (all(type(i) is Issue for i in issues) and all(type(i) is InvalidDocument for i in invalid)
                and (inline is None or type(inline) is str) and type(entry["policy"]) is bool):
            return None
        positions = None
        if entry["pos"] is not None:  # None: the file was refused (never read), it has no positions
            positions = Positions.from_json(display, entry["pos"])
            if positions is None:
                return None
        return docs, issues, entry["policy"], positions, inline, invalid
    except (KeyError, TypeError, ValueError):
        return None
