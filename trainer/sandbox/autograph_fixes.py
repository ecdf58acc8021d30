"""AutoGraph's per-conversion work that the zygote takes out, once, before any child converts.

Every conversion of a tf.function's Python code first reads the function's source, and before
that `inspect_utils._fix_linecache_record` walks all of `sys.modules` (some 4,000 modules with
TensorFlow and Keras loaded) asking each for its `__file__`: lazily loaded modules make each
question slow, and each module touched is a page copied in a freshly forked child. It was the
largest part of a child's first small tf.function (bench/first_calls.py).
"""
from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any

ORIGINAL = "__tfpg_original__"


def install() -> bool:
    """Replace AutoGraph's linecache fix-up by one that skips the walk for files on disk.

    Pure Python, no TF op: safe in the zygote. Returns whether it was installed now (False when
    it already was, or when this TensorFlow has no such function any more).
    """
    from tensorflow.python.autograph.pyct import inspect_utils

    current = getattr(inspect_utils, "_fix_linecache_record", None)
    if current is None or hasattr(current, ORIGINAL):
        return False
    inspect_utils._fix_linecache_record = skipping_files_on_disk(current)  # noqa: SLF001
    return True


def skipping_files_on_disk(original: Callable[[Any], None]) -> Callable[[Any], None]:
    """`original`, except for objects whose source file is a file on disk.

    For such a file every module the walk finds makes `linecache.updatecache` read the file
    again from disk, whatever module it names (a module's loader is asked only when the file
    cannot be read). `inspect.findsource`, called right after, already rereads a file whose
    cached lines are stale (`linecache.checkcache`) and reads one never cached, so the walk
    changes nothing there. Sources that are not plain files (zip archives, `<string>` names)
    still take the original path.
    """

    def fix_linecache_record(obj: Any) -> None:
        if hasattr(obj, "__module__") and os.path.isfile(inspect.getfile(obj)):
            return
        original(obj)

    setattr(fix_linecache_record, ORIGINAL, original)
    return fix_linecache_record
