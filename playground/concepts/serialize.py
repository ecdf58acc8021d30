"""Shape concepts and tours as the JSON of the public contract (DESIGN §3)."""

from __future__ import annotations

from typing import Any

from .models import Concept, Example, Tour, TourStep, both


def concept_summary(concept: Concept) -> dict[str, Any]:
    return {
        "slug": concept.slug,
        "order": concept.order,
        "title": both(concept, "title"),
        "summary": both(concept, "summary"),
        "related": concept.related,
    }


def example(item: Example) -> dict[str, Any]:
    return {
        "id": item.public_id,
        "title": both(item, "title"),
        "code": item.code,
        "mode": item.mode,
        "compare_eager": item.compare_eager,
        "expect": item.expect,
    }


def concept_detail(concept: Concept) -> dict[str, Any]:
    return {
        **concept_summary(concept),
        "definition": both(concept, "definition"),
        "explanation": both(concept, "explanation"),
        "uses": both(concept, "uses"),
        "examples": [example(e) for e in concept.examples.all()],
    }


def tour_summary(tour: Tour) -> dict[str, Any]:
    return {
        "slug": tour.slug,
        "order": tour.order,
        "title": both(tour, "title"),
        "summary": both(tour, "summary"),
        "concepts": tour.concepts,
        "step_count": tour.steps.count(),
    }


def step(item: TourStep) -> dict[str, Any]:
    data: dict[str, Any] = {
        "n": item.position,
        "title": both(item, "title"),
        "text": both(item, "text"),
        "code": item.code,
        "mode": item.mode,
        "compare_eager": item.compare_eager,
        "hints": item.hints,
    }
    if item.checks:
        data["check"] = item.checks
    if item.solution:
        data["solution"] = item.solution
    return data


def tour_detail(tour: Tour) -> dict[str, Any]:
    return {**tour_summary(tour), "steps": [step(s) for s in tour.steps.all()]}
