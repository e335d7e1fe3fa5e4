"""Every write to the register of endorsements goes through this module."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from alliance.notifications import notify
from initiatives.models import DatePrecision, Endorsement, Initiative
from members.models import Accreditation, MemberState


class EndorsementRefused(Exception):
    """A rule of the register refuses the write; the message is shown to the user."""


class AlreadyEndorsed(EndorsementRefused):
    def __init__(self, endorsement: Endorsement) -> None:
        self.endorsement = endorsement
        date = formats.date_format(endorsement.endorsed_on, "DATE_FORMAT")
        super().__init__(
            _("This initiative was already endorsed on %(date)s by %(state)s.")
            % {"state": endorsement.member_state.name, "date": date}
        )


def check_can_endorse(*, initiative: Initiative, delegate: Accreditation) -> None:
    """Refuse, with the reason, what `endorse` would refuse; used to explain before the form."""
    if not delegate.is_active():
        raise EndorsementRefused(_("Your accreditation is not approved or has expired."))
    if not Initiative.objects.open_for_endorsement().filter(pk=initiative.pk).exists():
        raise EndorsementRefused(_("This initiative is not open for endorsement."))
    existing = (
        Endorsement.objects.in_force()
        .select_related("member_state")
        .filter(initiative=initiative, member_state=delegate.member_state)
        .first()
    )
    if existing is not None:
        raise AlreadyEndorsed(existing)


def endorse(*, initiative: Initiative, delegate: Accreditation, statement: str) -> Endorsement:
    """The delegate's state endorses the initiative's current text, from today.

    The state always comes from the accreditation. Two submissions for one state at once
    meet the database's one-open-endorsement constraint: one row is written, the other
    caller gets AlreadyEndorsed.
    """
    try:
        with transaction.atomic():
            check_can_endorse(initiative=initiative, delegate=delegate)
            endorsement = Endorsement.objects.create(
                initiative=initiative,
                member_state=delegate.member_state,
                endorsed_on=timezone.localdate(),
                channel=Endorsement.Channel.ONLINE,
                signed_by=delegate.user,
                statement=statement.strip(),
                text_version=initiative.text_version,
            )
            transaction.on_commit(lambda: _tell_about(endorsement, "endorsement_made"))
    except IntegrityError:
        existing = (
            Endorsement.objects.in_force()
            .select_related("member_state")
            .get(initiative=initiative, member_state=delegate.member_state)
        )
        raise AlreadyEndorsed(existing) from None
    return endorsement


def withdraw(*, initiative: Initiative, delegate: Accreditation, reason: str) -> Endorsement:
    """Close the state's open endorsement of the initiative today; the row stays in the register."""
    if not delegate.is_active():
        raise EndorsementRefused(_("Your accreditation is not approved or has expired."))
    if not reason.strip():
        raise EndorsementRefused(_("Give the reason for the withdrawal; it is published."))
    with transaction.atomic():
        endorsement = (
            Endorsement.objects.select_for_update()
            .in_force()
            .filter(initiative=initiative, member_state=delegate.member_state)
            .first()
        )
        if endorsement is None:
            raise EndorsementRefused(_("Your state has no endorsement of this initiative in force."))
        endorsement.withdrawn_on = max(timezone.localdate(), endorsement.endorsed_on)
        endorsement.withdrawn_by = delegate.user
        endorsement.withdrawal_reason = reason.strip()
        endorsement.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_reason"])
        transaction.on_commit(lambda: _tell_about(endorsement, "endorsement_withdrawn"))
    return endorsement


def _tell_about(endorsement: Endorsement, template: str) -> None:
    """Email the state's active delegates (the signer among them) and the secretariat."""
    delegates = Accreditation.objects.active().filter(member_state=endorsement.member_state)
    notify(
        template=template,
        recipients=[*delegates.values_list("user__email", flat=True), *settings.SECRETARIAT_EMAILS],
        context={"endorsement": endorsement},
    )


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
