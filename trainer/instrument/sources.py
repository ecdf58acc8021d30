"""Which line of the learner's snippet made something: an op, a figure, a traced call."""

from __future__ import annotations

import os
import sys
import sysconfig
from typing import Any

from trainer.instrument.patches import LIBRARY_ROOTS

# AutoGraph's converted code lives in files of this name; TensorFlow maps its lines back to the
# source in an op's traceback, and a line it cannot map is not the learner's.
AUTOGRAPH_FILES = "__autograph_generated_file"
# The files whose frames an op traceback's get_user_frames() leaves out.
TF_INTERNAL = "tensorflow" + os.sep + "python"


def _python_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {os.path.abspath(paths[key]) for key in ("stdlib", "platstdlib", "purelib", "platlib")
             if paths.get(key)}
    return tuple(sorted(root + os.sep for root in roots))


NOT_USER_ROOTS = (*LIBRARY_ROOTS, *_python_roots())


class SourceFile:
    """The snippet's file, once the runner names it; until then (tests, in-process use) any
    file outside TensorFlow, Keras, this package and Python's own libraries counts."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path

    def is_user(self, filename: str) -> bool:
        if self.path is not None:
            return filename == self.path
        return not (filename.startswith(NOT_USER_ROOTS) or filename.startswith("<")
                    or AUTOGRAPH_FILES in filename)

    def op_line(self, op: Any) -> int | None:
        """The innermost snippet line in the op's creation traceback: the line that made it, or
        that called the library code that made it."""
        try:
            trace = op.traceback
            if self.path is not None and TF_INTERNAL not in self.path:
                # TensorFlow's own filter drops only the frames of files under its
                # TF_INTERNAL tree, never the snippet's: about half the frames to build.
                for frame in reversed(trace.get_user_frames()):
                    if frame.filename == self.path:
                        return int(frame.lineno)
                return None
            # Indexed from the innermost frame: iterating builds every frame, ~40 per op.
            for index in range(len(trace) - 1, -1, -1):
                frame = trace[index]
                if self.is_user(frame.filename):
                    return int(frame.lineno)
        except Exception:  # noqa: BLE001, S110 - an op without a traceback has no line
            pass
        return None

    def caller_line(self) -> int | None:
        """The innermost snippet line on the current Python stack."""
        frame = sys._getframe(1)  # noqa: SLF001 - cheaper than inspect.stack()
        while frame is not None:
            if self.is_user(frame.f_code.co_filename):
                return frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return None
