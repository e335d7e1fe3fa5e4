"""How much of the United Nations backs an initiative (or the Alliance): the coverage meter,
its breakdown by regional group, the states not yet endorsing, the map and the timeline."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from initiatives.models import Endorsement, Initiative, PageRow
from initiatives.timeline import render_timeline
from initiatives.worldmap import render_world_map
from members.collation import sort_by_name
from members.models import MemberState


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
    rows: list[Endorsement] | list[PageRow],
    un_members: list[MemberState],
    *,
    name: Callable[[MemberState], str],  # each state's name, from members.directory
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
    rows: list[Endorsement] | list[PageRow],
    withdrawn: list[Endorsement] | list[PageRow],
    un_members: list[MemberState],
    *,
    title: str,
    name: Callable[[MemberState], str],  # each state's name, from members.directory
) -> SafeString:
    endorsing = {row.member_state.code for row in rows}
    statuses = {state.code: "not-endorsed" for state in un_members}
    statuses |= {row.member_state.code: "withdrawn" for row in withdrawn if row.member_state.code not in endorsing}
    statuses |= dict.fromkeys(endorsing, "endorsed")
    return render_world_map(
        statuses=statuses,
        names={state.code: name(state) for state in un_members},
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


def timeline(rows: list[Endorsement] | list[PageRow], *, title: str) -> SafeString:
    """Endorsements in force over time, from every period (including withdrawn ones)."""
    changes: Counter[datetime.date] = Counter()
    for row in rows:
        changes[row.endorsed_on] += 1
        if row.withdrawn_on is not None:
            changes[row.withdrawn_on] -= 1
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
