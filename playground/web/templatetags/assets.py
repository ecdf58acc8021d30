"""Template tags for the built front end: logical names ("play.js") to the hashed files that
static/build.mjs wrote, through dist/assets-manifest.json."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
log = logging.getLogger(__name__)

MANIFEST = "assets-manifest.json"
_cache: dict[str, object] = {"path": None, "mtime": None, "names": {}}


def _manifest() -> dict[str, str]:
    found = finders.find(MANIFEST)
    path = Path(found) if isinstance(found, str) else None
    if path is None:
        if _cache["path"] is not False:
            log.warning("%s not found: run `node static/build.mjs` to build the front end",
                        MANIFEST)
            _cache.update(path=False, mtime=None, names={})
        return {}
    mtime = path.stat().st_mtime
    # A rebuild replaces the manifest: re-read it when it changes, not on every request.
    if _cache["path"] != path or _cache["mtime"] != mtime:
        _cache.update(path=path, mtime=mtime, names=json.loads(path.read_text(encoding="utf-8")))
    names = _cache["names"]
    return names if isinstance(names, dict) else {}


@register.simple_tag
def asset(name: str) -> str:
    """The URL of a built file by its logical name, e.g. {% asset "play.js" %}."""
    return static(_manifest().get(name, name))


@register.simple_tag
def entry_assets(entry: str) -> SafeString:
    """The stylesheet and module script of one entry, e.g. {% entry_assets "play" %} in <head>."""
    names = _manifest()
    parts = []
    if f"{entry}.css" in names:
        css = static(names[f"{entry}.css"])
        parts.append(format_html('<link rel="stylesheet" href="{}">', css))
    parts.append(format_html('<script type="module" src="{}"></script>', asset(f"{entry}.js")))
    return mark_safe("\n".join(parts))  # noqa: S308 - each part is escaped by format_html
