"""Share pages: /s/<slug> (the frozen run, read-only) and its compact ?embed=1 view for iframes."""
from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from playground.concepts.models import Concept
from playground.shares.actions import shared_record
from playground.shares.models import Share

SLUG_MAX = 64
TITLE_MAX = 80
SUMMARY_MAX = 200

STATUS_LABELS = {
    "succeeded": gettext_lazy("Succeeded"),
    "failed": gettext_lazy("Failed"),
    "timeout": gettext_lazy("Timed out"),
    "cancelled": gettext_lazy("Cancelled"),
    "oom": gettext_lazy("Out of memory"),
    "killed": gettext_lazy("Killed"),
    "worker-lost": gettext_lazy("Worker lost"),
}
MODE_LABELS = {"eager": gettext_lazy("Eager"), "graph": gettext_lazy("Graph (TF1)")}

# Terminal control sequences (CSI and OSC) that Keras and others write even off a terminal.
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")
_IMPORT = re.compile(r"^(import\s|from\s+\S+\s+import\s)")


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _plain_line(line: str) -> str:
    """One line of output as plain text for the link preview, as a terminal would leave it:
    escapes removed, what follows the last \\r wins, \\b erases. (The live terminal's filter,
    static/src/workspace/terminal-text.js, keeps colours and cursor moves instead.)"""
    line = _ESCAPES.sub("", line).rsplit("\r", 1)[-1]
    shown: list[str] = []
    for char in line:
        if char == "\b":
            if shown:
                shown.pop()
        elif char.isprintable() or char == "\t":
            shown.append(char)
    return "".join(shown).strip()


def first_output_line(events: list[dict[str, Any]]) -> str:
    text = "".join(str(e.get("text", "")) for e in events if e.get("type") == "stdout")
    for line in text.split("\n"):
        shown = _plain_line(line)
        if shown:
            return shown
    return ""


def code_title(code: str) -> str:
    """The first line that says something: a comment, a docstring or a statement (not an import
    or a decorator)."""
    for raw in code.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#!", "# -*-", "@")) or _IMPORT.match(line):
            continue
        if line.startswith("#"):
            line = line.lstrip("#").strip()
        elif line[:3] in ('"""', "'''"):
            line = line.strip("\"' ")
        if line:
            return _clip(line, TITLE_MAX)
    return ""


def _concept_title(slug: str | None) -> str:
    concept = Concept.objects.filter(slug=slug).first() if slug else None
    if concept is None:
        return ""
    lang = (get_language() or "en").split("-")[0]
    return str(getattr(concept, f"title_{lang}", "") or concept.title_en)


def _seconds(ms: Any) -> str:
    if not isinstance(ms, int | float):
        return ""
    if ms < 1000:
        return f"{round(ms)} ms"
    return f"{ms / 1000:.1f} s" if ms < 10_000 else f"{round(ms / 1000)} s"


def result_summary(record: dict[str, Any]) -> str:
    """One line for link previews: the outcome, then the exception or the first output line."""
    status = str(record.get("status") or "")
    outcome = str(STATUS_LABELS.get(status, status))
    duration = _seconds(record.get("duration_ms"))
    head = _("%(outcome)s in %(duration)s") % {"outcome": outcome, "duration": duration} \
        if duration else outcome
    events = record.get("events") or []
    error = next((e for e in events if e.get("type") == "error"), None)
    if error:
        detail = f"{error.get('exc_type', 'Error')}: {error.get('message', '')}".rstrip(": ")
        if isinstance(error.get("line"), int) and error["line"] > 0:
            detail += " " + _("(line %(line)s)") % {"line": error["line"]}
    else:
        detail = first_output_line(events) or _("no output")
    return _clip(f"{head}: {detail}", SUMMARY_MAX)


def runtime_facts(record: dict[str, Any]) -> list[tuple[str, str]]:
    """What produced the result, as (label, value) rows; missing values are left out."""
    runtime = record.get("runtime") or {}
    mode = str(record.get("mode") or "eager")
    rows = [
        (_("TensorFlow"), runtime.get("tensorflow")),
        (_("Keras"), runtime.get("keras")),
        (_("Python"), runtime.get("python")),
        (_("Device"), str(runtime.get("device") or record.get("device") or "").upper()),
        (_("Host"), runtime.get("host")),
        (_("Mode"), str(MODE_LABELS.get(mode, mode))),
        (_("Duration"), _seconds(record.get("duration_ms"))),
    ]
    return [(label, str(value)) for label, value in rows if value]


def _context(request: HttpRequest, share: Share, embed: bool) -> dict[str, Any]:
    record = shared_record(share)
    concept = _concept_title(record.get("concept"))
    code_line = code_title(str(record.get("code") or ""))
    page_url = request.build_absolute_uri(f"/s/{share.slug}")
    return {
        "slug": share.slug,
        "embed": embed,
        "title": concept or code_line or _("Shared run"),
        "concept_title": concept,
        "summary": result_summary(record),
        "status": record.get("status"),
        "status_label": STATUS_LABELS.get(str(record.get("status")), record.get("status")),
        "facts": runtime_facts(record),
        "shared": parse_datetime(record["shared"]),
        "sandboxed": (record.get("runtime") or {}).get("sandbox") != "none",
        "code": record.get("code") or "",
        "page_url": page_url,
        "page_data": {
            "slug": share.slug,
            "url": page_url,
            "embed": embed,
            "record": record,
            "notebook": f"/api/shares/{share.slug}.ipynb",
            "script": f"/api/shares/{share.slug}.py",
        },
    }


@require_safe
def share_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The shared run, from the database only: no worker and no stream is needed to show it."""
    embed = request.GET.get("embed") in {"1", "true", "yes"}
    share = Share.objects.filter(slug=slug).first() if len(slug) <= SLUG_MAX else None
    if share is None:
        template = "shares/embed_not_found.html" if embed else "shares/not_found.html"
        response = render(request, template, {"slug": slug[:SLUG_MAX]}, status=404)
    else:
        template = "shares/embed.html" if embed else "shares/page.html"
        response = render(request, template, _context(request, share, embed))
    if embed:
        # Only the compact view may sit in another site's iframe; every other page stays DENY.
        # (No CSP frame-ancestors either: `*` would not match a data: or about:blank parent.)
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
    return response
