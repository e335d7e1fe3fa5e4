"""The audit trail (django-simple-history), registered once modeltranslation has added its columns."""

from __future__ import annotations

from typing import Any

from django.db import models
from simple_history import register


def keep_history(model: type[models.Model], **options: Any) -> None:
    """Record every change of `model`, with who made it and the previous values.

    A field's column expression is cached on first use (`Field.cached_col`); a field used at start-up
    would hand the historical copy a column of the live table, so the cache is dropped first.
    """
    for field in model._meta.concrete_fields:
        field.__dict__.pop("cached_col", None)
    register(model, **options)
