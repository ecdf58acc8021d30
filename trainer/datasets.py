"""The worker host's read-only Keras dataset cache, and the command that fills it.

Keras checks some files by hash, so only real files serve: copied from a local source (Debian's
`dataset-fashion-mnist` package) when there is one, else downloaded from the canonical origin.
"""
from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

from trainer.config import WorkerSettings

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
# cache sub-directory -> (files, local sources, origin)
DATASETS = {
    "fashion-mnist": (FASHION_FILES, ["/usr/share/datasets/fashion-mnist"], KERAS_ORIGIN),
}


def pull() -> int:
    root = Path(WorkerSettings.from_env().datasets_dir)
    failures = 0
    for name, (files, sources, origin) in DATASETS.items():
        target = root / name
        target.mkdir(parents=True, exist_ok=True)
        for fname in files:
            dest = target / fname
            if dest.exists() and dest.stat().st_size > 0:
                continue
            local = next((Path(s) / fname for s in sources if (Path(s) / fname).is_file()), None)
            try:
                if local is not None:
                    shutil.copyfile(local, dest)
                else:
                    urllib.request.urlretrieve(origin + fname, dest)  # noqa: S310 - fixed https origin
            except OSError as exc:
                failures += 1
                print(f"{name}/{fname}: could not fetch ({exc}); install Debian's "
                      f"dataset-{name} package or run this where the origin is reachable")
                continue
        print(f"{name}: ready in {target}")
    for path in root.rglob("*"):
        # The jailed child reads the cache under its own uid.
        os.chmod(path, 0o755 if path.is_dir() else 0o644)  # noqa: S103
    os.chmod(root, 0o755)  # noqa: S103
    return 1 if failures else 0


def show() -> int:
    root = Path(WorkerSettings.from_env().datasets_dir)
    for name, (files, _, _) in DATASETS.items():
        have = [f for f in files if (root / name / f).is_file()]
        print(f"{name}: {len(have)}/{len(files)} files in {root / name}")
    return 0
