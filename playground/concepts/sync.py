"""Write validated content into the database: create, update or delete only what differs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import models, transaction

from .models import Concept, Example, Tour, TourStep
from .source import ConceptSource, Content, TourSource


def _split(field: str, text: dict[str, str]) -> dict[str, str]:
    return {f"{field}_{lang}": value for lang, value in text.items()}


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any],
            stats: Counter[str]) -> Any:
    manager = model._default_manager
    obj = manager.filter(**lookup).first()
    if obj is None:
        stats["created"] += 1
        return manager.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        stats["updated"] += 1
    else:
        stats["unchanged"] += 1
    return obj


def _delete(queryset: models.QuerySet[Any], stats: Counter[str]) -> None:
    count = queryset.count()
    if count:
        queryset.delete()
        stats["deleted"] += count


def _sync_concept(source: ConceptSource, stats: Counter[str]) -> Concept:
    values: dict[str, Any] = {"order": source.order, "related": source.related}
    values |= _split("title", source.title) | _split("summary", source.summary)
    for key, text in source.sections.items():
        values |= _split(key, text)
    concept = _upsert(Concept, {"slug": source.slug}, values, stats)
    for example in source.examples:
        _upsert(Example, {"concept": concept, "name": example.name}, {
            "position": example.position, "code": example.code, "mode": example.mode,
            "compare_eager": example.compare_eager, "expect": example.expect,
            **_split("title", example.title),
        }, stats)
    _delete(concept.examples.exclude(name__in=[e.name for e in source.examples]), stats)
    return concept


def _sync_tour(source: TourSource, stats: Counter[str]) -> Tour:
    values: dict[str, Any] = {"order": source.order, "concepts": source.concepts}
    values |= _split("title", source.title) | _split("summary", source.summary)
    tour = _upsert(Tour, {"slug": source.slug}, values, stats)
    for step in source.steps:
        _upsert(TourStep, {"tour": tour, "position": step.position}, {
            "name": step.name, "code": step.code, "solution": step.solution, "mode": step.mode,
            "compare_eager": step.compare_eager, "hints": step.hints, "checks": step.checks,
            **_split("title", step.title), **_split("text", step.text),
        }, stats)
    _delete(tour.steps.filter(position__gt=len(source.steps)), stats)
    return tour


@transaction.atomic
def sync_content(content: Content) -> Counter[str]:
    """Make the database match `content`; return counts of created/updated/deleted/unchanged."""
    stats: Counter[str] = Counter()
    for concept in content.concepts:
        _sync_concept(concept, stats)
    _delete(Concept.objects.exclude(slug__in=[c.slug for c in content.concepts]), stats)
    for tour in content.tours:
        _sync_tour(tour, stats)
    _delete(Tour.objects.exclude(slug__in=[t.slug for t in content.tours]), stats)
    return stats
