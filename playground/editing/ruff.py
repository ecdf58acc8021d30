"""Ruff on a snippet, as pure functions of its text: format it, or lint it for the few mistakes
worth marking while a learner types (not style).

Ruff is the binary of the `ruff` package, run with the text on stdin, no shell, its own
configuration ignored (`--isolated`, so the project's pyproject.toml never applies), no cache
written, and a time limit.
"""
from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, TypedDict

# Undefined names, unused imports and variables, a name redefined before use, `is` with a literal,
# `return`/`yield` outside a function; syntax errors come with any selection.
RULES: dict[str, Literal["error", "warning"]] = {
    "F821": "error",  # undefined name
    "F823": "error",  # local variable referenced before assignment
    "F632": "error",  # `is` / `is not` with a literal
    "F704": "error",  # yield outside a function
    "F706": "error",  # return outside a function
    "F401": "warning",  # imported but unused
    "F811": "warning",  # redefinition of an unused name
    "F841": "warning",  # local variable assigned but never used
}
SYNTAX = "invalid-syntax"  # what ruff calls a syntax error in place of a rule code
TARGET = "py311"  # the worker's Python
PARSE_ERROR = re.compile(r"Failed to parse [^:]*:(\d+):(\d+): (.*)")


class RuffFailed(Exception):
    """Ruff did not answer in time, is missing, or said something unreadable."""


class Diagnostic(TypedDict):
    line: int
    column: int
    end_line: int
    end_column: int
    rule: str
    message: str
    severity: Literal["error", "warning"]


@dataclass(frozen=True)
class Formatted:
    """The formatted text, or the text unchanged with the syntax error that stopped ruff."""

    code: str
    problem: Diagnostic | None = None


@cache
def binary() -> str:
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError as exc:
        raise RuffFailed("ruff is not installed") from exc
    return str(find_ruff_bin())


def run(args: list[str], text: str, timeout: float) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run([binary(), *args], input=text.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False, cwd="/", env={"NO_COLOR": "1"})
    except subprocess.TimeoutExpired as exc:
        raise RuffFailed(f"ruff took more than {timeout:g} s") from exc
    except OSError as exc:
        raise RuffFailed(f"ruff could not start: {exc}") from exc


def format_code(text: str, timeout: float) -> Formatted:
    """Ruff's formatting of the text (Black's style, 88 columns)."""
    done = run(["format", "--isolated", "--no-cache", "--target-version", TARGET,
                "--stdin-filename", "snippet.py", "-"], text, timeout)
    if done.returncode == 0:
        return Formatted(done.stdout.decode("utf-8"))
    error = done.stderr.decode("utf-8", "replace")
    found = PARSE_ERROR.search(error)
    if found is None:
        raise RuffFailed(error.strip() or f"ruff format exited with {done.returncode}")
    line, column, message = int(found[1]), int(found[2]), found[3].strip()
    return Formatted(text, Diagnostic(line=line, column=column, end_line=line, end_column=column,
                                      rule=SYNTAX, message=message, severity="error"))


def lint_code(text: str, timeout: float) -> list[Diagnostic]:
    """The mistakes of RULES and syntax errors, in the order of the text; lines and columns
    count from 1, columns in characters."""
    done = run(["check", "--isolated", "--no-cache", "--target-version", TARGET, "--select",
                ",".join(RULES), "--output-format", "json", "--exit-zero",
                "--stdin-filename", "snippet.py", "-"], text, timeout)
    try:
        found = json.loads(done.stdout)
    except ValueError as exc:
        raise RuffFailed(done.stderr.decode("utf-8", "replace").strip() or "no JSON") from exc
    return [diagnostic(item) for item in found]


def diagnostic(item: dict[str, Any]) -> Diagnostic:
    rule = item.get("code") or SYNTAX
    start, end = item["location"], item.get("end_location") or item["location"]
    return Diagnostic(line=start["row"], column=start["column"], end_line=end["row"],
                      end_column=end["column"], rule=rule, message=item["message"],
                      severity=RULES.get(rule, "error"))
