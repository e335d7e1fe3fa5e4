"""The register as one table: every state against every published initiative, as at a day.

The page (`/<lang>/matrix/`) and its CSV twin (`/api/v1/matrix.csv`) read it from here, and it
reads "status as at" where everything else does (`Endorsement.objects.as_at`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from initiatives.models import Endorsement, Initiative
from members.collation import sort_by_name
from members.models import MemberState


@dataclass(frozen=True)
class MatrixRow:
    state: MemberState
    name: str  # in the active language
    endorsed_since: list[datetime.date | None]  # per initiative, the first day of the endorsement in force

    @property
    def endorsed_initiatives(self) -> int:
        return sum(day is not None for day in self.endorsed_since)


@dataclass(frozen=True)
class Matrix:
    day: datetime.date | None
    initiatives: list[Initiative]
    rows: list[MatrixRow]  # sorted by the state's name in the active language


def matrix(on: datetime.date | None = None, *, group: str | None = None) -> Matrix:
    """Each state (of one UN regional group, with `group`) and the day each of its endorsements in
    force at the end of day `on` (today when None) began; states that endorse nothing included."""
    initiatives = list(Initiative.objects.published().order_by("launched_on", "slug"))
    column = {initiative.pk: index for index, initiative in enumerate(initiatives)}
    in_force = (
        Endorsement.objects.as_at(on)
        .filter(is_in_force=True, initiative__in=Initiative.objects.published())  # type: ignore[misc]  # as_at()'s
        .order_by()
        .values_list("member_state_id", "initiative_id", "endorsed_on")
    )
    cells: dict[int, list[datetime.date | None]] = {}
    for state_id, initiative_id, endorsed_on in in_force:
        cells.setdefault(state_id, [None] * len(initiatives))[column[initiative_id]] = endorsed_on
    states = MemberState.objects.only("code", "name", "kind", "regional_group")
    if group is not None:
        states = states.filter(regional_group=group)
    rows = [MatrixRow(state, state.name, cells.get(state.pk, [None] * len(initiatives))) for state in states]
    return Matrix(day=on, initiatives=initiatives, rows=sort_by_name(rows, lambda row: row.name))
