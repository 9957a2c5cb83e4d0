"""Imports run one way, down the data flow; a module that imports upward, or a cycle hidden
inside a function, fails here (read from the source with ``ast``, so function-level imports
count as much as module-level ones)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kg"

#: Each module's layer, lowest first: a module may import its own layer or lower ones.
LAYERS = [
    ("helpers", ["kg.errors", "kg.atomic", "kg.gcpause", "kg.output", "kg.namespaces", "kg.sparqltext", "kg.table"]),
    ("model and ontology", ["kg.model", "kg.ontology", "kg.ontology_doc", "kg.confusables", "kg.selection"]),
    ("sources", ["kg.sources"]),
    ("names and record rules", ["kg.names", "kg.rules"]),
    ("store", ["kg.store"]),
    ("load, query, projection", ["kg.loader", "kg.shacl", "kg.validate", "kg.query", "kg.projection", "kg.extract"]),
    ("analyse", ["kg.analyse"]),
    ("view, export, serve", ["kg.view", "kg.export", "kg.serve"]),
    ("api", ["kg.api"]),
    ("cli", ["kg.cli"]),
]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """The layer of ``kg.x.y``: that of the longest listed prefix (``kg`` itself, the facade
    that re-exports the API, is the API's)."""
    if module == "kg":
        return [name for name, _ in LAYERS].index("api")
    best = None
    for number, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (number, len(prefix))
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in {Path(__file__).name}")
    return best[0]


def imports(path: Path, root: Path = ROOT) -> list[tuple[str, int]]:
    """The ``kg`` names a file imports (with line numbers), wherever in the file."""
    found = []
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.split(".")[0] == "kg"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from .. import x` in kg.store.y is kg.x
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] == "kg":
                found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted((root / "kg").rglob("*.py"))}


def edges(root: Path = ROOT) -> list[tuple[str, str, int]]:
    """(importer, imported module, line) for every import between kg's own modules."""
    known = modules(root)
    found = []
    for name, path in known.items():
        if name == "kg":  # the facade: it imports the API lazily, on first use
            continue
        for target, line in imports(path, root):
            if target == "kg.__version__":
                continue  # the version lives in the facade, which imports nothing else eagerly
            while target not in known and "." in target:  # `from kg.x import name` is kg.x
                target = target.rsplit(".", 1)[0]
            if target != name:
                found.append((name, target, line))
    return found


def upward(root: Path = ROOT) -> list[str]:
    return [
        f"{importer} ({LAYERS[layer_of(importer)][0]}) imports {target} ({LAYERS[layer_of(target)][0]}) on line {line}"
        for importer, target, line in edges(root)
        if layer_of(target) > layer_of(importer)
    ]


def test_every_module_has_a_layer():
    for name in modules():
        if name != "kg":
            layer_of(name)


def test_no_module_imports_from_a_higher_layer():
    found = upward()
    assert not found, "\n".join(found)


def test_no_import_cycles():
    graph = nx.DiGraph((importer, target) for importer, target, _ in edges())
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "\n".join(" -> ".join([*cycle, cycle[0]]) for cycle in cycles)


@pytest.mark.parametrize(
    "source",
    ["from kg.cli import main\n", "def f():\n    from kg.loader import load\n", "from .. import cli\n", "import kg.cli\n"],
)
def test_the_check_sees_upward_imports(tmp_path, source):
    """The check itself: an upward import at module level, inside a function, relative, plain."""
    (tmp_path / "kg" / "names").mkdir(parents=True)
    for module in ("__init__", "cli", "loader"):
        (tmp_path / "kg" / f"{module}.py").write_text("")
    (tmp_path / "kg" / "names" / "__init__.py").write_text(source)
    assert upward(tmp_path) != []
    (tmp_path / "kg" / "names" / "__init__.py").write_text(source.replace("cli", "errors").replace("loader", "errors"))
    (tmp_path / "kg" / "errors.py").write_text("")
    assert upward(tmp_path) == []
