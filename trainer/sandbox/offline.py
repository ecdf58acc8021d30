"""Inside the child: a dataset the worker's read-only cache does not hold fails at once with
DatasetNotCached, naming the command that fills the cache; nothing waits on a network.

Keras' and urllib's downloads are replaced when the spare starts. tensorflow-datasets is patched
only when the snippet imports it, so a run that does not use it does not pay for its import.
"""
from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import os
import sys
import urllib.request
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

DATASETS_COMMAND = "python -m trainer datasets pull"
TFDS_BUILDER_MODULE = "tensorflow_datasets.core.dataset_builder"
TFDS_DOWNLOADER_MODULE = "tensorflow_datasets.core.download.download_manager"


class DatasetNotCached(RuntimeError):
    """A dataset that this worker's read-only cache does not hold."""


def no_download(url: Any, *args: Any, **kwargs: Any) -> Any:
    raise DatasetNotCached(
        f"{url} is not in this worker's dataset cache, and the sandbox has no network. "
        f"The worker's operator fills the cache with `{DATASETS_COMMAND}`."
    )


def install(tfds_dir: str) -> None:
    """Replace every download this child could start; runs no TF op."""
    urllib.request.urlretrieve = no_download
    import keras.src.utils.file_utils as keras_files

    keras_files.urlretrieve = no_download  # type: ignore[attr-defined]
    sys.meta_path.insert(0, PatchOnImport({
        TFDS_BUILDER_MODULE: functools.partial(_guard_builder, tfds_dir=tfds_dir),
        TFDS_DOWNLOADER_MODULE: _guard_downloads,
    }))


class PatchOnImport(importlib.abc.MetaPathFinder):
    """Runs `patches[name](module)` right after the module `name` is first imported."""

    def __init__(self, patches: dict[str, Callable[[ModuleType], None]]) -> None:
        self.patches = patches

    def find_spec(self, name: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        patch = self.patches.get(name)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _ThenPatch(spec.loader, patch)
        return spec


class _ThenPatch(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, patch: Callable[[ModuleType], None]) -> None:
        self.loader = loader
        self.patch = patch

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its own loader (its source, its resources), as if imported plainly.
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        self.patch(module)


def prepared(tfds_dir: str) -> list[str]:
    """The tensorflow-datasets datasets prepared in the worker's cache."""
    try:
        return sorted(n for n in os.listdir(tfds_dir) if not n.startswith((".", "downloads")))
    except OSError:
        return []


def _guard_builder(module: ModuleType, tfds_dir: str) -> None:
    """`tfds.load` of a dataset the read-only cache has not prepared: fail now, saying so (a
    data dir of the snippet's own reaches the download, which fails as every other does)."""
    builder = module.DatasetBuilder
    original = builder.download_and_prepare
    cache = os.path.realpath(tfds_dir) if tfds_dir else None

    @functools.wraps(original)
    def download_and_prepare(self: Any, *args: Any, **kwargs: Any) -> Any:
        in_cache = os.path.realpath(os.fspath(self._data_dir_root)) == cache
        if in_cache and not os.path.exists(os.fspath(self.data_path)):
            have = ", ".join(prepared(tfds_dir)) or "none"
            raise DatasetNotCached(
                f"tensorflow-datasets' {self.name} ({self.version}) is not prepared in this "
                f"worker's dataset cache, and the sandbox has no network to download it. "
                f"Prepared here: {have}. The worker's operator prepares the cached datasets "
                f"with `{DATASETS_COMMAND}`.")
        return original(self, *args, **kwargs)

    builder.download_and_prepare = download_and_prepare


def _guard_downloads(module: ModuleType) -> None:
    """A download tensorflow-datasets would start (into a data dir of the snippet's own)."""
    manager = module.DownloadManager

    def _download(self: Any, resource: Any) -> Any:
        return no_download(getattr(resource, "url", resource))

    manager._download = _download
