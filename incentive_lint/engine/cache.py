"""The persistent cache (``.incentive-lint-cache/``): what earlier runs computed, so that an
unchanged file is not parsed again and an unchanged repository is not linted again.

Entries are plain JSON, never pickle: the cache folder sits inside the repository, so a pull
request could commit a crafted entry, and loading must never be able to run code. Plain JSON
cannot; the few value types it lacks (tuples, dates, non-text keys, the result's own
dataclasses) are written as tagged objects and rebuilt only from a fixed list of classes
(``entry_codec``; this module signs, stores and finds the bytes).
A crafted entry could still *claim* a result (no findings), so every entry is signed with an
HMAC whose key lives outside the repository (in the user's cache folder): an entry written on
another machine, or by anyone but this user, does not verify and is ignored.

The cache never changes a result. Any entry that is corrupt, truncated, from another version,
signed with another key or written for another key is ignored (and rewritten). Entries are
written to a temporary file and moved into place (``os.replace``), so a reader never sees half
an entry and two runs at once are safe (the later one's file wins; the other's entries are
computed again next time).

Per-file entries (one per policy file: its documents, issues and position table, so that a file
read from the cache is never read again for a finding's position) are packed 256 ways by key
(``file/3f.pack``): creating a file costs far more than writing a few kilobytes into one (0.65 ms
against 0.02 ms measured on this project's CI disk), so a cold run over 2,000 files writes 256
files, not 2,600. A pack keeps the entries this run used or wrote, then as many older ones, least
recently used dropped first. When the folder cannot be written (a read-only checkout) the run goes
on without a cache.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from incentive_lint.base.resources import catalog_dir, schemas_dir
from incentive_lint.base.version import VERSION
from incentive_lint.engine.entry_codec import _Unencodable, decode, encode

#: the folder name at the repository root
CACHE_DIR_NAME = ".incentive-lint-cache"
#: environment variable naming another cache folder
CACHE_ENV = "INCENTIVE_LINT_CACHE_DIR"
#: bumped whenever what an entry holds changes shape (2: file entries hold the position table)
FORMAT = 2
_MAGIC = b"incentive-lint-cache"
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
#: kinds with one small entry per policy file, stored in packs (see the module's docstring)
PACKED = frozenset({"file"})
#: kinds whose entries are one per state of the whole repository (the whole-run result, the plan
#: memo): only the newest few are kept, or every commit would leave one more behind (25 MB each
#: on 20,000 files). A few, not one: switching branches back and forth still finds its result.
#: "out" holds a run's rendered outputs (``run.check_outputs``), as large as its reports.
KEEP_NEWEST = {"run": 4, "plans": 2, "out": 2}

# --------------------------------------------------------------------------- hashing


def digest(*parts: bytes | str) -> str:
    """A hex key of several parts (each length-prefixed, so that parts cannot run together)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        raw = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(raw).to_bytes(8, "little"))
        h.update(raw)
    return h.hexdigest()


def tree_stamp(*roots: Path) -> str:
    """A key of every file under ``roots`` by path, size and modification time: the tool's own code,
    schemas and rule folders (an edited checkout changes it without a new version number)."""
    rows: list[str] = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                rows.append(f"{path}\x1f{st.st_size}\x1f{st.st_mtime_ns}")
    return digest(*rows)


@functools.lru_cache(maxsize=None)
def code_stamp() -> str:
    """The tool's version with a stamp of its code, shipped schemas and shipped rules."""
    package = Path(__file__).resolve().parent.parent
    return digest(str(FORMAT), VERSION, tree_stamp(package, catalog_dir(), schemas_dir()))


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "incentive-lint" / "cache-key"


def _signing_key() -> bytes | None:
    """This user's secret for signing entries, created on first use; None when it cannot be kept."""
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        try:
            os.link(tmp, path)  # first writer wins: two runs at once agree on one key
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        key = path.read_bytes()
        return key if len(key) >= 32 else None
    except OSError:
        return None


# --------------------------------------------------------------------------- the store


