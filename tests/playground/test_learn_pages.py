"""The learning pages answer for every concept, tour and step, in both languages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from playground.concepts.models import Concept, Tour

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "ja"]


@pytest.fixture
def content() -> None:
    call_command("load_content", verbosity=0)


def client_in(lang: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_serves_the_home_page(content: None, lang: str) -> None:
    response = client_in(lang).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert "data-concept-map" in html
    assert 'href="/play"' in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_serves_every_concept_page(content: None, lang: str) -> None:
    concepts = list(Concept.objects.all())
    assert concepts, "no concepts were loaded"
    client = client_in(lang)
    for concept in concepts:
        response = client.get(f"/concepts/{concept.slug}")
        assert response.status_code == 200, concept.slug
        html = response.content.decode()
        assert f'data-slug="{concept.slug}"' in html
        assert getattr(concept, f"title_{lang}") in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_serves_every_tour_and_step(content: None, lang: str) -> None:
    tours = list(Tour.objects.prefetch_related("steps"))
    assert tours, "no tours were loaded"
    client = client_in(lang)
    for tour in tours:
        response = client.get(f"/tours/{tour.slug}")
        assert response.status_code == 200, tour.slug
        assert getattr(tour, f"title_{lang}") in response.content.decode()
        for step in tour.steps.all():
            response = client.get(f"/tours/{tour.slug}/{step.position}")
            assert response.status_code == 200, (tour.slug, step.position)
            assert getattr(step, f"title_{lang}") in response.content.decode()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "path", ["/concepts/no-such-concept", "/tours/no-such-tour", "/tours/no-such-tour/1"]
)
def test_it_answers_404_for_unknown_slugs(content: None, lang: str, path: str) -> None:
    response = client_in(lang).get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert "no-such-" in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_answers_404_for_steps_out_of_range(content: None, lang: str) -> None:
    tour = Tour.objects.first()
    assert tour is not None
    client = client_in(lang)
    assert client.get(f"/tours/{tour.slug}/0").status_code == 404
    assert client.get(f"/tours/{tour.slug}/{tour.steps.count() + 1}").status_code == 404


def test_it_speaks_japanese_when_asked(content: None) -> None:
    english = client_in("en").get("/").content.decode()
    japanese = client_in("ja").get("/").content.decode()
    assert "Concept map" in english
    assert "コンセプトマップ" in japanese
