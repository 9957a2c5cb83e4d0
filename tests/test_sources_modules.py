"""The modules of ``kg.sources``: each imports first in a fresh interpreter (no import-order
dependence, so no cycle hidden by import order), none hides an import inside a function,
and each one's docstring examples run."""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kg.sources

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(["kg.sources", *(info.name for info in pkgutil.walk_packages(kg.sources.__path__, "kg.sources."))])


def test_the_module_list_covers_the_readers_and_the_gdelt_package():
    """The list is built by walking the package: prove the walk finds nested modules too."""
    assert {"kg.sources.csv_file", "kg.sources.yaml_file", "kg.sources.rdf_file", "kg.sources.gdelt.rows"} <= set(MODULES)


@pytest.mark.parametrize("first", MODULES)
def test_each_module_imports_first_in_a_fresh_interpreter(first):
    """Import ``first`` alone, then every other module: a reader that imported the package
    that imports it (``from kg.sources import Document`` in ``csv_file``) fails here."""
    rest = [name for name in MODULES if name != first]
    code = f"import importlib\nimportlib.import_module({first!r})\n" + "".join(f"importlib.import_module({n!r})\n" for n in rest)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _path(name: str) -> Path:
    return Path(importlib.import_module(name).__file__)


@pytest.mark.parametrize("name", MODULES)
def test_no_module_imports_inside_a_function(name):
    """Every import is at module level, where a cycle would show (the layer rule)."""
    tree = ast.parse(_path(name).read_text(encoding="utf-8"))
    hidden = [
        f"line {node.lineno}"
        for function in ast.walk(tree)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        for node in ast.walk(function)
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    assert not hidden, f"{name}: imports inside functions at {', '.join(hidden)}"


@pytest.mark.parametrize("name", [n for n in MODULES if n != "kg.sources"])
def test_no_module_imports_a_package_it_is_part_of(name):
    """``kg.sources`` (and ``kg.sources.gdelt``) import their modules; a module importing its
    package back (``from kg.sources import Document`` in a reader) would be the old cycle."""
    parts = name.split(".")
    ancestors = {".".join(parts[:end]) for end in range(2, len(parts))}
    tree = ast.parse(_path(name).read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not set(imported) & ancestors


@pytest.mark.parametrize("name", [n for n in MODULES if ">>> " in _path(n).read_text(encoding="utf-8")])
def test_docstring_examples_run(name):
    """The examples in the docstrings (pytest's ``--doctest-modules`` does not collect ``kg/sources``)."""
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
