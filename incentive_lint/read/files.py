"""Finding the candidate policy files and reading their text safely, refusing what must not be read.

Nothing here raises for a hostile tree: a link loop, a broken link, a link or a named file
leading outside the root, a folder or file that cannot be opened, a file that vanishes
between listing and reading, a pipe or device, a huge file or a name that is not UTF-8
each becomes one ``file-refused`` issue on that path (with a ``reason`` from
``base.findings.NOT_READ_REASONS``) and the rest is still read. Folders are walked with an
explicit stack, so the depth of a tree is never limited by Python's recursion limit.

:func:`read_text` is the one way any input is opened (policy files, the configuration,
rule files, the exceptions register, baselines): with ``root`` it also refuses a file whose
real location is outside that folder.

Every run has one root (:func:`find_root`: the folder holding ``.incentive-lint.yaml``, else
the git root, else the folder given), and every file is named relative to it
(:func:`root_name`), whatever the arguments and the working folder look like. Which files
are looked at is the :class:`~incentive_lint.read.scope.Scope`: ``include``/``exclude`` globs and the ``.gitignore``
files; what is out of scope is never listed further, opened or read.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence, Tuple

from incentive_lint.base.source import Span
from incentive_lint.read.documents import DEFAULT_LIMITS, Issue, ParsedFile, size_text
from incentive_lint.read.parse import parse_text

MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_size  # the default; 'limits: {max_file_size}' in the configuration
YAML_EXTENSIONS = (".yaml", ".yml")
#: the configuration file; the folder holding it is the root of a run (``settings.config`` reads it)
CONFIG_FILE = ".incentive-lint.yaml"
GITIGNORE = ".gitignore"
REFUSED = "file-refused"
#: where a file must be for ``read_text(..., root=...)``, as the messages say it
THE_FOLDER = "the folder being checked"
THE_REPOSITORY = "the repository"
# O_NONBLOCK: a file swapped for a pipe after the check cannot make open() wait for a writer.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


# --------------------------------------------------------------------------- names and roots


def shown(name: str) -> str:
    """A path as it can always be printed: bytes that are not UTF-8 (kept by Python as lone
    surrogates) are written as ``\\xNN`` instead of crashing every output."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        try:
            return os.fsencode(name).decode("utf-8", "backslashreplace")
        except UnicodeError:
            return name.encode("utf-8", "backslashreplace").decode("ascii")


def is_utf8_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_name(path: Path, cwd: Path) -> str:
    """The name users see: relative to ``cwd`` when inside it, POSIX, printable."""
    try:
        return shown(path.relative_to(cwd).as_posix())
    except ValueError:
        return shown(path.as_posix())


def relative_name(path: Path, cwd: Path) -> str:
    """Like :func:`display_name`, but a path outside ``cwd`` is shown relative to it too
    (``../shared/rules``), so that a finding about it does not depend on where the checkout is."""
    return shown(Path(os.path.relpath(os.path.abspath(path), os.path.abspath(cwd))).as_posix())


def _absolute(path: Path, cwd: Path) -> Path:
    """``path`` made absolute against ``cwd``, lexically (links are not followed, ``..`` folded)."""
    return Path(os.path.abspath(path if path.is_absolute() else cwd / path))


def find_root(paths: Sequence[Path], cwd: Path) -> Path:
    """The root of a run: every path shown is relative to it.

    From the first of ``paths`` (a folder, or the folder of a file) upwards: the first folder
    holding ``.incentive-lint.yaml``, else the folder holding ``.git`` (the search for the
    configuration stops there too, as ``settings.config.discover`` does); else the folder
    given (the folder the given paths have in common). Lexical absolute path, so that the
    names of files found under it are relative to it whether the paths were given absolute,
    relative, with ``..`` or from a subfolder.
    """
    given = [_absolute(p, cwd) for p in paths] or [_absolute(Path("."), cwd)]
    folders = [g if os.path.isdir(g) else g.parent for g in given]  # os.path: never raises
    for folder in (folders[0], *folders[0].parents):
        if os.path.lexists(folder / CONFIG_FILE) or os.path.lexists(folder / ".git"):
            return folder
    try:
        return Path(os.path.commonpath([str(f) for f in folders]))
    except ValueError:  # different drives (Windows): the first one's
        return folders[0]


