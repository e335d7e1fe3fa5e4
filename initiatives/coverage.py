"""How much of the United Nations backs an initiative (or the Alliance): the coverage meter,
its breakdown by regional group, the states not yet endorsing, the map and the timeline; and
what the initiative and home pages show of the register, read when their templates ask."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from initiatives.coalitions import CoalitionStep, how_it_formed
from initiatives.models import Endorsement, Initiative
from initiatives.timeline import render_timeline
from initiatives.worldmap import render_world_map
from members.collation import sort_by_name
from members.models import MemberState
from members.regions import group_by_region


@dataclass(frozen=True)
class GroupCoverage:
    value: str
    label: str | Promise
    endorsing: int
    total: int


@dataclass(frozen=True)
class Coverage:
    total: int
    endorsing: int
    groups: list[GroupCoverage]
    not_endorsing: list[tuple[MemberState, str]]  # each with its name, read once

    @property
    def majority(self) -> int:
        """The smallest number of UN member states that is more than half of them (97 of 193)."""
        return self.total // 2 + 1

    @property
    def share(self) -> int:
        return round(100 * self.endorsing / self.total) if self.total else 0

    @property
    def is_majority(self) -> bool:
        return self.endorsing >= self.majority


def register_rows(initiative: Initiative | None, on: datetime.date | None) -> list[Endorsement]:
    """Endorsements in force (today, or at the end of day `on`) of one initiative or of all published ones."""
    rows = Endorsement.objects.in_force_on(on).filter(initiative__in=Initiative.objects.published())
    if initiative is not None:
        rows = rows.filter(initiative=initiative)
    return list(rows.select_related("member_state"))


def coverage(
    rows: list[Endorsement],
    un_members: list[MemberState],
    *,
    name: Callable[[MemberState], str] = lambda state: state.name,
) -> Coverage:
    endorsing_codes = {row.member_state.code for row in rows}
    labels = dict(MemberState.RegionalGroup.choices)
    totals = Counter(state.regional_group for state in un_members)
    endorsing = Counter(state.regional_group for state in un_members if state.code in endorsing_codes)
    return Coverage(
        total=len(un_members),
        endorsing=sum(endorsing.values()),
        groups=[
            GroupCoverage(value, labels[value], endorsing[value], totals[value])
            for value in MemberState.RegionalGroup.values
        ],
        not_endorsing=sort_by_name(
            ((state, name(state)) for state in un_members if state.code not in endorsing_codes),
            lambda pair: pair[1],
        ),
    )


def world_map(
    rows: list[Endorsement],
    withdrawn: list[Endorsement],
    un_members: list[MemberState],
    *,
    title: str,
) -> SafeString:
    endorsing = {row.member_state.code for row in rows}
    statuses = {state.code: "not-endorsed" for state in un_members}
    statuses |= {row.member_state.code: "withdrawn" for row in withdrawn if row.member_state.code not in endorsing}
    statuses |= dict.fromkeys(endorsing, "endorsed")
    return render_world_map(
        statuses=statuses,
        names={state.code: state.name for state in un_members},
        labels={
            "endorsed": _("endorses"),
            "withdrawn": _("withdrew its endorsement"),
            "not-endorsed": _("has not endorsed"),
        },
        title=title,
        description=_(
            "World map of the UN member states coloured by endorsement status. "
            "The same information is in the tables on this page."
        ),
    )


def timeline(rows: list[Endorsement], *, title: str) -> SafeString:
    """Endorsements in force over time, from every period of as_at() (including withdrawn ones)."""
    changes: Counter[datetime.date] = Counter()
    for row in rows:
        changes[row.endorsed_on] += 1
        if row.withdrawn_as_at is not None:  # type: ignore[attr-defined]
            changes[row.withdrawn_as_at] -= 1  # type: ignore[attr-defined]
    points, running = [], 0
    for day in sorted(changes):
        running += changes[day]
        points.append((day, running))
    return render_timeline(
        points=points,
        title=title,
        description=_("Number of endorsements in force over time, by the dates the register records."),
        y_label=_("Endorsements in force"),
    )


class _Register:
    """The parts both registers share: the UN members and the coverage of the rows in force."""

    @cached_property
    def in_force(self) -> list[Endorsement]:
        raise NotImplementedError

    @cached_property
    def un_members(self) -> list[MemberState]:
        return list(MemberState.objects.un_members())

    @cached_property
    def coverage(self) -> Coverage:
        return coverage(self.in_force, self.un_members)


class InitiativeRegister(_Register):
    """An initiative's endorsements as its page shows them, as at the end of `day` (today when
    None). Each part is read when the template first asks for it, so a page whose parts come from
    the cache ({% cache %}, alliance.caching) reads none of them."""

    def __init__(self, initiative: Initiative, day: datetime.date | None) -> None:
        self.initiative, self.day = initiative, day

    @cached_property
    def rows(self) -> list[Endorsement]:
        return list(Endorsement.objects.filter(initiative=self.initiative).as_at(self.day).for_initiative_page())

    @cached_property
    def in_force(self) -> list[Endorsement]:
        return [row for row in self.rows if row.is_in_force]  # type: ignore[attr-defined]

    @cached_property
    def withdrawn(self) -> list[Endorsement]:
        return sorted((row for row in self.rows if row.is_withdrawn), key=lambda row: row.endorsed_on)  # type: ignore[attr-defined]

    @cached_property
    def coalition(self) -> list[CoalitionStep]:
        """How the coalition formed, for an initiative that opened from a state's draft."""
        return how_it_formed(self.initiative)

    @cached_property
    def statements(self) -> list[Endorsement]:
        """The endorsements in force that came with a public statement, by state name."""
        return sort_by_name([row for row in self.in_force if row.statement], lambda row: row.member_state.name)

    @cached_property
    def by_region(self) -> list[tuple[str, str | Promise, list[Endorsement]]]:
        return group_by_region(self.in_force, key=lambda row: row.member_state)

    @cached_property
    def world_map(self) -> SafeString:
        title = _("Where this initiative is endorsed")
        return world_map(self.in_force, self.withdrawn, self.un_members, title=title)

    @cached_property
    def timeline(self) -> SafeString | None:
        # No chart of an empty register: its axes would suggest a measured zero.
        return timeline(self.rows, title=_("Endorsements of this initiative over time")) if self.rows else None


class AllianceRegister(_Register):
    """What the home page shows of the register today: the endorsements in force of the published
    initiatives, their coverage and map; read when the template first asks, as InitiativeRegister."""

    @cached_property
    def in_force(self) -> list[Endorsement]:
        return register_rows(None, None)

    @cached_property
    def world_map(self) -> SafeString:
        title = _("UN member states that endorse at least one initiative")
        return world_map(self.in_force, [], self.un_members, title=title)
