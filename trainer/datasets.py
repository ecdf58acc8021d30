"""The worker host's read-only dataset cache, and the command that fills it.

Keras checks some files by hash, so only real files serve: copied from a local source (Debian's
`dataset-fashion-mnist` package) when there is one, else downloaded from the canonical origin.
tensorflow-datasets' builds of the same datasets are then prepared from those files (`tfds/`),
with no download: tensorflow-datasets checks them against the checksums it registers.
"""
from __future__ import annotations

import os
import shutil
import struct
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from trainer.config import WorkerSettings

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
# cache sub-directory -> (files, local sources, origin)
DATASETS = {
    "fashion-mnist": (FASHION_FILES, ["/usr/share/datasets/fashion-mnist"], KERAS_ORIGIN),
}
# tensorflow-datasets name -> (the cache sub-directory it is built from, each file's gzip time).
# Keras' and Debian's copies are the originals with the gzip header's file name and time left
# out (the compressed data is the same): put back, they are byte for byte the files whose
# checksums tensorflow-datasets registers, which it checks before it builds anything.
TFDS = {
    "fashion_mnist": ("fashion-mnist", {
        "train-images-idx3-ubyte.gz": 1504176606, "train-labels-idx1-ubyte.gz": 1504176606,
        "t10k-images-idx3-ubyte.gz": 1504176627, "t10k-labels-idx1-ubyte.gz": 1504176627,
    }),
}
GZIP_FNAME = 0x08


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
    failures += prepare_tfds(root, Path(WorkerSettings.from_env().tfds_dir))
    for path in root.rglob("*"):
        # The jailed child reads the cache under its own uid.
        os.chmod(path, 0o755 if path.is_dir() else 0o644)  # noqa: S103
    os.chmod(root, 0o755)  # noqa: S103
    return 1 if failures else 0


def prepare_tfds(root: Path, tfds_dir: Path) -> int:
    """Build tensorflow-datasets' version of each dataset of TFDS from the cached files, once.
    Returns how many failed."""
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        print("tensorflow-datasets is not installed: nothing prepared for it")
        return 0
    tfds.disable_progress_bar()
    failures = 0
    for name, (folder, times) in TFDS.items():
        builder = tfds.builder(name, data_dir=str(tfds_dir))
        if not builder.data_path.exists():
            try:
                _build(tfds, builder, root / folder, times)
            except Exception as exc:  # noqa: BLE001 - a checksum that differs, a missing file
                failures += 1
                print(f"{name} (tensorflow-datasets): not prepared: {exc}")
                continue
        print(f"{name} (tensorflow-datasets): ready in {builder.data_path}")
    return failures


def _build(tfds: Any, builder: Any, source: Path, times: dict[str, int]) -> None:
    with tempfile.TemporaryDirectory(prefix="tfds-") as tmp:
        manual = Path(tmp) / "manual"
        manual.mkdir()
        for fname, mtime in times.items():
            data = (source / fname).read_bytes()
            (manual / fname).write_bytes(original_gzip(data, fname.removesuffix(".gz"), mtime))
        config = tfds.download.DownloadConfig(manual_dir=str(manual))
        builder.download_and_prepare(
            download_dir=str(Path(tmp) / "downloads"), download_config=config)


def original_gzip(data: bytes, name: str, mtime: int) -> bytes:
    """`data`, a gzip file whose header lost its file name, with `name` and `mtime` put back."""
    if len(data) < 10 or data[:3] != b"\x1f\x8b\x08" or data[3] & GZIP_FNAME:
        return data  # not gzip, or the name is there already
    flags = bytes([data[3] | GZIP_FNAME])
    return (data[:3] + flags + struct.pack("<I", mtime) + data[8:10] + name.encode() + b"\0"
            + data[10:])


def show() -> int:
    """What the cache holds; 1 when something is missing (`datasets pull` would add it)."""
    settings = WorkerSettings.from_env()
    root, missing = Path(settings.datasets_dir), 0
    for name, (files, _, _) in DATASETS.items():
        have = [f for f in files if (root / name / f).is_file()]
        missing += len(files) - len(have)
        print(f"{name}: {len(have)}/{len(files)} files in {root / name}")
    for name in TFDS:
        built = sorted(Path(settings.tfds_dir).glob(f"{name}/*/dataset_info.json"))
        missing += not built
        print(f"{name} (tensorflow-datasets): "
              f"{'prepared in ' + str(built[-1].parent) if built else 'not prepared'}")
    return 1 if missing else 0
