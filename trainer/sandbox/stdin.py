"""Inside the child: the run's standard input, the text the page's Input box sent, then its end.

Set up when the job arrives, on descriptor 0 itself (an anonymous file), so `input()`,
`sys.stdin` and any process the snippet starts read the same text.
"""
from __future__ import annotations

import builtins
import functools
import os
from typing import Any

EOF_HINT = ("EOF when reading a line: input() has read all of the run's input. Type the text "
            "it should read in the Input box under the editor, one line per input() call.")
_input = builtins.input


def feed(text: str) -> None:
    """Descriptor 0 reads `text`, then end of file (it reads /dev/null until then)."""
    if text:
        fd = os.memfd_create("stdin", os.MFD_CLOEXEC)
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data):]
        os.lseek(fd, 0, os.SEEK_SET)
        os.dup2(fd, 0)  # the copy at 0 is inherited by the snippet's own processes
        os.close(fd)
    builtins.input = input_with_hint


@functools.wraps(_input)
def input_with_hint(prompt: Any = "") -> str:
    try:
        return _input(prompt)
    except EOFError:
        raise EOFError(EOF_HINT) from None
