"""A share: a frozen copy of a finished run's record under an unguessable slug."""
from __future__ import annotations

import secrets

from django.db import models


def new_slug() -> str:
    return secrets.token_urlsafe(16)  # 128 bits


class Share(models.Model):
    slug = models.CharField(primary_key=True, max_length=32, default=new_slug, editable=False)
    # The run may be deleted later; the frozen record stays.
    run = models.OneToOneField("runs.Run", null=True, on_delete=models.SET_NULL,
                               related_name="share")
    record = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"share {self.slug}"
