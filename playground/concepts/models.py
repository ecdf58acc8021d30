"""Concepts, their runnable examples, guided tours and tour steps, loaded from content files.

Rows are written only by `load_content` (see `sync.py`); text is stored as the Markdown the
author wrote, once per language, and the page renders it.
"""

from django.db import models


def both(obj: models.Model, field: str) -> dict[str, str]:
    """Return a bilingual field as `{"en": ..., "ja": ...}`."""
    return {"en": getattr(obj, f"{field}_en"), "ja": getattr(obj, f"{field}_ja")}


class Concept(models.Model):
    slug = models.SlugField(unique=True)
    order = models.IntegerField()
    title_en = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200)
    summary_en = models.TextField()
    summary_ja = models.TextField()
    definition_en = models.TextField()
    definition_ja = models.TextField()
    explanation_en = models.TextField()
    explanation_ja = models.TextField()
    uses_en = models.TextField()
    uses_ja = models.TextField()
    related = models.JSONField(default=list)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.slug


class Example(models.Model):
    concept = models.ForeignKey(Concept, related_name="examples", on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    position = models.IntegerField()
    title_en = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200)
    code = models.TextField()
    mode = models.CharField(max_length=10, default="eager")
    compare_eager = models.BooleanField(default=False)  # run with a second, eager pass
    expect = models.JSONField(default=list)

    class Meta:
        ordering = ["concept", "position"]
        constraints = [
            models.UniqueConstraint(fields=["concept", "name"], name="example_unique_name"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def public_id(self) -> str:
        """A stable id that survives reloading the content: `<concept>/<file stem>`."""
        return f"{self.concept.slug}/{self.name}"


class Tour(models.Model):
    slug = models.SlugField(unique=True)
    order = models.IntegerField()
    title_en = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200)
    summary_en = models.TextField()
    summary_ja = models.TextField()
    concepts = models.JSONField(default=list)

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.slug


class TourStep(models.Model):
    tour = models.ForeignKey(Tour, related_name="steps", on_delete=models.CASCADE)
    position = models.IntegerField(help_text="1-based step number, as in the URL")
    name = models.CharField(max_length=100)
    title_en = models.CharField(max_length=200)
    title_ja = models.CharField(max_length=200)
    text_en = models.TextField()
    text_ja = models.TextField()
    code = models.TextField()
    solution = models.TextField(blank=True, default="")
    mode = models.CharField(max_length=10, default="eager")
    compare_eager = models.BooleanField(default=False)
    hints = models.JSONField(default=list)
    checks = models.JSONField(default=list)

    class Meta:
        ordering = ["tour", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tour", "position"], name="step_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.tour.slug}#{self.position}"
