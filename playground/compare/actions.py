"""Comparing two runs: each side is a share slug (anyone holding it may look) or a run of the
browser session's own; the comparison reads both and writes nothing."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from playground.compare.summary import summarize
from playground.runs import actions as run_actions
from playground.runs.models import Run
from playground.shares.actions import shared_record
from playground.shares.models import Share

REF = re.compile(r"[A-Za-z0-9_-]{1,64}")
RECENT_RUNS = 20


def side(ref: str, session_key: str | None) -> dict[str, Any] | None:
    """One side of a comparison, or None when the ref is neither a share nor a run of this
    session (another session's run is as unknown as a missing one)."""
    if not REF.fullmatch(ref):
        return None
    share = Share.objects.filter(slug=ref).first()
    if share is not None:
        return summarize(shared_record(share), ref=ref, shared=True, url=f"/s/{ref}")
    run = run_actions.get_owned(ref, session_key)
    if run is None:
        return None
    return summarize(run_actions.record(run), ref=ref, shared=False, url=f"/runs/{ref}")


def ref_from_text(text: str) -> str | None:
    """A share slug or run id out of what a learner pasted: a link (/s/<slug>, /runs/<id>,
    /compare/...) or the bare slug."""
    text = text.strip()
    if not text:
        return None
    path = urlparse(text).path if "/" in text else text
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[-2] in ("s", "runs"):
        candidate = parts[-1]
    elif len(parts) == 1:
        candidate = parts[0]
    else:
        return None
    return candidate if REF.fullmatch(candidate) else None


def recent_runs(session_key: str | None, leave_out: str = "") -> list[dict[str, Any]]:
    """This session's latest finished runs, to pick the other side from."""
    if not session_key:
        return []
    runs = (Run.objects.filter(session_key=session_key).exclude(id=leave_out)
            .order_by("-created")[:RECENT_RUNS])
    return [{"id": run.id, "created": run.created, "status": run.status,
             "first_line": _first_line(run.code)} for run in runs]


def _first_line(code: str) -> str:
    for line in code.splitlines():
        line = line.strip()
        if line and not line.startswith(("import ", "from ")):
            return line[:80]
    return code.strip().splitlines()[0][:80] if code.strip() else ""
