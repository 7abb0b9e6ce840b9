"""The import graph keeps the pipeline's plan: stages look down (read → segment → extract → store
→ generate/check → cli/web), no module imports one that imports it back (deferred imports count:
a cycle hidden in a function is still a cycle), and the hand-off modules stay at the bottom."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.AST):
    """Import nodes, leaving out ``if TYPE_CHECKING:`` blocks (annotations only, never run)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            node.body = []
    return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in runtime_imports(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module or ""
                submodules = [f"{target}.{alias.name}" for alias in node.names]
                # "from . import directives" imports the submodule, not the package's own code
                targets = submodules if all(m in modules for m in submodules) else [target, *submodules]
            else:
                targets = [alias.name for alias in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


GRAPH = import_graph()


def imports_of(prefix: str) -> dict[str, set[str]]:
    return {m: deps for m, deps in GRAPH.items() if m == prefix or m.startswith(prefix + ".")}


def test_no_import_cycles():
    assert cycles(GRAPH) == []


def test_readers_do_not_reach_forward_into_understanding():
    later = {"pipeline.segment", "pipeline.restore", "pipeline.extract", "pipeline.directives",
             "pipeline.references", "pipeline.store"}
    assert {m: deps & later for m, deps in imports_of("pipeline.read").items() if deps & later} == {}


def test_the_store_does_not_import_extraction():
    assert GRAPH["pipeline.store"] & {"pipeline.extract", "pipeline.segment", "pipeline.read"} == set()


def test_the_checker_does_not_import_readers():
    assert {m: {d for d in deps if d.startswith("pipeline.read")}
            for m, deps in imports_of("pipeline.check").items() if any(d.startswith("pipeline.read") for d in deps)} == {}


def test_hand_off_and_language_modules_stay_at_the_bottom():
    bottom = {"pipeline.records", "pipeline.decree30", "pipeline.vocab", "pipeline.normalize", "pipeline.syllables",
              "pipeline.dates", "pipeline.legacy", "pipeline.notes"}
    assert {m: GRAPH[m] - bottom for m in bottom if GRAPH[m] - bottom} == {}


def test_the_graph_sees_imports_at_all():
    """Guards the other tests: a parser that found no edge would pass them all."""
    assert "pipeline.decree30" in GRAPH["pipeline.segment"] and "pipeline.records" in GRAPH["pipeline.extract"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


STORE = {"pipeline.store", "pipeline.store_queries"}


def sql_outside_the_store(path: Path) -> list[str]:
    """What in a module writes SQL itself: an import of SQLAlchemy other than its exceptions (which
    tell a store fault from a bad value), of sqlite3, or a connection opened on a store's engine."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif (isinstance(node, ast.Attribute) and node.attr in ("connect", "begin", "raw_connection")
              and isinstance(node.value, ast.Attribute) and node.value.attr == "engine"):
            found.append(f"line {node.lineno}: engine.{node.attr}")
            continue
        else:
            continue
        found += [f"line {node.lineno}: import {name}" for name in names
                  if name.split(".")[0] in ("sqlalchemy", "sqlite3") and name != "sqlalchemy.exc"]
    return found


def test_all_sql_is_inside_the_store():
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    outside = {name: sql_outside_the_store(path) for name, path in modules.items()
               if name not in STORE}
    assert {name: found for name, found in outside.items() if found} == {}
    assert sql_outside_the_store(modules["pipeline.store_queries"])  # (the check sees an import of text)
