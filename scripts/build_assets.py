"""Build the front-end bundle only when a source is newer than the last build."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"
STAMP = STATIC / "dist" / ".built"


def newest_source() -> float:
    files = [p for p in (STATIC / "src").rglob("*") if p.is_file()]
    files += [STATIC / "build.mjs", STATIC / "package-lock.json"]
    return max((p.stat().st_mtime for p in files if p.exists()), default=0.0)


def main() -> int:
    if STAMP.exists() and STAMP.stat().st_mtime >= newest_source():
        return 0
    subprocess.run(["node", "build.mjs"], cwd=STATIC, check=True)  # noqa: S603, S607
    STAMP.parent.mkdir(parents=True, exist_ok=True)
    STAMP.touch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
