"""One root, one path space: the same check gives the same names from anywhere.

The root of a run is the folder holding ``.incentive-lint.yaml``, else the git root, else
the folder given; every path in every output, baseline and exceptions register is POSIX and
relative to it, whether the command runs from the root, a subfolder or the parent, with
relative, ``..`` or absolute arguments.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from .cli_run import run_in_process
from incentive_lint.read.files import find_root, root_name

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "manufacturer"
AS_OF = "2025-03-01"
SARIF_SCHEMA = "sarif-schema-2.1.0.json"
SARIF_CANDIDATES = (ROOT.parent / "shared" / "data" / SARIF_SCHEMA, ROOT / "tests" / "data" / SARIF_SCHEMA)


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cwd: Path,
        *args: str) -> tuple[int, str, str]:
    """``incentive-lint ARGS`` in-process from ``cwd``: (exit code, stdout, stderr)."""
    return run_in_process(capsys, monkeypatch, cwd, args)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository (``.git`` marks it) holding the manufacturer example in ``policies/``."""
    top = tmp_path / "repo"
    shutil.copytree(EXAMPLE, top / "policies")
    (top / ".git").mkdir()
    return top


#: (working folder relative to tmp_path, how the example folder is named from there)
PLACES = {
    "root": ("repo", "policies"),
    "subfolder": ("repo/policies", "."),
    "deeper, with ..": ("repo/policies/plans", ".."),
    "parent": (".", "repo/policies"),
    "absolute": ("elsewhere", "{abs}"),
}


def _check(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, repo: Path, place: str,
           *args: str) -> tuple[int, str, str]:
    folder, target = PLACES[place]
    cwd = repo.parent / folder
    cwd.mkdir(parents=True, exist_ok=True)
    target = target.format(abs=str(repo / "policies"))
    return run(capsys, monkeypatch, cwd, "check", target, "--as-of", AS_OF, *args)


def _files(finding: dict[str, Any]) -> set[str]:
    """Every file a JSON finding touches: its own, its related locations', its consequences'."""
    return {finding["file"], *(r["file"] for r in finding["related"]),
            *(name for c in finding["consequences"] for name in _files(c))}