class Cache:
    """Entries by kind and key under one folder; every failure is a miss, never an error."""

    def __init__(self, root: Path, key: bytes | None = None, inside: Path | None = None) -> None:
        self.root = root
        #: the folder the cache must stay in (the repository, for the default location)
        self.inside = inside
        self._real = os.path.realpath(root)
        self._key = key if key is not None else _signing_key()
        self.enabled = self._key is not None
        self._ready = False
        self.hits = self.misses = self.writes = 0
        self._folders: set[Path] = set()
        self._writer: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []
        self._serial = 0
        #: (kind, pack) -> key -> encoded entry, as read from disk and written this run
        self._packs: dict[tuple[str, str], dict[str, bytes]] = {}
        #: keys of each pack this run used or wrote, in that order
        self._used: dict[tuple[str, str], dict[str, None]] = {}
        self._dirty: set[tuple[str, str]] = set()

    def _path(self, kind: str, key: str) -> Path:
        return self.root / f"v{FORMAT}" / kind / key[:2] / f"{key}.json"

    def _header(self, kind: str, key: str) -> bytes:
        return b"\x1f".join([_MAGIC, str(FORMAT).encode(), VERSION.encode(), kind.encode(), key.encode()])

    def _read(self, path: Path, header: bytes) -> bytes | None:
        """The signed payload of the file at ``path``, or None (absent, foreign, tampered with)."""
        try:
            # non-blocking, regular files only: a pipe committed in the cache's place cannot make a run wait
            fd = os.open(path, _READ_FLAGS)
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise OSError("not a regular file")
                raw = handle.read()
        except OSError:
            return None
        head, sep, rest = raw.partition(b"\n")
        signature, sep2, payload = rest.partition(b"\n")
        if not sep or not sep2 or head != header or not hmac.compare_digest(signature, self._sign(head, payload)):
            return None
        return payload

    def _pack_header(self, pack: tuple[str, str]) -> bytes:
        """A pack's header names the tool's code too: after the code changed (an edited checkout,
        the version unchanged) none of its entries can match, and loading them only to miss took a
        20,000-file run 110 MB; such a pack reads as empty and is written anew."""
        return self._header(pack[0], f"pack-{pack[1]}-{code_stamp()}")

    def _pack_id(self, kind: str, key: str) -> tuple[str, str]:
        return kind, key[:2]

    def _pack_path(self, pack: tuple[str, str]) -> Path:
        return self.root / f"v{FORMAT}" / pack[0] / f"{pack[1]}.pack"

    def _load_pack(self, pack: tuple[str, str]) -> dict[str, bytes]:
        """The entries of one pack (read once per run); a damaged pack reads as empty."""
        entries = self._packs.get(pack)
        if entries is not None:
            return entries
        entries = {}
        payload = self._read(self._pack_path(pack), self._pack_header(pack))
        at = 0
        try:
            while payload is not None and at < len(payload):
                line_end = payload.index(b"\n", at)
                name, size = payload[at:line_end].split(b" ")
                start, at = line_end + 1, line_end + 1 + int(size)
                if at > len(payload):
                    raise ValueError("truncated")
                entries[name.decode("ascii")] = payload[start:at]
        except (ValueError, UnicodeDecodeError):
            entries = {}  # signed yet unreadable: written by another version; rebuilt
        self._packs[pack] = entries
        self._used.setdefault(pack, {})
        return entries

    def get(self, kind: str, key: str, decoder: Callable[[bytes], Any] = decode) -> Any | None:
        """The value stored under ``key`` (read by ``decoder``), or None (absent, unreadable, foreign
        or tampered with)."""
        if not self.enabled:
            return None
        if kind in PACKED:
            pack = self._pack_id(kind, key)
            payload = self._load_pack(pack).get(key)
        else:
            payload = self._read(self._path(kind, key), self._header(kind, key))
        if payload is None:
            self.misses += 1
            return None
        try:
            value = decoder(payload)
        except (ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError, RecursionError):
            self.misses += 1
            return None
        self.hits += 1
        if kind in PACKED:
            self._used[pack][key] = None
        return value

    def _sign(self, header: bytes, payload: bytes) -> bytes:
        assert self._key is not None
        return hmac.new(self._key, header + b"\n" + payload, hashlib.sha256).hexdigest().encode()

    def put(self, kind: str, key: str, value: Any, plain: bool = False) -> None:
        """Store ``value`` (atomically, by a writer thread: the disk waits overlap the parsing); a
        value that cannot be encoded is skipped, and after a write error the cache stops writing."""
        if not self.enabled:
            return
        try:
            payload = encode(value, plain=plain)
        except (_Unencodable, ValueError, TypeError, RecursionError):
            return
        self.put_encoded(kind, key, payload)

    def put_encoded(self, kind: str, key: str, payload: bytes) -> None:
        """Store a value already encoded by :func:`encode` (by a worker process, see
        ``FileCache.outcomes``)."""
        if not self.enabled:
            return
        if kind in PACKED:
            pack = self._pack_id(kind, key)
            self._load_pack(pack)[key] = payload
            self._used[pack][key] = None
            self._dirty.add(pack)
            return
        header = self._header(kind, key)
        data = header + b"\n" + self._sign(header, payload) + b"\n" + payload
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incentive-lint-cache")
        self._pending.append(self._writer.submit(self._write, self._path(kind, key), data, KEEP_NEWEST.get(kind)))

    def flush(self) -> None:
        """Write the packs changed and wait for every other write, stopping the writer thread
        (before forking workers, and at the end)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)
        self._pending.clear()
        for pack in sorted(self._dirty):
            entries, used = self._packs[pack], self._used[pack]
            older = [k for k in entries if k not in used][:max(16, len(used))]  # file order: most recent first
            keep = [*used, *older]
            payload = b"".join(b"%s %d\n%s" % (k.encode("ascii"), len(entries[k]), entries[k]) for k in keep)
            header = self._pack_header(pack)
            self._write(self._pack_path(pack), header + b"\n" + self._sign(header, payload) + b"\n" + payload)
            self._packs[pack] = {k: entries[k] for k in keep}
        self._dirty.clear()

    def release(self) -> None:
        """:meth:`flush`, then let go of the packs read: for a run that reads no more files (the
        per-file entries of 20,000 files are about 120 MB, held otherwise through the rules). A
        later read loads its pack again."""
        self.flush()
        self._packs.clear()
        self._used.clear()

    def _write(self, path: Path, data: bytes, keep: int | None = None) -> None:
        """Write one entry (atomically); with ``keep``, then delete all but the newest ``keep``
        entries of its kind."""
        if not self.enabled:
            return
        try:
            self._prepare()
            if path.parent not in self._folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not _within(path.parent, self._real):  # a link committed into the cache folder
                    raise OSError("the cache folder leads elsewhere")
                self._folders.add(path.parent)
            # a name of our own (pid and a counter): tempfile's random names cost more than the write
            self._serial += 1
            tmp = str(path.parent / f".tmp-{os.getpid()}-{self._serial}-{path.name}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
            self.writes += 1
        except OSError:
            self.enabled = False  # a read-only checkout, a full disk: go on without a cache
            return
        if keep is not None:
            self._prune(path.parent.parent, keep, path)

    def _prune(self, folder: Path, keep: int, written: Path) -> None:
        """Delete all but the newest ``keep`` entries under ``folder`` (``kind/xx/key.json``); one
        being read by another run at that moment is a miss for it, never a wrong result."""
        found: list[tuple[int, str]] = []
        try:
            for sub in os.scandir(folder):
                if sub.is_dir(follow_symlinks=False):
                    for entry in os.scandir(sub.path):
                        if entry.name.endswith(".json") and entry.is_file(follow_symlinks=False):
                            found.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
        except OSError:
            return
        found.sort(reverse=True)
        for _, old in found[keep:]:
            if old != str(written):
                try:
                    os.unlink(old)
                except OSError:
                    pass

    def _prepare(self) -> None:
        """Create the folder with a ``.gitignore`` holding ``*`` (git never records the cache)."""
        if self._ready:
            return
        if self.inside is not None and (os.path.islink(self.root) or not _within(self.root, os.path.realpath(self.inside))):
            raise OSError("the cache folder is a link")  # a hostile checkout could point it anywhere
        self.root.mkdir(parents=True, exist_ok=True)
        self._real = os.path.realpath(self.root)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("# Written by incentive-lint: its cache, never to be committed.\n*\n")
            os.replace(tmp, ignore)
        self._ready = True


def _within(path: Path, real_root: str) -> bool:
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def open_cache(repository: Path, given: Path | None = None) -> Cache:
    """The cache of a run at ``repository``; the default folder must be a real folder inside it."""
    root = cache_root(repository, given)
    explicit = given is not None or bool(os.environ.get(CACHE_ENV))
    return Cache(root, inside=None if explicit else repository)


def cache_root(repository: Path, given: Path | None = None, environ: Callable[[str], str | None] = os.environ.get
               ) -> Path:
    """Where the cache lives: ``--cache-dir``, else ``INCENTIVE_LINT_CACHE_DIR``, else
    ``.incentive-lint-cache/`` at the repository root."""
    if given is not None:
        return given
    env = environ(CACHE_ENV)
    if env:
        return Path(env)
    return repository / CACHE_DIR_NAME
