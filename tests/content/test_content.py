"""The content itself: all 22 concepts in both languages, links that resolve, checked examples."""

import re

from playground.concepts.source import CONCEPT_LINK, LANGUAGES, Content

CONCEPTS = {
    "tensorflow", "tensor", "tensor-operation", "eager-execution", "graph-execution",
    "graph-conversion", "tf-function", "autograph", "control-flow", "tf-keras", "model", "layer",
    "sequential-model", "functional-api", "loss-function", "dataset", "tf-data",
    "data-augmentation", "performance", "tf-distribute", "mirrored-strategy", "tpu-strategy",
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_it_has_exactly_the_catalogue(content: Content) -> None:
    assert {c.slug for c in content.concepts} == CONCEPTS
    orders = [c.order for c in content.concepts]
    assert len(set(orders)) == len(orders), "two concepts share an order"


def test_every_concept_speaks_both_languages(content: Content) -> None:
    for concept in content.concepts:
        for lang in LANGUAGES:
            assert concept.title[lang] and concept.summary[lang], concept.slug
            for name, section in concept.sections.items():
                shortest = 200 if lang == "en" else 100  # Japanese needs fewer characters
                assert len(section[lang]) > shortest, f"{concept.slug} {lang} {name} is too thin"
        for name, section in concept.sections.items():
            assert JAPANESE.search(section["ja"]), f"{concept.slug} ja {name} is not Japanese"
            assert not JAPANESE.search(section["en"]), f"{concept.slug} en {name} has Japanese"


def test_every_definition_is_one_paragraph(content: Content) -> None:
    for concept in content.concepts:
        for lang in LANGUAGES:
            assert "\n\n" not in concept.sections["definition"][lang], (concept.slug, lang)


def test_every_link_and_related_slug_resolves(content: Content) -> None:
    known = {c.slug for c in content.concepts}
    for concept in content.concepts:
        assert concept.related and set(concept.related) <= known - {concept.slug}, concept.slug
        for section in concept.sections.values():
            for lang in LANGUAGES:
                assert set(CONCEPT_LINK.findall(section[lang])) <= known
    for tour in content.tours:
        assert set(tour.concepts) <= known
        for step in tour.steps:
            for text in [step.text, *step.hints]:
                for lang in LANGUAGES:
                    assert set(CONCEPT_LINK.findall(text[lang])) <= known


def test_every_concept_has_two_examples_with_expectations(content: Content) -> None:
    for concept in content.concepts:
        assert len(concept.examples) >= 2, concept.slug
        for example in concept.examples:
            assert example.expect, f"{concept.slug}/{example.name} expects nothing"
            assert example.title["en"] and example.title["ja"]


def test_fashion_mnist_is_used_sparingly(content: Content) -> None:
    codes = [e.code for c in content.concepts for e in c.examples]
    codes += [s.code + s.solution for t in content.tours for s in t.steps]
    assert sum("fashion_mnist" in code for code in codes) <= 3


def test_there_are_enough_tours_and_steps(content: Content) -> None:
    assert len(content.tours) >= 3
    assert sum(len(t.steps) for t in content.tours) >= 20
    for tour in content.tours:
        exercises = [s for s in tour.steps if s.checks]
        assert exercises, f"tour {tour.slug} has no checked exercise"
        for step in exercises:
            assert step.solution and step.solution != step.code, f"{tour.slug}/{step.name}"
            assert step.hints, f"{tour.slug}/{step.name} has checks but no hint"
            for check in step.checks:
                assert "message" in check, f"{tour.slug}/{step.name}: {check} needs a hint"
