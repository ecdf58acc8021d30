"""The page's copy of contract/ (static/src/base/contract.js): generated, committed, current."""
from __future__ import annotations

import re
from pathlib import Path

from contract.export import module_text, vocabulary

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_JS = ROOT / "static" / "src" / "base" / "contract.js"


def test_it_matches_what_contract_exports():
    committed = CONTRACT_JS.read_text(encoding="utf-8") if CONTRACT_JS.exists() else ""
    assert committed == module_text(), (
        "static/src/base/contract.js is not what contract/ exports: run "
        "`.venv/bin/python scripts/build_assets.py` and commit the file it writes"
    )


SOURCES = ROOT / "static" / "src"
# The one hand-written module that names single statuses, each checked against contract.js.
STATUS_NAMES_JS = SOURCES / "base" / "statuses.js"
# Words of the contract that mean something else where they occur, each with its reason.
OTHER_MEANINGS = {
    ("learn/tour-step.js", "failed"): "a check's verdict as a CSS class (passed/failed)",
    ("learn/themes.js", "modes"): "the tags of the execution theme, `eager` and `graph` among them",
}
INNERMOST_ARRAY = re.compile(r"\[[^\[\]]*\]")
STRING = re.compile(r"""(["'`])([\w-]+)\1""")
# A string literal that is not a key of a label map ({"worker-lost": ...}).
VALUE_STRING = re.compile(r"""(["'`])([\w-]+)\1(?!\s*:)""")


def vocabulary_lists() -> dict[str, set[str]]:
    words = vocabulary()
    return {
        "statuses": {*words["liveStatuses"], *words["terminalStatuses"]},
        "modes": set(words["modes"]),
        "devices": set(words["deviceChoices"]),
    }


def page_sources() -> dict[str, str]:
    files = {p.relative_to(SOURCES).as_posix(): p.read_text(encoding="utf-8")
             for p in SOURCES.rglob("*.js") if p != CONTRACT_JS}
    # Guards against a scan of nothing: the modules that once spelled the lists are in it.
    assert {"workspace/runbar.js", "workspace/index.js", "learn/tour-step.js"} <= set(files)
    return files


def spelled_lists(text: str) -> list[tuple[str, set[str]]]:
    """Array literals (however nested) holding two or more names of one contract list."""
    found = []
    while True:
        arrays = list(INNERMOST_ARRAY.finditer(text))
        if not arrays:
            return found
        for array in arrays:
            strings = {m.group(2) for m in STRING.finditer(array.group())}
            found += [(kind, hits) for kind, names in vocabulary_lists().items()
                      if len(hits := strings & names) >= 2]
        # Unwrap the innermost arrays so the ones around them are looked at next, whole.
        text = INNERMOST_ARRAY.sub(lambda m: f"({m.group()[1:-1]})", text)


def test_it_finds_a_list_spelled_by_hand():
    # The line runbar.js had, and the device picker's options: the scan must see both.
    old = ('export const TERMINAL_STATUSES = new Set(["succeeded", "failed", "timeout", '
           '"cancelled", "oom", "killed", "worker-lost"]);\n'
           'picker(t("Device"), "device", [["auto", t("Auto")], ["cpu", "CPU"], ["gpu", "GPU"]]);')
    assert [kind for kind, _ in spelled_lists(old)] == ["statuses", "devices"]


def test_it_spells_no_contract_list_outside_contract_js():
    spelled = {(path, kind) for path, text in page_sources().items()
               for kind, _ in spelled_lists(text)}
    assert spelled - OTHER_MEANINGS.keys() == set(), (
        "import these lists from static/src/base/contract.js")
    assert {key for key in OTHER_MEANINGS if key[1] in vocabulary_lists()} <= spelled


def test_it_names_single_statuses_only_in_statuses_js():
    statuses = vocabulary_lists()["statuses"]
    named = set()
    for path, text in page_sources().items():
        if SOURCES / path == STATUS_NAMES_JS:
            continue
        named |= {(path, m.group(2)) for m in VALUE_STRING.finditer(text)
                  if m.group(2) in statuses}
    assert named - OTHER_MEANINGS.keys() == set(), (
        "name run statuses through static/src/base/statuses.js (label maps may key by status)")
    # An exception that no longer occurs must go, so the list cannot hide a new use.
    assert {key for key in OTHER_MEANINGS if key[1] in statuses} <= named
