"""Every third-party package pipeline/ imports is declared in pyproject.toml: a package that only
came in through another one's dependencies disappears when that one leaves (numpy did, when spaCy
became optional, and every scan failed on a fresh install while the dev install passed)."""
from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def imported_top_modules() -> set[str]:
    found = set()
    for path in (ROOT / "pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in ("pipeline", "__future__")}


def declared(names: list[str]) -> set[str]:
    """Distribution names of requirement strings; "dask[distributed]" declares distributed too."""
    out = set()
    for requirement in names:
        out.add(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0])
        bracket = re.search(r"\[([^\]]+)\]", requirement)
        out |= {extra.strip() for extra in bracket.group(1).split(",")} if bracket else set()
    return {name.lower().replace("_", "-") for name in out}


def test_every_imported_package_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    core = declared(project["dependencies"])
    extras = set().union(*(declared(v) for k, v in project["optional-dependencies"].items() if k != "dev"))
    owners = packages_distributions()
    undeclared = {}
    for module in sorted(imported_top_modules()):
        dists = {d.lower().replace("_", "-") for d in owners.get(module, [module])}
        if not dists & (core | extras):
            undeclared[module] = sorted(dists)
    assert undeclared == {}
