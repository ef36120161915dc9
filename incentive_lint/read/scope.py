"""Which files under the root a run looks at: the ``include``/``exclude`` globs and the
``.gitignore`` files, matched with the ``pathspec`` library (git's own rules). What is out of
scope is never listed further, opened or read (``files.discover`` asks :meth:`Scope.skips`)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from incentive_lint.read.files import GITIGNORE, read_text, shown

if TYPE_CHECKING:
    import pathspec


def _spec(patterns: Iterable[str]) -> pathspec.PathSpec | None:
    """Patterns in ``.gitignore`` syntax (``deploy/``, ``**/generated/*.yaml``, ``!keep.yaml``)."""
    lines = [p for p in patterns if p.strip()]
    if not any(not p.startswith("#") for p in lines):
        return None  # only comments, as in the .git/info/exclude of every new repository
    import pathspec  # only where there are patterns: it takes 50 ms to load

    return pathspec.GitIgnoreSpec.from_lines(lines)


class Scope:
    """Which files under the root a run looks at.

    ``exclude`` (the configuration's and ``--exclude``) and ``include`` are globs in
    ``.gitignore`` syntax, relative to the root. The ``.gitignore`` files are read with the
    ``pathspec`` library (git's own matching rules), not by asking git: the check then works
    where git is not installed (a container, a pre-commit environment, an exported tree), gives
    the same answer everywhere (no personal ``core.excludesFile``), and a folder ignored is
    never listed. As in git, the ``.gitignore`` of every folder from the git root (else the
    root) down applies to the paths below it, the deeper one winning, plus
    ``.git/info/exclude``; a folder ignored cannot have files brought back. Whether a file is
    tracked plays no part (as in ruff): an ignored file is not checked.
    """

    def __init__(self, root: Path, include: Sequence[str] = (), exclude: Sequence[str] = (),
                 respect_gitignore: bool = True) -> None:
        self.root = Path(os.path.abspath(root))
        self._prefix = os.path.join(str(self.root), "")
        self.include = _spec(include)
        self.exclude = _spec(exclude)
        self.respect_gitignore = respect_gitignore
        #: root-relative names of the files and folders left out, sorted when read
        self.left_out: list[str] = []
        self._ignores: dict[Path, list[tuple[Path, pathspec.PathSpec]]] = {}
        self._by_text: dict[str, list[tuple[str, pathspec.PathSpec]]] = {}
        self._top = self._git_top() if respect_gitignore else self.root

    def _git_top(self) -> Path:
        for folder in (self.root, *self.root.parents):
            if os.path.lexists(folder / ".git"):
                return folder
        return self.root

    def _own(self, folder: Path) -> list[tuple[Path, pathspec.PathSpec]]:
        """The ignore patterns written in ``folder`` itself (its ``.gitignore``; at the git top
        also ``.git/info/exclude``). A file that cannot be read is passed over: it only narrows."""
        found: list[tuple[Path, pathspec.PathSpec]] = []
        names = [folder / GITIGNORE] + ([folder / ".git" / "info" / "exclude"] if folder == self._top else [])
        for name in names:
            if not os.path.isfile(name):
                continue
            text, _ = read_text(name, name.name, root=self._top)
            spec = _spec(text.splitlines()) if text else None
            if spec is not None:
                found.append((folder, spec))
        return found

    def _gitignores(self, folder: Path) -> list[tuple[Path, pathspec.PathSpec]]:
        """The ignore patterns applying inside ``folder``, shallowest first (cached per folder)."""
        cached = self._ignores.get(folder)
        if cached is not None:
            return cached
        if folder == self._top or not folder.is_relative_to(self._top):
            specs = self._own(folder)
        else:
            specs = [*self._gitignores(folder.parent), *self._own(folder)]
        self._ignores[folder] = specs
        return specs

    def skips(self, path: Path, is_folder: bool) -> bool:
        """Whether ``path`` (lexically absolute) is out of scope; if so it is noted in ``left_out``."""
        if self.exclude is None and self.include is None and not self.respect_gitignore:
            return False  # nothing to match: asked once per file and folder, so answered at once
        text = os.fspath(path)
        if not text.startswith(self._prefix) or len(text) == len(self._prefix):
            return False  # the root itself, or named on the command line outside it: nothing to match
        rel = text[len(self._prefix):]  # string operations: pathlib's relative_to costs 15 us a path
        rel = rel if os.sep == "/" else rel.replace(os.sep, "/")
        name = rel + "/" if is_folder else rel
        out = self.exclude is not None and self.exclude.match_file(name)
        if not out and not is_folder and self.include is not None:
            out = not self.include.match_file(rel)
        if not out and self.respect_gitignore:
            out = self._ignored(text, is_folder)
        if out:
            self.left_out.append(shown(rel))
        return out

    def _ignored(self, text: str, is_folder: bool) -> bool:
        """Whether the ``.gitignore`` files ignore the path ``text`` (lexically absolute), the
        deepest verdict winning. Names relative to each file's folder by string slicing: the
        folders are ancestors of the path by construction, and pathlib's ``parent`` and
        ``relative_to`` cost a 20,000-file walk 0.4 s."""
        ignored = False
        for prefix, spec in self._folder_ignores(os.path.dirname(text)):
            rel = text[len(prefix):]
            rel = rel if os.sep == "/" else rel.replace(os.sep, "/")
            verdict = spec.check_file(rel + "/" if is_folder else rel).include
            if verdict is not None:
                ignored = verdict
        return ignored

    def _folder_ignores(self, folder: str) -> list[tuple[str, pathspec.PathSpec]]:
        """``_gitignores`` of a folder named as text, each with its folder as a prefix (cached)."""
        cached = self._by_text.get(folder)
        if cached is None:
            cached = self._by_text[folder] = [(os.path.join(str(base), ""), spec)
                                              for base, spec in self._gitignores(Path(folder))]
        return cached
