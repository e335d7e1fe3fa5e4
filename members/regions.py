"""Lists of states shown by UN regional group, in the order the UN lists the groups."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from members.collation import sort_by_name
from members.models import MemberState

T = TypeVar("T")

ORGANISATIONS = _("Organisations and other participants")


def group_by_region(
    items: Iterable[T],
    key: Callable[[T], MemberState] = lambda item: item,  # type: ignore[assignment,return-value]
    name: Callable[[MemberState], str] = lambda state: state.name,
) -> list[tuple[str, str | Promise, list[T]]]:
    """[(group value, group label, items)] for the five regional groups, then organisations.

    Inside a group, items are sorted by state name in the active language (`name` reads it);
    empty groups are left out.
    """
    groups: dict[str, list[T]] = {value: [] for value in MemberState.RegionalGroup.values}
    groups[""] = []
    for item in items:
        groups[key(item).regional_group].append(item)
    labels = dict(MemberState.RegionalGroup.choices)
    return [
        (value, labels.get(value, ORGANISATIONS), sort_by_name(members, lambda item: name(key(item))))
        for value, members in groups.items()
        if members
    ]
