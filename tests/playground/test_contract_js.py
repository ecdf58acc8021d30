"""The page's copy of contract/ (static/src/base/contract.js): generated, committed, current."""
from __future__ import annotations

from pathlib import Path

from contract.export import module_text

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_JS = ROOT / "static" / "src" / "base" / "contract.js"


def test_it_matches_what_contract_exports():
    committed = CONTRACT_JS.read_text(encoding="utf-8") if CONTRACT_JS.exists() else ""
    assert committed == module_text(), (
        "static/src/base/contract.js is not what contract/ exports: run "
        "`.venv/bin/python scripts/build_assets.py` and commit the file it writes"
    )
