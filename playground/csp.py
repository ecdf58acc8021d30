"""The Content-Security-Policy of every HTML page: scripts and styles only from our own files."""
from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from asgiref.sync import markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

GetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]

# A second wall behind "untrusted text is never parsed as markup": markup that got into a page
# anyway runs no script, takes no style, loads nothing from elsewhere and posts nowhere else.
DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    # CodeMirror, xterm.js and cytoscape write <style> elements; base/style-nonce.js nonces them.
    "style-src": "'self' 'nonce-{nonce}'",
    "img-src": "'self'",
    "font-src": "'self'",
    # The run socket is same-origin ws:/wss:, which 'self' matches.
    "connect-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
POLICY = "; ".join(f"{name} {value}" for name, value in DIRECTIVES.items())
# The share page's embed view may sit in any site's iframe (see playground/shares/pages.py): no
# frame-ancestors at all, since `*` would not match a data: or about:blank parent.
EMBEDDABLE_POLICY = "; ".join(
    f"{name} {value}" for name, value in DIRECTIVES.items() if name != "frame-ancestors")


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def policy_for(response: HttpResponseBase, nonce: str) -> str:
    """The policy of one HTML response: the embeddable one for responses exempt from
    X-Frame-Options, the only ones another site may frame."""
    if getattr(response, "xframe_options_exempt", False):
        return EMBEDDABLE_POLICY.format(nonce=nonce)
    return POLICY.format(nonce=nonce)


class ContentSecurityPolicy:
    """Gives each request a fresh nonce (`request.csp_nonce`, which base.html hands to the page's
    scripts) and sets the policy on every HTML response, error pages included; other responses
    need none. Pure computation, so it runs on the event loop."""

    sync_capable = False
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponseBase:
        nonce = request.csp_nonce = new_nonce()  # type: ignore[attr-defined]
        response = await self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", policy_for(response, nonce))
        return response
