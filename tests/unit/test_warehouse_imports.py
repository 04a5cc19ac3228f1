"""One direction of flow: warehouse/ imports neither pipelines, the app, nor Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WAREHOUSE = Path(__file__).resolve().parents[2] / "warehouse"
FORBIDDEN = ("streamlit", "pipelines", "app", "dashboard")


@pytest.mark.parametrize("module", sorted(WAREHOUSE.glob("*.py")), ids=lambda p: p.name)
def test_warehouse_module_imports_nothing_downstream(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] in FORBIDDEN]


@pytest.mark.parametrize("module", sorted(WAREHOUSE.glob("*.py")), ids=lambda p: p.name)
def test_warehouse_module_opens_with_a_one_line_docstring(module: Path) -> None:
    docstring = ast.get_docstring(ast.parse(module.read_text(encoding="utf-8")))
    assert docstring and docstring.splitlines()[0].strip()
