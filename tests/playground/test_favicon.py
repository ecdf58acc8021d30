"""The favicon: every page links the built icon, and /favicon.ico (what a browser asks for when a
page names none) leads to it."""
from __future__ import annotations

import re

import pytest

from tests.browser.standin import DIST

pytestmark = pytest.mark.django_db


def test_every_page_links_the_icon_and_favicon_ico_leads_to_it(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302
    icon = answer["Location"]
    assert re.fullmatch(r"/static/favicon-[A-Z2-7]{8}\.svg", icon), icon
    assert (DIST / icon.removeprefix("/static/")).read_text().startswith("<svg")
    link = f'<link rel="icon" href="{icon}" type="image/svg+xml">'
    for page in ("/", "/play"):
        assert link in client.get(page).content.decode()
