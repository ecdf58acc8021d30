"""The Content-Security-Policy header on every kind of page, and pages the policy can keep whole:
no inline script, event handler, style attribute or javascript: URL in any template's output."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

from playground.concepts.models import Concept, Tour
from tests.playground.test_share_pages import make_share

pytestmark = pytest.mark.django_db

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; "
          "img-src 'self'; font-src 'self'; connect-src 'self'; worker-src 'self'; "
          "object-src 'none'; base-uri 'none'; form-action 'self'")


@pytest.fixture
def pages() -> dict[str, str]:
    """A path of each page kind, the 404 pages included."""
    call_command("load_content", verbosity=0)
    concept = Concept.objects.order_by("slug").first()
    tour = Tour.objects.order_by("slug").first()
    assert concept and tour, "no content was loaded"
    share = make_share()
    return {"home": "/", "concept": f"/concepts/{concept.slug}", "tour": f"/tours/{tour.slug}",
            "tour step": f"/tours/{tour.slug}/1", "play": "/play", "share": f"/s/{share.slug}",
            "embed": f"/s/{share.slug}?embed=1", "no run": "/runs/AAAAAAAAAAAAAAAA",
            "no concept": "/concepts/no-such-concept", "no share": "/s/AAAAAAAAAAAAAAAAAAAAAA",
            "no share embed": "/s/AAAAAAAAAAAAAAAAAAAAAA?embed=1"}


def nonce_of(page: str) -> str:
    found = re.search(r'<meta property="csp-nonce" nonce="([^"]+)">', page)
    assert found, "no csp-nonce meta tag"
    return found.group(1)


class InlineCode(HTMLParser):
    """Collects what the policy would refuse in a page's markup."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []
        self.in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.refused.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower(
                    ).startswith("javascript:"):
                self.refused.append(f"<{tag} {name}={value}>")
        if tag == "style":
            self.refused.append("<style>")
        if tag == "script" and not named.get("src"):
            self.in_script = named.get("type") or "text/javascript"

    def handle_data(self, data: str) -> None:
        if self.in_script and self.in_script != "application/json" and data.strip():
            self.refused.append(f"<script> {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = None


def test_every_page_kind_carries_the_policy_with_a_fresh_nonce(pages: dict[str, str]) -> None:
    client = Client()
    for kind, path in pages.items():
        first, second = client.get(path), client.get(path)
        assert first["Content-Type"].startswith("text/html"), kind
        nonce = nonce_of(first.content.decode())
        framing = "" if "embed" in kind else "; frame-ancestors 'none'"
        assert first["Content-Security-Policy"] == POLICY.format(nonce=nonce) + framing, kind
        assert nonce != nonce_of(second.content.decode()), kind
        assert first["Cross-Origin-Opener-Policy"] == "same-origin", kind
        assert first["Referrer-Policy"] == "same-origin", kind


def test_no_page_has_inline_code_the_policy_refuses(pages: dict[str, str]) -> None:
    client = Client()
    for kind, path in pages.items():
        parser = InlineCode()
        parser.feed(client.get(path).content.decode())
        assert parser.refused == [], kind


def test_the_inline_code_check_finds_what_it_looks_for() -> None:
    parser = InlineCode()
    parser.feed('<script>x()</script><script type="application/json">{}</script>'
                '<script src="/a.js"></script><a href=" JavaScript:x()" onclick="x()">a</a>'
                '<p style="color: red"></p><style>p {}</style>')
    assert len(parser.refused) == 5, parser.refused


def test_json_answers_need_no_policy() -> None:
    answer = Client().get("/api/session")
    assert answer["Content-Type"].startswith("application/json")
    assert "Content-Security-Policy" not in answer
