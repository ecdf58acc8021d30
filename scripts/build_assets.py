"""Build the front-end bundle only when a source is newer than the last build, and the editor's
API index (scripts/api_index.py) only when requirements.lock changed or the index is missing."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
STAMP = STATIC / "dist" / ".built"
CONTRACT_JS = STATIC / "src" / "base" / "contract.js"
API_INDEX = ROOT / ".cache" / "api-index.json"
LOCK = ROOT / "requirements.lock"


def contract_text() -> str:
    """The page's copy of contract/, as `python -m contract.export` prints it."""
    # A child process because this script runs from scripts/, where `contract` is not importable.
    done = subprocess.run(
        [sys.executable, "-m", "contract.export"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return done.stdout


def write_contract() -> bool:
    """Rewrites static/src/base/contract.js when contract/ says something else; True if it did.
    An unchanged file keeps its mtime, so it does not trigger a rebuild."""
    text = contract_text()
    if CONTRACT_JS.exists() and CONTRACT_JS.read_text(encoding="utf-8") == text:
        return False
    CONTRACT_JS.write_text(text, encoding="utf-8")
    return True


def index_lock() -> str | None:
    """The lock the API index was built from (its sha256), None when there is no index."""
    try:
        return str(json.loads(API_INDEX.read_text(encoding="utf-8"))["meta"]["lock"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_api_index() -> bool:
    """Rebuilds the API index from the installed TensorFlow when the lock says other versions
    than it was built from, or it is missing; True if it did. Without TensorFlow (a web-only
    host) the editor goes without it."""
    sys.path.insert(0, str(ROOT))
    from scripts.api_index import lock_hash

    if index_lock() == lock_hash():
        return False
    if importlib.util.find_spec("tensorflow") is None:
        print("tensorflow is not installed: the editor's API index is not built", file=sys.stderr)
        return False
    subprocess.run([sys.executable, "-m", "scripts.api_index", "--out", str(API_INDEX)],
                   cwd=ROOT, check=True)
    return True


def newest_source() -> float:
    files = [p for p in (STATIC / "src").rglob("*") if p.is_file()]
    files += [*STATIC.glob("*.mjs"), STATIC / "package-lock.json", API_INDEX]
    return max((p.stat().st_mtime for p in files if p.exists()), default=0.0)


def main() -> int:
    write_contract()
    write_api_index()
    if STAMP.exists() and STAMP.stat().st_mtime >= newest_source():
        return 0
    subprocess.run(["node", "build.mjs"], cwd=STATIC, check=True)  # noqa: S603, S607
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.touch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