def root_name(path: Path, root: Path) -> str:
    """The name of ``path`` as every output, baseline and register writes it: POSIX, relative
    to ``root``; a path outside it is relative too (``../shared/plans.yaml``), never absolute,
    so that it does not depend on where the checkout is."""
    text = os.path.abspath(path)
    # the common case in plain string operations: pathlib's relative_to costs 40 us a file
    prefix = os.path.join(os.path.abspath(root), "")
    if text.startswith(prefix) and len(text) > len(prefix):
        rest = text[len(prefix):]
        return shown(rest if os.sep == "/" else rest.replace(os.sep, "/"))
    absolute = Path(text)
    try:
        return shown(absolute.relative_to(root).as_posix())
    except ValueError:
        pass
    real, real_root = os.path.realpath(absolute), os.path.realpath(root)  # reached through a link
    if Path(real).is_relative_to(real_root):
        return shown(Path(real).relative_to(real_root).as_posix())
    return relative_name(absolute, root)


def repository_root(start: Path) -> Path:
    """The real folder holding ``.git`` at or above ``start``, else ``start`` itself (real path).

    Paths that a file of the repository names (rule folders, the exceptions register) and
    files found in it (the configuration, the register) must stay inside this folder."""
    here = Path(os.path.realpath(start))
    for folder in (here, *here.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return here


def is_inside(path: Path, root: Path) -> bool:
    """Whether the real location of ``path`` (links followed, loops tolerated) is in ``root``."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def refused(display: str, reason: str, message: str, span: Span | None = None) -> Issue:
    """A ``file-refused`` issue on ``display`` (or at ``span``, e.g. the config line naming it)."""
    return Issue(REFUSED, span or Span.at(display, 1), message, args=(("reason", reason), ("file", display)))


def outside_issue(path: Path, display: str, root: Path, where: str = THE_REPOSITORY,
                  span: Span | None = None, what: str = "") -> Issue | None:
    """The refusal of a path whose real location is outside ``root``, or ``None`` if it is inside."""
    if is_inside(path, root):
        return None
    reason = "outside" if where == THE_FOLDER else "outside-repository"
    lexical = Path(os.path.abspath(path)).is_relative_to(os.path.realpath(root)) or \
        Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root))
    subject = what or f"'{display}'"
    if lexical:
        text = f"{subject} is a link to a place outside {where}; it was not read. Copy it into {where} instead."
    else:
        text = f"{subject} is outside {where}; it was not read. Keep it inside {where}."
    return refused(display, reason, text, span)


def _os_refusal(display: str, exc: OSError, folder: bool = False) -> Issue:
    """The finding for a path the operating system would not let us open."""
    what = f"the folder '{display}'" if folder else f"'{display}'"
    lost = "; none of its files were checked" if folder else "; it was not read"
    if isinstance(exc, PermissionError):
        return refused(display, "permission", f"{what} could not be opened: permission denied{lost}. Make it "
                       "readable for the account that runs the check (or move it out of the checked folder).")
    if exc.errno == errno.ELOOP:
        return refused(display, "loop", f"{what} is a link that leads round in a loop of links{lost}. Replace the "
                       "link with the file itself.")
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return refused(display, "vanished", f"{what} disappeared while the check was running (deleted or "
                       f"renamed){lost}. Run the check again.")
    if exc.errno == errno.ENAMETOOLONG:
        return refused(display, "too-long", f"{what} has a path too long to open{lost}. Move it to a shallower "
                       "folder or shorten the folder names.")
    return refused(display, "error", f"{what} could not be read: {exc.strerror or exc}{lost}.")


# --------------------------------------------------------------------------- discovery


class Scoping(Protocol):
    """What the walk asks of a scope (``read.scope.Scope`` is the one the runs use)."""

    root: Path

    def skips(self, path: Path, is_folder: bool) -> bool: ...


@dataclass(frozen=True)
class Candidate:
    """A file to lint: its real path and the name shown to users."""

    path: Path
    display: str


def discover(paths: Sequence[Path], cwd: Path, root: Path | None = None,
             scope: Scoping | None = None) -> tuple[list[Candidate], list[Issue]]:
    """Find ``*.yaml``/``*.yml`` under ``paths`` (hidden folders and files skipped), named
    relative to ``root`` (default ``cwd``); what ``scope`` leaves out is not walked or read.

    Raises ``FileNotFoundError`` for a path that does not exist (a usage error); every other
    problem with a path is a ``file-refused`` issue and the other paths are still found.
    """
    base = Path(os.path.abspath(root if root is not None else cwd))
    found: dict[str, Candidate] = {}
    issues: list[Issue] = []
    for given in paths:
        absolute = _absolute(given, cwd)
        try:
            os.lstat(absolute)
        except (FileNotFoundError, NotADirectoryError):
            raise FileNotFoundError(str(given)) from None
        except OSError as exc:  # e.g. inside a folder that may not be opened
            issues.append(_os_refusal(root_name(absolute, base), exc))
            continue
        is_folder = os.path.isdir(absolute)  # a folder given on the command line may itself be a link
        if scope is not None and _named_out(absolute, is_folder, scope):
            continue
        if is_folder:
            _walk(absolute, Path(os.path.realpath(absolute)), base, found, issues, scope)
        else:
            _add(absolute, Path(os.path.realpath(absolute.parent)), base, found, issues)
    ordered = sorted(found.values(), key=lambda c: c.display)
    unique = {(i.span.file, i.message): i for i in issues}  # a path named twice is reported once
    return ordered, [unique[k] for k in sorted(unique)]


def _named_out(path: Path, is_folder: bool, scope: Scoping) -> bool:
    """Whether a path named on the command line, or a folder above it, is out of scope
    (``check deploy/web.yaml`` with ``deploy/`` excluded reads nothing)."""
    try:
        parts = path.relative_to(scope.root).parts
    except ValueError:
        return False
    for depth in range(1, len(parts)):
        if scope.skips(scope.root.joinpath(*parts[:depth]), True):
            return True
    return scope.skips(path, is_folder)


def _walk(top: Path, root: Path, base: Path, found: dict[str, Candidate], issues: list[Issue],
          scope: Scoping | None = None) -> None:
    """Every YAML file under ``top``. A link to a folder inside ``root`` is followed once: a link
    back to the folder it sits in or to one above it is a loop (refused), a second name for a
    folder already walked adds nothing, and a link leading outside ``root`` is refused."""
    stack = [top]
    visited = {_folder_key(top)}
    prefix = os.path.join(os.path.abspath(base), "")  # names below ``base`` by string slicing (see _add)
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            issues.append(_os_refusal(root_name(folder, base), exc, folder=True))
            continue
        subfolders: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            path = folder / entry.name  # a child of a Path: cheaper than parsing entry.path again
            if scope is not None and (is_folder or entry.name.endswith(YAML_EXTENSIONS) or entry.is_symlink()) \
                    and scope.skips(path, is_folder or (entry.is_symlink() and os.path.isdir(path))):
                continue  # out of scope: never listed further, opened or read
            if not is_folder and entry.is_symlink() and os.path.isdir(path):
                target = _folder_link(path, folder, root, base, visited, issues)
                if target is not None:
                    visited.add(target)
                    subfolders.append(path)
                continue
            if is_folder:
                if not is_utf8_name(entry.name):
                    display = root_name(path, base)
                    issues.append(refused(display, "name", f"the folder name '{display}' is not UTF-8 text; none of "
                                          "its files were checked. Rename the folder with ordinary letters."))
                else:
                    key = _folder_key(path, entry)
                    if key not in visited:  # not already walked through a link
                        visited.add(key)
                        subfolders.append(path)
            elif entry.name.endswith(YAML_EXTENSIONS):
                rest = entry.path[len(prefix):] if entry.path.startswith(prefix) else None
                _add(path, root, base, found, issues,
                     None if rest is None else shown(rest if os.sep == "/" else rest.replace(os.sep, "/")))
        stack.extend(reversed(subfolders))


#: a folder's identity (device, inode): the same for every name of it, links included
FolderKey = Tuple[int, int]


def _folder_key(path: Path, entry: os.DirEntry | None = None) -> FolderKey:
    """Which folder ``path`` is, whatever the name it was reached by. Not ``os.path.realpath``:
    that takes one ``lstat`` per component of the name, so walking a tree 960 folders deep cost
    half a million system calls (23 s); one ``stat`` per folder keeps the walk linear."""
    try:
        info = entry.stat() if entry is not None else os.stat(path)
    except OSError:  # gone or closed meanwhile: listing it will say so
        return (-1, hash(os.path.abspath(path)))
    return (info.st_dev, info.st_ino)


def _folder_link(path: Path, folder: Path, root: Path, base: Path, visited: set[FolderKey],
                 issues: list[Issue]) -> FolderKey | None:
    """The real folder a link to a folder leads to, if it is to be walked; else ``None``
    (with a refusal for a loop or a place outside ``root``)."""
    display = root_name(path, base)
    problem = outside_issue(path, display, root, THE_FOLDER)
    if problem is not None:
        issues.append(problem)
        return None
    real = os.path.realpath(path)
    here = os.path.realpath(folder)
    if here == real or here.startswith(real.rstrip(os.sep) + os.sep):
        issues.append(refused(display, "loop", f"'{display}' is a link to the folder it sits in or to one above "
                              "it, a loop; it was not followed (the files it leads to are checked under their own "
                              "names). Remove the link."))
        return None
    key = _folder_key(path)
    if key in visited:  # a second name for a folder already walked: its files are checked once
        return None
    return key


def _add(path: Path, root: Path, base: Path, found: dict[str, Candidate], issues: list[Issue],
         display: str | None = None) -> None:
    """Add the file at ``path``, named ``display`` (default: its name relative to ``base``)."""
    display = display if display is not None else root_name(path, base)
    if not is_utf8_name(str(path)):
        issues.append(refused(display, "name", f"the file name '{display}' is not UTF-8 text; it was not read. "
                              "Rename the file with ordinary letters."))
        return
    try:
        info = os.lstat(path)
    except OSError as exc:  # gone since the folder was listed, or its folder closed meanwhile
        issues.append(_os_refusal(display, exc))
        return
    if stat.S_ISLNK(info.st_mode):
        try:
            os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            issues.append(refused(display, "broken-link", f"'{display}' is a link to a file that does not exist; it "
                                  "was not read. Remove the link or restore the file it points to."))
            return
        except OSError as exc:
            issues.append(_os_refusal(display, exc))
            return
        problem = outside_issue(path, display, root, THE_FOLDER)
        if problem is not None:
            issues.append(problem)
            return
    found.setdefault(display, Candidate(path, display))


# --------------------------------------------------------------------------- reading


def read_text(path: Path, display: str, root: Path | None = None,
              where: str = THE_REPOSITORY, max_bytes: int = MAX_FILE_BYTES) -> tuple[str | None, Issue | None]:
    """Read a regular UTF-8 file, refusing FIFOs, devices and huge files before reading, and
    with ``root`` a file whose real location is outside ``root``. Never raises ``OSError``."""
    if root is not None:
        problem = outside_issue(path, display, root, where)
        if problem is not None:
            return None, problem
    try:
        info = os.stat(path)
    except OSError as exc:
        return None, _os_refusal(display, exc)
    problem = _refuse_kind(display, info, max_bytes)
    if problem is not None:
        return None, problem
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        return None, _os_refusal(display, exc)
    try:
        problem = _refuse_kind(display, os.fstat(fd), max_bytes)  # the file opened may not be the one looked at
        if problem is not None:
            return None, problem
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, _os_refusal(display, exc)
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        return None, _too_large(display, len(raw), max_bytes)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = raw[exc.start:exc.start + 1].hex()
        return None, Issue("not-utf8", Span.at(display, line, col),
                           f"'{display}' is not UTF-8 text (byte 0x{byte} at line {line}, column {col}); "
                           "save the file as UTF-8.")


def unreadable(path: Path, display: str) -> Issue | None:
    """Why ``path`` cannot be read (a loop, a broken link, a pipe, no permission...), found
    without opening it; ``None`` when it looks readable."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError) as exc:
        if os.path.islink(path):
            return refused(display, "broken-link", f"'{display}' is a link to a file that does not exist; it was "
                           "not read. Remove the link or restore the file it points to.")
        return _os_refusal(display, exc)
    except OSError as exc:
        return _os_refusal(display, exc)
    return _refuse_kind(display, info)


def _refuse_kind(display: str, info: os.stat_result, max_bytes: int = MAX_FILE_BYTES) -> Issue | None:
    if not stat.S_ISREG(info.st_mode):
        return refused(display, "special", f"'{display}' is not a regular file (a pipe, device, socket or folder); "
                       "it was not read. Keep policy files as ordinary files.")
    if info.st_size > max_bytes:
        return _too_large(display, info.st_size, max_bytes)
    return None


def _too_large(display: str, size: int, max_bytes: int = MAX_FILE_BYTES) -> Issue:
    big, cap = size_text(size), size_text(max_bytes)
    if big == cap:  # just over: the rounded sizes would read the same
        big, cap = f"{size:,} bytes", f"{max_bytes:,} bytes"
    return refused(display, "too-large", f"'{display}' is {big}, larger than the {cap} a "
                   "policy file may be (the limit is 'limits: max_file_size' in the configuration); it was not read. "
                   "Split it into several files.")


def read_settings(path: Path, display: str, error: type[Exception], words_only: bool = False,
                  root: Path | None = None) -> ParsedFile:
    """Read one of the tool's own files (configuration, rule, baseline): any input mistake
    stops the run with ``error`` naming file, line and column. With ``words_only``, unquoted
    'off' or 'on' are taken as the words they are meant to be there; with ``root``, a file
    outside it is refused (see :func:`read_text`)."""
    text, issue = read_text(path, display, root)
    if text is None:
        raise error(issue.message if issue else f"{display} could not be read.")
    parsed = parse_text(text, display)
    problems = [i for i in parsed.issues if not (words_only and i.rule == "ambiguous-value")]
    if problems:
        first = problems[0]
        raise error(f"{display}:{first.span.start.line}:{first.span.start.column}: {first.message}")
    return parsed
