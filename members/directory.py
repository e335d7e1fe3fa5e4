"""Every state, loaded once per server process and language, for the pages that draw them all.

An initiative's page shows all 193 UN members (its coverage, the map, the tables of endorsers):
loading the states and resolving their translated names on every request cost a third of the page.
States change only through the admin or the reference data, and every change moves the content's
version (alliance.caching): the next request on each server process then loads them again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.utils.translation import get_language

from alliance.caching import kept_until_content_changes
from members.models import MemberState


@dataclass(frozen=True)
class StateDirectory:
    """The states by primary key, and their names in one language (modeltranslation's fallbacks
    applied), read once: the name of a model instance is resolved again at each reading."""

    states: dict[int, MemberState]
    names: dict[int, str]

    def name(self, state: MemberState) -> str:
        return self.names[state.pk]

    def un_members(self) -> list[MemberState]:
        return [state for state in self.states.values() if state.is_un_member]


def state_directory(*, including: Collection[int] = ()) -> StateDirectory:
    """The directory for the active language, kept until the content changes (alliance.caching).

    `including`: the states the caller will look up. A state whose creation has committed but not
    yet moved the version (or whose move was lost with the cache) makes the directory load again.
    Its instances are shared by the process's threads: read them, never change or save them."""
    return kept_until_content_changes(
        ("states", get_language()), _load, still_good=lambda directory: directory.states.keys() >= set(including)
    )


def _load() -> StateDirectory:
    states = MemberState.objects.only("code", "name", "kind", "regional_group").in_bulk()
    return StateDirectory(states=states, names={pk: state.name for pk, state in states.items()})
