"""contract/ is the standard library's only: web side, worker, sandbox and page all import it."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

CONTRACT = Path(__file__).resolve().parents[2] / "contract"


def test_contract_imports_only_the_standard_library_and_itself():
    modules = sorted(CONTRACT.glob("*.py"))
    assert len(modules) >= 5
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in ("contract", "__future__"), (
                    f"{path.name} imports {name}")
