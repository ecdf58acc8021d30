"""The dataset cache: Keras' files as they are, tensorflow-datasets' built from the same files."""
from __future__ import annotations

import gzip
import io
import struct

from trainer import datasets


def _gzip_with_name(data: bytes, name: str, mtime: int) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=out, mtime=mtime) as f:
        f.write(data)
    return out.getvalue()


def _without_name(original: bytes, name: str) -> bytes:
    """What Debian's and Keras' copies are: the same data, no name or time in the header."""
    return original[:3] + b"\x00" + struct.pack("<I", 1591347949) + original[8:10] + \
        original[10 + len(name) + 1:]


def test_a_gzip_header_s_name_and_time_are_put_back_byte_for_byte() -> None:
    original = _gzip_with_name(b"idx data" * 100, "t10k-labels-idx1-ubyte", 1504176627)
    stripped = _without_name(original, "t10k-labels-idx1-ubyte")
    assert gzip.decompress(stripped) == gzip.decompress(original)
    assert datasets.original_gzip(stripped, "t10k-labels-idx1-ubyte", 1504176627) == original


def test_a_file_that_has_its_name_or_is_not_gzip_is_left_as_it_is() -> None:
    original = _gzip_with_name(b"x", "a", 1)
    assert datasets.original_gzip(original, "a", 2) == original
    assert datasets.original_gzip(b"not gzip at all", "a", 2) == b"not gzip at all"


def test_every_tfds_build_comes_from_a_cached_keras_folder_with_all_its_files() -> None:
    for folder, times in datasets.TFDS.values():
        files, _sources, _origin = datasets.DATASETS[folder]
        assert set(times) == set(files)
