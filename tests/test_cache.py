"""The persistent cache never changes a result: cold, warm and no cache give the same bytes,
and broken, foreign or tampered entries are ignored."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from incentive_lint.cli import cli
from incentive_lint.engine.cache import Cache
from incentive_lint.engine.entry_codec import decode, encode

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*ROOT.glob("examples/*/"), *ROOT.glob("tests/realistic/*/")])


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    monkeypatch.delenv("INCENTIVE_LINT_CACHE_DIR", raising=False)


def _outputs(repo: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, str, str]:
    monkeypatch.chdir(repo)
    runner = CliRunner()
    a = runner.invoke(cli, ["check", "--as-of", "2025-03-01", "-f", "json", "--fail-on", "never", *extra])
    b = runner.invoke(cli, ["check", "--as-of", "2025-03-01", "--no-color", *extra])
    assert a.exception is None or isinstance(a.exception, SystemExit), a.output
    return b.exit_code, a.stdout, b.stdout


def _corpus(tmp_path: Path) -> Path:
    out = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--files", "150", "--out", str(out)],
                   check=True, capture_output=True)
    return out


@pytest.mark.parametrize("source", [*SOURCES, "bench"], ids=lambda p: p if isinstance(p, str) else p.name)
def test_cold_warm_and_no_cache_give_the_same_bytes(source: Path | str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(_corpus(tmp_path) if source == "bench" else source, repo)
    cache = tmp_path / "cache"
    none = _outputs(repo, monkeypatch, "--no-cache")
    cold = _outputs(repo, monkeypatch, "--cache-dir", str(cache))
    warm = _outputs(repo, monkeypatch, "--cache-dir", str(cache))
    assert none == cold == warm
    assert any(cache.rglob("*.json")) and (cache / ".gitignore").read_text().strip().endswith("*")
    # one file edited: the others come from the cache, the result is the fresh one
    victim = sorted(repo.rglob("*.yaml"))[-1]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert _outputs(repo, monkeypatch, "--cache-dir", str(cache)) == _outputs(repo, monkeypatch, "--no-cache")
    name = victim.relative_to(repo).as_posix()
    alone = _outputs(repo, monkeypatch, "--no-cache", "--only-files", name)
    assert _outputs(repo, monkeypatch, "--cache-dir", str(cache), "--only-files", name) == alone
    # again, unchanged: from the whole-run entry, which reads only the findings touching the file
    assert _outputs(repo, monkeypatch, "--cache-dir", str(cache), "--only-files", name) == alone


def test_broken_and_tampered_entries_are_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "manufacturer", repo)
    cache = tmp_path / "cache"
    expected = _outputs(repo, monkeypatch, "--no-cache")
    assert _outputs(repo, monkeypatch, "--cache-dir", str(cache)) == expected
    entries = sorted([*cache.rglob("*.json"), *cache.rglob("*.pack")])
    assert any(e.suffix == ".pack" for e in entries) and any(e.suffix == ".json" for e in entries)
    for i, entry in enumerate(entries):
        raw = entry.read_bytes()
        if i % 3 == 0:
            entry.write_bytes(raw[: len(raw) // 2])  # truncated
        elif i % 3 == 1:
            entry.write_bytes(raw.replace(b'"findings"', b'"findingz"'))  # edited: the signature fails
        else:
            entry.write_bytes(b"\x00garbage")
    assert _outputs(repo, monkeypatch, "--cache-dir", str(cache)) == expected
    assert _outputs(repo, monkeypatch, "--cache-dir", str(cache)) == expected  # rewritten entries hold


def test_an_entry_signed_with_another_key_is_not_trusted(tmp_path: Path) -> None:
    theirs, ours = Cache(tmp_path, key=b"a" * 32), Cache(tmp_path, key=b"b" * 32)
    theirs.put("run", "k" * 40, {"result": "forged"})
    theirs.flush()
    assert theirs.get("run", "k" * 40) == {"result": "forged"}
    assert ours.get("run", "k" * 40) is None


def test_a_cache_folder_that_cannot_be_written_does_not_stop_the_run(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "broken", repo)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    expected = _outputs(repo, monkeypatch, "--no-cache")
    assert _outputs(repo, monkeypatch, "--cache-dir", str(blocker / "cache")) == expected


def test_a_linked_default_cache_folder_is_never_written_through(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "manufacturer", repo)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / ".incentive-lint-cache").symlink_to(elsewhere)
    expected = _outputs(repo, monkeypatch, "--no-cache")
    assert _outputs(repo, monkeypatch) == expected
    assert list(elsewhere.iterdir()) == []


def test_the_default_cache_is_at_the_root_and_ignored_by_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "manufacturer", repo)
    _outputs(repo, monkeypatch)
    assert (repo / ".incentive-lint-cache" / ".gitignore").is_file()


@pytest.mark.parametrize("value", [
    {1: "int key", None: [1.5, True], "\x01": "our tag as a key"}, (1, (2, "x")), float("nan"), float("-inf"),
    [{"a": {"b": [1, 2, {"c": None}]}}], {"x": (1, 2)}])
def test_values_come_back_with_their_types(value: object) -> None:
    back = decode(encode(value, plain=True))
    assert repr(back) == repr(value)


def test_an_unknown_tag_is_refused_not_built() -> None:
    with pytest.raises(ValueError):
        decode(b'{"\\u0001": "os.system", "v": ["echo hi"]}')


def test_per_file_entries_share_packs_and_survive_a_new_run(tmp_path: Path) -> None:
    first = Cache(tmp_path, key=b"k" * 32)
    keys = [f"{i:02x}{'0' * 38}" for i in range(3)] + ["00" + "1" * 38]  # two share the pack '00'
    for i, key in enumerate(keys):
        first.put("file", key, {"n": i})
    first.flush()
    packs = sorted(p.name for p in tmp_path.rglob("*.pack"))
    assert packs == ["00.pack", "01.pack", "02.pack"]
    second = Cache(tmp_path, key=b"k" * 32)
    assert [second.get("file", key) for key in keys] == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]


def test_a_damaged_pack_is_a_miss_for_each_of_its_entries(tmp_path: Path) -> None:
    store = Cache(tmp_path, key=b"k" * 32)
    store.put("file", "ab" + "0" * 38, [1])
    store.flush()
    [pack] = tmp_path.rglob("*.pack")
    pack.write_bytes(pack.read_bytes()[:-3])
    assert Cache(tmp_path, key=b"k" * 32).get("file", "ab" + "0" * 38) is None


def test_packs_of_other_code_are_not_loaded_and_are_written_anew(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """An edited checkout keeps its version number: its per-file packs from before the edit hold
    nothing it can use, so they read as empty (not loaded to miss) and the next write replaces them."""
    import incentive_lint.engine.cache as cache_module

    store = Cache(tmp_path, key=b"k" * 32)
    store.put("file", "ab" + "0" * 38, [1])
    store.flush()
    [pack] = tmp_path.rglob("*.pack")
    before = pack.read_bytes()
    assert Cache(tmp_path, key=b"k" * 32).get("file", "ab" + "0" * 38) == [1]
    monkeypatch.setattr(cache_module, "code_stamp", lambda: "another-code")
    edited = Cache(tmp_path, key=b"k" * 32)
    assert edited.get("file", "ab" + "0" * 38) is None
    assert edited._load_pack(("file", "ab")) == {}
    edited.put("file", "ab" + "1" * 38, [2])
    edited.flush()
    assert pack.read_bytes() != before and b"ab" + b"0" * 38 not in pack.read_bytes()
    assert Cache(tmp_path, key=b"k" * 32).get("file", "ab" + "1" * 38) == [2]


def test_a_pack_drops_its_least_recently_used_entries(tmp_path: Path) -> None:
    old = [f"ab{i:038d}" for i in range(40)]
    store = Cache(tmp_path, key=b"k" * 32)
    for key in old:
        store.put("file", key, key)
    store.flush()
    later = Cache(tmp_path, key=b"k" * 32)
    assert later.get("file", old[0]) == old[0]  # used by this run
    later.put("file", "ab" + "x" * 38, "new")
    later.flush()
    kept = Cache(tmp_path, key=b"k" * 32)
    assert kept.get("file", old[0]) == old[0] and kept.get("file", "ab" + "x" * 38) == "new"
    assert sum(kept.get("file", key) is not None for key in old[1:]) == 16  # as many older ones as the floor


def test_an_unchanged_file_is_not_read_again_and_a_rewritten_one_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                     ) -> None:
    import os

    from incentive_lint.engine import file_cache as cache_module
    from incentive_lint.read.files import Candidate

    plan = tmp_path / "plan.yaml"
    plan.write_text("kind: Strategy\nid: s\n", encoding="utf-8")
    old = 1_600_000_000_000_000_000
    os.utime(plan, ns=(old, old))  # long ago: its state may be remembered (ctime is now, see below)
    monkeypatch.setattr(cache_module.time, "time_ns", lambda: os.stat(plan).st_ctime_ns + 10_000_000_000)
    store = Cache(tmp_path / "cache", key=b"k" * 32)
    candidates = [Candidate(plan, "plan.yaml")]
    from incentive_lint.read.documents import DEFAULT_LIMITS
    first = cache_module.FileCache(store, "salt", tmp_path)
    first.hash_all(candidates, DEFAULT_LIMITS, {})
    store.flush()
    reads: list[str] = []
    real = cache_module.read_text
    monkeypatch.setattr(cache_module, "read_text", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    again = cache_module.FileCache(Cache(tmp_path / "cache", key=b"k" * 32), "salt", tmp_path)
    again.hash_all(candidates, DEFAULT_LIMITS, {})
    assert reads == [] and again.keys == first.keys  # remembered: not read
    import time as _time
    _time.sleep(0.05)  # past the file system's time-stamp granularity (a few milliseconds)
    plan.write_text("kind: Strategy\nid: t\n", encoding="utf-8")  # same size, new content
    os.utime(plan, ns=(old, old))  # even with its modification time set back, its change time moved
    third = cache_module.FileCache(Cache(tmp_path / "cache", key=b"k" * 32), "salt", tmp_path)
    third.hash_all(candidates, DEFAULT_LIMITS, {})
    assert reads == ["plan.yaml"] and third.keys != first.keys


def test_entries_encoded_by_worker_processes_read_back_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(_corpus(tmp_path), repo)  # 150 files: with -j 2, read (and encoded) in two workers
    cache = tmp_path / "cache"
    none = _outputs(repo, monkeypatch, "--no-cache")
    assert _outputs(repo, monkeypatch, "--cache-dir", str(cache), "-j", "2") == none
    assert any(cache.rglob("*.pack"))
    victim = sorted(repo.rglob("*.yaml"))[-1]  # the whole-run entry no longer holds: every file from its own
    victim.write_text(victim.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert _outputs(repo, monkeypatch, "--cache-dir", str(cache), "-j", "1") == _outputs(repo, monkeypatch, "--no-cache")
    victim.write_text(victim.read_text(encoding="utf-8") + "# again\n", encoding="utf-8")
    import datetime as _dt

    from incentive_lint.run import LintOptions, check
    _, ws = check(LintOptions(paths=[repo], cwd=repo, cache=True, cache_dir=cache, jobs=1,
                              as_of=_dt.date(2025, 3, 1)))
    assert ws.file_cache is not None and ws.file_cache.parsed == 1  # the workers' entries were read back


def test_only_the_newest_whole_run_entries_are_kept(tmp_path: Path) -> None:
    import os
    import time

    from incentive_lint.engine.cache import KEEP_NEWEST

    store = Cache(tmp_path / "cache", key=b"k" * 32)
    keep = KEEP_NEWEST["run"]
    keys = [f"{n:02x}" + "0" * 38 for n in range(keep + 3)]
    for n, key in enumerate(keys):
        store.put("run", key, {"n": n})
        store.flush()
        path = store._path("run", key)
        # in the past but each newer than the last (a coarse clock could not order them otherwise)
        os.utime(path, ns=(time.time_ns() - (100 - n) * 1_000_000_000,) * 2)
    assert [store.get("run", key) for key in keys] == [None] * 3 + [{"n": n} for n in range(3, keep + 3)]
    # packed per-file entries are never pruned this way
    store.put("file", "ab" + "0" * 38, {"x": 1})
    store.flush()
    store.put("run", "ff" + "0" * 38, {"n": 99})
    store.flush()
    assert Cache(tmp_path / "cache", key=b"k" * 32).get("file", "ab" + "0" * 38) == {"x": 1}


def test_propose_reads_an_unchanged_repository_s_result_from_the_cache(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import datetime

    import incentive_lint.engine.engine as engine_module
    from incentive_lint.engine.workspace import LintOptions, prepare
    from incentive_lint.run import lint, lint_cached

    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "manufacturer", repo)
    options = LintOptions(paths=[repo], as_of=datetime.date(2025, 3, 1), root=repo, cwd=repo, cache=True,
                          cache_dir=tmp_path / "cache")
    expected, _ = lint(dataclasses.replace(options, cache=False))
    first, _ = lint_cached(options, prepare(options))  # linted, and the result stored
    assert first == expected
    monkeypatch.setattr(engine_module, "FUNCTIONS", {})  # a rule run now would fail with a KeyError
    again, ws = lint_cached(options, prepare(options))
    assert again == expected and ws.model.plans


def test_released_packs_are_written_and_read_again_when_asked(tmp_path: Path) -> None:
    store = Cache(tmp_path, key=b"k" * 32)
    store.put("file", "ab" + "0" * 38, [1])
    store.release()
    assert store._packs == {} and any(tmp_path.rglob("*.pack"))
    assert store.get("file", "ab" + "0" * 38) == [1]  # loaded from disk again
