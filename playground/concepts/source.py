"""Read and validate the content folder (concepts, examples, tours) into plain dataclasses.

Nothing here touches the database: the test suite uses it to run every example, and
`load_content` uses it before writing anything. Every problem is reported with the file it is
in, all at once, so an author can fix a batch of mistakes in one go.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contract.job import DEFAULT_MODE, MODES

from . import checks

CONTENT_ROOT = Path(__file__).resolve().parent / "content"
LANGUAGES = ("en", "ja")
SECTIONS = {
    "en": ("Definition", "Explanation", "Uses"),
    "ja": ("定義", "解説", "使いどころ"),
}
SECTION_KEYS = ("definition", "explanation", "uses")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NUMBERED = re.compile(r"^(\d{2})-[a-z0-9_-]+$")
CONCEPT_LINK = re.compile(r"\]\(concept:([^)\s]*)\)")
HEADING = re.compile(r"^## (.+?)\s*$")

Text = dict[str, str]


class ContentError(Exception):
    """The content folder has problems; the message lists each one with its file."""


@dataclass
class ExampleSource:
    name: str
    position: int
    title: Text
    code: str
    mode: str
    expect: list[dict[str, Any]]
    path: Path
    compare_eager: bool = False


@dataclass
class ConceptSource:
    slug: str
    order: int
    title: Text
    summary: Text
    sections: dict[str, Text]
    related: list[str]
    examples: list[ExampleSource]
    folder: Path


@dataclass
class StepSource:
    position: int
    name: str
    title: Text
    text: Text
    hints: list[Text]
    checks: list[dict[str, Any]]
    code: str
    solution: str
    mode: str
    folder: Path
    compare_eager: bool = False


@dataclass
class TourSource:
    slug: str
    order: int
    title: Text
    summary: Text
    concepts: list[str]
    steps: list[StepSource]
    folder: Path


@dataclass
class Content:
    concepts: list[ConceptSource] = field(default_factory=list)
    tours: list[TourSource] = field(default_factory=list)


class _Reader:
    """Walks the folder once, collecting problems instead of stopping at the first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[str] = []

    def problem(self, path: Path, message: str) -> None:
        try:
            shown = path.relative_to(self.root)
        except ValueError:
            shown = path
        self.problems.append(f"{shown}: {message}")

    def toml(self, path: Path, allowed: set[str], required: set[str]) -> dict[str, Any]:
        if not path.is_file():
            self.problem(path, "file is missing")
            return {}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            self.problem(path, f"not valid TOML ({exc})")
            return {}
        for key in sorted(required - set(data)):
            self.problem(path, f"missing key {key!r}")
        for key in sorted(set(data) - allowed):
            self.problem(path, f"unknown key {key!r}")
        return data

    def folder_toml(self, folder: Path, name: str, keys: set[str]) -> tuple[Path, dict[str, Any],
                                                                              int]:
        """`<folder>/<name>` holding exactly `keys`: its path, its data and its order. Its slug,
        if written, must be the folder's name, and its order an integer (0 when it is not)."""
        path = folder / name
        data = self.toml(path, keys, keys)
        if data.get("slug", folder.name) != folder.name:
            self.problem(path, f"slug {data.get('slug')!r} differs from the folder name")
        order = data.get("order", 0)
        if not isinstance(order, int):
            self.problem(path, "order must be an integer")
            order = 0
        return path, data, order

    def slugs(self, path: Path, data: dict[str, Any], key: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            self.problem(path, f"{key} must be a list of slugs")
            return []
        return list(value)

    def text(self, path: Path, data: dict[str, Any], key: str) -> Text:
        value = data.get(key)
        if not isinstance(value, dict):
            if key in data:
                self.problem(path, f"[{key}] must be a table with 'en' and 'ja'")
            return {"en": "", "ja": ""}
        for lang in LANGUAGES:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.problem(path, f"[{key}] needs a non-empty {lang!r} string")
        for extra in sorted(set(value) - set(LANGUAGES)):
            # Usually a top-level key written after the table, which TOML puts inside it.
            self.problem(path, f"[{key}] has an unexpected key {extra!r} (move it above the table)")
        return {lang: str(value.get(lang, "")).strip() for lang in LANGUAGES}

    def source(self, path: Path) -> str:
        if not path.is_file():
            self.problem(path, "file is missing")
            return ""
        return path.read_text(encoding="utf-8")

    def code(self, path: Path, expects_syntax_error: bool = False) -> str:
        code = self.source(path)
        if code and not expects_syntax_error:
            try:
                compile(code, str(path), "exec")
            except SyntaxError as exc:
                self.problem(path, f"syntax error at line {exc.lineno}: {exc.msg}")
        return code

    def check_list(self, path: Path, entries: Any, key: str) -> list[dict[str, Any]]:
        if not isinstance(entries, list):
            self.problem(path, f"[[{key}]] must be an array of tables")
            return []
        for number, entry in enumerate(entries, 1):
            for message in checks.validate(entry):
                self.problem(path, f"[[{key}]] #{number}: {message}")
        return [dict(e) for e in entries if isinstance(e, dict)]

    def mode(self, path: Path, data: dict[str, Any]) -> str:
        mode = data.get("mode", DEFAULT_MODE)
        if mode not in MODES:
            self.problem(path, f"mode must be one of {MODES}, not {mode!r}")
        return str(mode)

    def compare_eager(self, path: Path, data: dict[str, Any], mode: str) -> bool:
        """`compare_eager = true`: the page runs it with a second, eager pass (TF2 mode only)."""
        value = data.get("compare_eager", False)
        if not isinstance(value, bool):
            self.problem(path, f"compare_eager must be true or false, not {value!r}")
            return False
        if value and mode != DEFAULT_MODE:
            self.problem(path, f"compare_eager needs mode {DEFAULT_MODE!r}, not {mode!r}")
        return value

    def markdown(self, path: Path, lang: str) -> Text:
        """Split a concept page into its three sections, checking their names and order."""
        body = self.source(path)
        found: list[tuple[str, list[str]]] = []
        before: list[str] = []
        fenced = False
        for line in body.splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            match = None if fenced else HEADING.match(line)
            if match:
                found.append((match.group(1), []))
            elif found:
                found[-1][1].append(line)
            else:
                before.append(line)
        if not body:
            return {key: "" for key in SECTION_KEYS}
        if "".join(before).strip():
            self.problem(path, "text before the first '## ' heading")
        names = tuple(name for name, _ in found)
        if names != SECTIONS[lang]:
            wanted = ", ".join(f"'## {n}'" for n in SECTIONS[lang])
            self.problem(path, f"sections must be exactly {wanted} in this order; found {names}")
        sections = {}
        for key, (name, lines) in zip(SECTION_KEYS, found, strict=False):
            sections[key] = "\n".join(lines).strip()
            if not sections[key]:
                self.problem(path, f"section '## {name}' is empty")
        return {key: sections.get(key, "") for key in SECTION_KEYS}

    def numbered(self, folder: Path, suffix: str = "") -> list[Path]:
        """Children named NN-name (files with `suffix`, or folders when suffix is empty)."""
        items = sorted(p for p in folder.iterdir() if not p.name.startswith((".", "_")))
        chosen = [p for p in items if (p.suffix == suffix if suffix else p.is_dir())]
        for path in chosen:
            if not NUMBERED.match(path.stem if suffix else path.name):
                self.problem(path, "name must look like NN-name (two digits, a dash, a-z0-9_-)")
        return chosen


def _read_example(reader: _Reader, code_path: Path, position: int) -> ExampleSource:
    meta_path = code_path.with_suffix(".toml")
    data = reader.toml(meta_path, {"title", "expect", "mode", "compare_eager"}, {"title", "expect"})
    expect = reader.check_list(meta_path, data.get("expect", []), "expect")
    if "expect" in data and not expect:
        reader.problem(meta_path, "give at least one [[expect]] entry")
    wants_syntax_error = any(
        e.get("kind") == "error" and e.get("exc_type") == "SyntaxError" for e in expect
    )
    mode = reader.mode(meta_path, data)
    return ExampleSource(
        name=code_path.stem, position=position, title=reader.text(meta_path, data, "title"),
        code=reader.code(code_path, wants_syntax_error), mode=mode,
        expect=expect, path=code_path,
        compare_eager=reader.compare_eager(meta_path, data, mode),
    )


def _read_concept(reader: _Reader, folder: Path) -> ConceptSource:
    meta, data, order = reader.folder_toml(folder, "concept.toml",
                                           {"slug", "order", "related", "title", "summary"})
    related = reader.slugs(meta, data, "related")
    pages = {lang: reader.markdown(folder / f"{lang}.md", lang) for lang in LANGUAGES}
    examples_dir = folder / "examples"
    examples = []
    if examples_dir.is_dir():
        for path in examples_dir.glob("*.toml"):
            if not path.with_suffix(".py").is_file():
                reader.problem(path, "no matching .py snippet beside it")
        code_files = reader.numbered(examples_dir, ".py")
        examples = [_read_example(reader, p, i) for i, p in enumerate(code_files, 1)]
    if len(examples) < 2:
        reader.problem(examples_dir, "a concept needs at least two examples")
    return ConceptSource(
        slug=folder.name, order=order,
        title=reader.text(meta, data, "title"), summary=reader.text(meta, data, "summary"),
        sections={key: {lang: pages[lang][key] for lang in LANGUAGES} for key in SECTION_KEYS},
        related=related, examples=examples, folder=folder,
    )


def _read_step(reader: _Reader, folder: Path, position: int) -> StepSource:
    meta = folder / "step.toml"
    data = reader.toml(meta, {"title", "text", "hints", "check", "mode", "compare_eager"},
                       {"title", "text"})
    if not NUMBERED.match(folder.name) or int(folder.name[:2]) != position:
        reader.problem(folder, "steps must be numbered 01, 02, ... without gaps; "
                               f"expected {position:02d}")
    hints = data.get("hints", [])
    if not isinstance(hints, list):
        reader.problem(meta, "hints must be an array of tables with 'en' and 'ja'")
        hints = []
    hint_texts = [reader.text(meta, {"hint": h}, "hint") for h in hints]
    step_checks = reader.check_list(meta, data.get("check", []), "check")
    solution_path = folder / "solution.py"
    mode = reader.mode(meta, data)
    if step_checks and not solution_path.is_file():
        reader.problem(solution_path, "a step with checks needs a solution.py")
    return StepSource(
        position=position, name=folder.name, title=reader.text(meta, data, "title"),
        text=reader.text(meta, data, "text"), hints=hint_texts, checks=step_checks,
        code=reader.code(folder / "start.py"),
        solution=reader.code(solution_path) if solution_path.is_file() else "",
        mode=mode, folder=folder, compare_eager=reader.compare_eager(meta, data, mode),
    )


def _read_tour(reader: _Reader, folder: Path) -> TourSource:
    meta, data, order = reader.folder_toml(folder, "tour.toml",
                                           {"slug", "order", "title", "summary", "concepts"})
    concepts = reader.slugs(meta, data, "concepts")
    step_dirs = reader.numbered(folder)
    if not step_dirs:
        reader.problem(folder, "a tour needs at least one step folder (01-name/)")
    return TourSource(
        slug=folder.name, order=order,
        title=reader.text(meta, data, "title"), summary=reader.text(meta, data, "summary"),
        concepts=concepts,
        steps=[_read_step(reader, d, i) for i, d in enumerate(step_dirs, 1)], folder=folder,
    )


def _subfolders(reader: _Reader, folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    for path in found:
        if not SLUG.match(path.name):
            reader.problem(path, "folder name must be a slug (a-z, 0-9, single dashes)")
    return found


def _check_links(reader: _Reader, content: Content) -> None:
    known = {c.slug for c in content.concepts}

    def links(path: Path, text: str) -> None:
        for slug in CONCEPT_LINK.findall(text):
            if slug not in known:
                reader.problem(path, f"link to unknown concept 'concept:{slug}'")

    for concept in content.concepts:
        for slug in concept.related:
            if slug not in known or slug == concept.slug:
                reader.problem(concept.folder / "concept.toml",
                               f"related slug {slug!r} is not another concept")
        for lang in LANGUAGES:
            for section in concept.sections.values():
                links(concept.folder / f"{lang}.md", section[lang])
    for tour in content.tours:
        for slug in tour.concepts:
            if slug not in known:
                reader.problem(tour.folder / "tour.toml", f"unknown concept {slug!r}")
        for step in tour.steps:
            for text in [step.text, *step.hints]:
                for lang in LANGUAGES:
                    links(step.folder / "step.toml", text[lang])


def read_content(root: Path = CONTENT_ROOT) -> Content:
    """Read everything under `root`; raise ContentError naming every bad file."""
    root = Path(root)
    reader = _Reader(root)
    if not root.is_dir():
        raise ContentError(f"{root}: content folder not found")
    content = Content(
        concepts=[_read_concept(reader, f) for f in _subfolders(reader, root / "concepts")],
        tours=[_read_tour(reader, f) for f in _subfolders(reader, root / "tours")],
    )
    _check_links(reader, content)
    if reader.problems:
        listed = "\n".join(f"  {p}" for p in reader.problems)
        raise ContentError(f"bad content in {root} ({len(reader.problems)} problem(s)):\n{listed}")
    content.concepts.sort(key=lambda c: (c.order, c.slug))
    content.tours.sort(key=lambda t: (t.order, t.slug))
    return content