def _uris(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "uri" and isinstance(value, str):
                yield value
            else:
                yield from _uris(value)
    elif isinstance(node, list):
        for item in node:
            yield from _uris(item)


@pytest.fixture(scope="module")
def sarif_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is needed to validate SARIF")
    for candidate in SARIF_CANDIDATES:
        if candidate.is_file():
            schema = json.loads(candidate.read_text(encoding="utf-8"))
            return jsonschema.validators.validator_for(schema)(schema)
    pytest.skip("the SARIF 2.1.0 schema is not here; looked in: " + ", ".join(str(c) for c in SARIF_CANDIDATES))


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "gitlab", "text"])
def test_every_output_is_the_same_from_anywhere(fmt: str, repo: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = {place: _check(capsys, monkeypatch, repo, place, "-f", fmt, "--no-color") for place in PLACES}
    reference = outputs["root"]
    assert reference[0] == 1 and "policies/plans/sales-2025.yaml" in reference[1]
    for place, got in outputs.items():
        assert got == reference, f"'{fmt}' output run from the {place} differs from the one run from the root"
    assert str(repo.parent) not in reference[1]  # no absolute path, whatever the arguments


def test_sarif_from_every_place_is_valid_and_relative(repo: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch, sarif_validator: Any) -> None:
    for place in PLACES:
        _, out, _ = _check(capsys, monkeypatch, repo, place, "-f", "sarif")
        doc = json.loads(out)
        errors = [e.message for e in sarif_validator.iter_errors(doc)]
        assert errors == [], f"SARIF run from the {place}: {errors[:3]}"
        uris = set(_uris(doc["runs"][0].get("results", [])))
        assert uris and all(not u.startswith("/") and ":" not in u.split("/")[0] for u in uris), uris
        assert "policies/kpis/kpis.yaml" in uris


def test_a_baseline_written_in_a_subfolder_matches_from_the_root(repo: Path, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = repo / "accepted.yaml"
    code, _, err = run(capsys, monkeypatch, repo / "policies" / "plans", "baseline", "..", "--as-of", AS_OF,
                       "--output", str(baseline))
    assert code == 0 and "wrote" in err
    entries = baseline.read_text(encoding="utf-8")
    assert "path: policies/plans/sales-2025.yaml" in entries and "path: ../" not in entries
    code, out, err = run(capsys, monkeypatch, repo, "check", "policies", "--as-of", AS_OF, "--baseline",
                         "accepted.yaml", "-f", "json")
    assert code == 0, out
    assert json.loads(out)["findings"] == [] and "no longer match" not in err
    # and the other way round: written at the root, used from the parent with an absolute path
    run(capsys, monkeypatch, repo, "baseline", "policies", "--as-of", AS_OF, "--output", "root.yaml")
    code, out, err = run(capsys, monkeypatch, repo.parent, "check", str(repo / "policies"), "--as-of", AS_OF,
                         "--baseline", str(repo / "root.yaml"), "-f", "json")
    assert code == 0 and json.loads(out)["findings"] == [] and "no longer match" not in err


def test_only_files_from_a_subfolder_loads_the_whole_repository(repo: Path, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _, whole, _ = run(capsys, monkeypatch, repo, "check", "--as-of", AS_OF, "-f", "json")
    touching = [f for f in json.loads(whole)["findings"] if "policies/plans/cs-draft.yaml" in _files(f)]
    code, out, _ = run(capsys, monkeypatch, repo / "policies" / "plans", "check", "--only-files", "cs-draft.yaml",
                       "--as-of", AS_OF, "-f", "json")
    findings = json.loads(out)["findings"]
    assert not [f for f in findings if f["rule"] == "dangling-reference"], "only plans/ was loaded"
    assert findings and all("policies/plans/cs-draft.yaml" in _files(f) for f in findings)
    assert findings == touching


def test_the_configuration_folder_is_the_root_in_a_monorepo(repo: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "policies" / ".incentive-lint.yaml").write_text("extends: recommended\n", encoding="utf-8")
    _, from_top, _ = run(capsys, monkeypatch, repo, "check", "policies", "--as-of", AS_OF, "-f", "json")
    _, from_inside, _ = run(capsys, monkeypatch, repo / "policies" / "plans", "check", "..", "--as-of", AS_OF,
                            "-f", "json")
    assert from_top == from_inside
    files = {f["file"] for f in json.loads(from_top)["findings"]}
    assert "plans/sales-2025.yaml" in files and not any(f.startswith(("policies/", "../")) for f in files)


def test_an_exceptions_register_is_named_from_the_root(repo: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    register = repo / "policies" / "exceptions.yaml"
    # an entry without an owner is a finding on the register itself
    register.write_text(register.read_text(encoding="utf-8").replace("  owner: cfo\n", ""), encoding="utf-8")
    outputs = [run(capsys, monkeypatch, cwd, "check", target, "--as-of", AS_OF, "-f", "json")[1]
               for cwd, target in ((repo, "policies"), (repo / "policies", "."), (repo.parent, str(repo / "policies")))]
    assert outputs[0] == outputs[1] == outputs[2]
    files = {f["file"] for f in json.loads(outputs[0])["findings"]}
    assert "policies/exceptions.yaml" in files


def test_find_root(tmp_path: Path) -> None:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "a" / "b" / "c" / "x.yaml").write_text("", encoding="utf-8")
    # no configuration, no git: the folder given (the folder of a file given)
    assert find_root([Path("a/b")], tmp_path) == tmp_path / "a" / "b"
    assert find_root([Path("a/b/c/x.yaml")], tmp_path) == tmp_path / "a" / "b" / "c"
    assert find_root([Path("a/b/c"), Path("a/b")], tmp_path) == tmp_path / "a" / "b"
    (tmp_path / ".git").mkdir()
    assert find_root([Path("c/x.yaml")], tmp_path / "a" / "b") == tmp_path
    (tmp_path / "a" / ".incentive-lint.yaml").write_text("", encoding="utf-8")
    assert find_root([Path(".")], tmp_path / "a" / "b" / "c") == tmp_path / "a"
    assert find_root([tmp_path / "a" / "b" / ".." / "b" / "c"], Path("/")) == tmp_path / "a"
    # a configuration above the git root belongs to another project
    (tmp_path / "a" / ".incentive-lint.yaml").unlink()
    (tmp_path.parent / "cfg-above").mkdir(exist_ok=True)
    assert find_root([Path(".")], tmp_path / "a") == tmp_path


def test_root_name(tmp_path: Path) -> None:
    assert root_name(tmp_path / "plans" / "a.yaml", tmp_path) == "plans/a.yaml"
    assert root_name(tmp_path / "plans" / ".." / "a.yaml", tmp_path) == "a.yaml"
    # outside the root: relative as well, never an absolute path
    assert root_name(tmp_path.parent / "shared" / "b.yaml", tmp_path) == "../shared/b.yaml"
