"""The package's layout is its pipeline: each stage imports only the stages before it, and no
module imports itself back through another (function-level imports count too)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "incentive_lint"

#: The stages in the order data flows through them; a module may import its own stage and
#: the ones before it. ``docs/architecture.md`` describes each one.
STAGES = ("base", "read", "model", "checks", "settings", "engine", "gate", "run", "propose", "outputs", "lsp", "cli", "dev",
          "__main__", "")  # "" is the package itself: the public API, on top of everything


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, anywhere in its body."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and (node.module + ".").startswith("incentive_lint."):
                module = node.module.removeprefix("incentive_lint").lstrip(".")
            else:
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}".lstrip(".")
                targets.append(sub if sub in modules else module)
        elif isinstance(node, ast.Import):
            targets = [a.name.removeprefix("incentive_lint").lstrip(".") for a in node.names
                       if (a.name + ".").startswith("incentive_lint.")]
        found.update(t for t in targets if t != name)
    return found


def _stage(module: str) -> int:
    return STAGES.index(module.split(".")[0])


def test_every_module_belongs_to_a_stage() -> None:
    unknown = sorted(m for m in _modules() if m.split(".")[0] not in STAGES)
    assert unknown == [], f"add these to STAGES (and docs/architecture.md) or move them: {unknown}"


def test_imports_flow_one_way() -> None:
    modules = _modules()
    against = sorted(f"{m} imports {t}" for m, p in modules.items() for t in _imports(m, p, modules)
                     if _stage(t) > _stage(m))
    assert against == []


def test_no_import_loops() -> None:
    modules = _modules()
    graph = {m: _imports(m, p, modules) & set(modules) for m, p in modules.items()}
    # Tarjan's strongly connected components: a component of two or more modules is a loop.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert loops == []


def test_the_checker_sees_a_loop_and_a_backward_import(tmp_path: Path) -> None:
    modules = {"base.a": tmp_path / "a.py", "read.b": tmp_path / "b.py"}
    modules["base.a"].write_text("def f():\n    from incentive_lint.read.b import g\n")
    modules["read.b"].write_text("from ..base.a import f\n")
    assert _imports("base.a", modules["base.a"], modules) == {"read.b"}
    assert _imports("read.b", modules["read.b"], modules) == {"base.a"}
    assert _stage("read.b") > _stage("base.a")
