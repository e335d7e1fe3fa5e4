"""Every write to the register of endorsements goes through this module."""

from __future__ import annotations

import datetime

from django.db import transaction

from initiatives.models import DatePrecision, Endorsement, Initiative
from members.models import MemberState


class EndorsementRefused(Exception):
    """A rule of the register refuses the write; the message is shown to the user."""


@transaction.atomic
def record_listed_endorsement(
    *,
    initiative: Initiative,
    member_state: MemberState,
    endorsed_on: datetime.date,
    date_precision: DatePrecision,
    source_url: str,
    source_note: str,
) -> tuple[Endorsement, bool]:
    """Record an endorsement published in a public list, once.

    A public list names a state once per initiative, so the state's listed row (recorded, by no
    one) is the same endorsement: loading a corrected list updates that row instead of adding one.
    Returns the row and whether it was created.
    """
    existing = (
        Endorsement.objects.filter(
            initiative=initiative,
            member_state=member_state,
            channel=Endorsement.Channel.RECORDED,
            recorded_by=None,
        )
        .order_by("-endorsed_on")
        .first()
    )
    values = {
        "endorsed_on": endorsed_on,
        "date_precision": date_precision,
        "source_url": source_url,
        "source_note": source_note,
    }
    if existing is not None:
        changed = [field for field, value in values.items() if getattr(existing, field) != value]
        for field in changed:
            setattr(existing, field, values[field])
        if changed:
            existing.save(update_fields=changed)
        return existing, False
    if Endorsement.objects.in_force().filter(initiative=initiative, member_state=member_state).exists():
        raise EndorsementRefused(f"{member_state.code} already has an endorsement in force for {initiative.slug}.")
    endorsement = Endorsement.objects.create(
        initiative=initiative,
        member_state=member_state,
        channel=Endorsement.Channel.RECORDED,
        text_version=initiative.text_version,
        **values,
    )
    return endorsement, True
