"""Model instances from reads written as SQL, for the signing request's few reads only.

Django's ORM spends 0.2–0.6 ms of CPU compiling each query, more than the read then costs: on the
signing request (`benchmarks/signing.py`), compiling its reads was a third of its CPU. The reads
written as SQL select the columns named here and build the instances as the ORM would, converters
included (dates on SQLite, JSON), so the code that uses them cannot tell. Each such read says which
ORM rule it follows, and a test compares its answers with that rule's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


def columns(model: type[Model], alias: str, names: Sequence[str] = ()) -> str:
    """The select list of `model`'s columns (all, or the fields `names`, plus the key) under `alias`."""
    return ", ".join(f"{alias}.{connection.ops.quote_name(field.column)}" for field, _ in _reading(model, tuple(names)))


def instance(model: type[M], values: Sequence[Any], names: Sequence[str] = ()) -> M:
    """The instance of the row `values`, read in the order of `columns(model, …, names)`; the
    fields not read are deferred, as with `only()`."""
    fields = _reading(model, tuple(names))
    converted = []
    for (field, converters), value in zip(fields, values, strict=True):
        for converter in converters:
            value = converter(value, field.cached_col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field, _ in fields], converted)


@cache
def _reading(model: type[Model], names: tuple[str, ...]) -> list[tuple[Field[Any, Any], list[Converter]]]:
    """The fields read, in the model's order (as `Model.from_db` takes them), each with the
    converters the ORM would apply to its column (the backend's, then the field's)."""
    wanted = {model._meta.pk.name, *names} if names else None
    return [
        (
            field,
            connection.ops.get_db_converters(field.cached_col) + field.cached_col.get_db_converters(connection),
        )
        for field in model._meta.concrete_fields
        if wanted is None or field.name in wanted
    ]
