"""The two Quick start commands install what each needs, and no more (`make -n` shows the recipes)."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT


def recipe(target: str) -> list[str]:
    """The commands ``make TARGET`` would run from scratch (``-B``: as if nothing were built)."""
    done = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_the_demo_installs_the_package_without_the_test_extras():
    installs = [line for line in recipe("demo") if "pip install" in line and "--upgrade pip" not in line]
    assert installs and all("[test]" not in line for line in installs), installs


def test_the_test_command_adds_the_test_extras():
    assert any("pip install" in line and ".[test]" in line for line in recipe("test"))
