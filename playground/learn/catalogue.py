"""What the learning pages need to know from the catalogue before the browser asks the API.

The pages draw their content from the public JSON API; the server only has to know whether a
concept, tour or step exists (to answer 404) and its title (for the document title).
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.concepts.models import Concept, Tour


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    steps: int = 0


def _title(obj: Concept | Tour, lang: str) -> str:
    return str(getattr(obj, f"title_{lang}", "") or obj.title_en)


def find_concept(slug: str, lang: str) -> Page | None:
    concept = Concept.objects.filter(slug=slug).first()
    return Page(slug, _title(concept, lang)) if concept else None


def find_tour(slug: str, lang: str) -> Page | None:
    tour = Tour.objects.filter(slug=slug).first()
    if tour is None:
        return None
    return Page(slug, _title(tour, lang), steps=tour.steps.count())


def step_title(slug: str, step: int, lang: str) -> str:
    tour_step = Tour.objects.get(slug=slug).steps.get(position=step)
    return str(getattr(tour_step, f"title_{lang}", "") or tour_step.title_en)
