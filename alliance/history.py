"""The audit trail (django-simple-history), registered once modeltranslation has added its columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from simple_history import register
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import HistoryManager


class AuditTrailManager(HistoryManager):  # type: ignore[misc]  # simple-history is untyped
    """simple-history's manager of a model's history (`Endorsement.history`), whose class is made
    once per queryset class: simple-history makes it again each time `history` is read, which it
    does for every audit row it writes (a third of an audit row's CPU, 0.3 ms an endorsement)."""

    _made: ClassVar[dict[tuple[type[HistoryManager], type[Any], str | None], type[HistoryManager]]] = {}

    @classmethod
    def from_queryset(cls, queryset_class: type[Any], class_name: str | None = None) -> type[HistoryManager]:
        key = (cls, queryset_class, class_name)
        if key not in cls._made:
            cls._made[key] = super().from_queryset(queryset_class, class_name)
        return cls._made[key]


def keep_history(model: type[models.Model], **options: Any) -> None:
    """Record every change of `model`, with who made it and the previous values.

    A field's column expression is cached on first use (`Field.cached_col`); a field used at start-up
    would hand the historical copy a column of the live table, so the cache is dropped first.
    """
    for field in model._meta.concrete_fields:
        field.__dict__.pop("cached_col", None)
    register(model, history_manager=AuditTrailManager, **options)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # simple-history is untyped
    """The admin's History pages, to read only. simple-history's page of a past version still saves
    what is posted to it (SIMPLE_HISTORY_REVERT_DISABLED only changes its title), which would write
    past every rule of the register: no version is ever restored from it."""

    formfield_overrides: ClassVar[Mapping[type[models.Field[Any, Any]], Mapping[str, Any]]] = {
        models.URLField: {"assume_scheme": "https"}  # as Django 6 will read them
    }

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        response: HttpResponse = super().history_form_view(request, object_id, version_id, **kwargs)
        return response
