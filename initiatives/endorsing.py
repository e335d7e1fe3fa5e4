"""Every write to the register of endorsements goes through this module."""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_tasks import task

from alliance import caching, rows
from alliance.background import notify
from initiatives import transparency
from initiatives.models import Correction, DatePrecision, Endorsement, Initiative, Sponsorship
from members.models import Accreditation, MemberState, User


class EndorsementRefused(Exception):
    """A rule of the register refuses the write; the message is shown to the user."""


class TextChanged(EndorsementRefused):
    """The text was changed after the delegate read it: the state would endorse words they never saw."""

    def __init__(self, initiative: Initiative) -> None:
        super().__init__(
            _(
                "The text was changed while you read it: it is now version %(version)s. Read it below "
                "and confirm again if your state endorses it."
            )
            % {"version": initiative.text_version}
        )


class AlreadyEndorsed(EndorsementRefused):
    def __init__(self, endorsement: Endorsement) -> None:
        self.endorsement = endorsement
        date = formats.date_format(endorsement.endorsed_on, "DATE_FORMAT")
        super().__init__(
            _("This initiative was already endorsed on %(date)s by %(state)s.")
            % {"state": endorsement.member_state.name, "date": date}
        )


# The columns an endorsement's write reads (its rules, the text version it endorses, its log
# entry): a seventh of the row. A page needs the rest.
SIGNING_FIELDS = ("slug", "status", "signing_opens_on", "signing_closes_on", "text_version", "title_en")


def published_for_signing(slug: str) -> Initiative | None:
    """`Initiative.objects.published().only(*SIGNING_FIELDS).get(slug=slug)`, written as SQL: the
    signing request's read, which the ORM took longer to compile than to run (`alliance.rows`)."""
    with connection.cursor() as cursor:
        cursor.execute(_published_sql(), [slug, Initiative.Status.DRAFT])
        row = cursor.fetchone()
    return None if row is None else rows.instance(Initiative, row, SIGNING_FIELDS)


@cache
def _published_sql() -> str:
    # The model's own column names; the values are parameters.
    return (
        f"SELECT {rows.columns(Initiative, 'i', SIGNING_FIELDS)} FROM initiatives_initiative i "  # noqa: S608  # nosec B608
        "WHERE i.slug = %s AND i.status <> %s"
    )


def check_can_endorse(*, initiative: Initiative, delegate: Accreditation) -> None:
    """Refuse, with the reason, what `endorse` would refuse; used to explain before the form."""
    if not delegate.is_active():
        raise EndorsementRefused(_("Your accreditation is not approved or has expired."))
    _check_period(initiative=initiative, member_state=delegate.member_state, endorsed_on=timezone.localdate())


def _check_period(*, initiative: Initiative, member_state: MemberState, endorsed_on: datetime.date) -> None:
    """The rules of a new period of endorsement, whoever records it."""
    _check_date(initiative=initiative, endorsed_on=endorsed_on)
    _check_overlap(initiative=initiative, member_state=member_state, endorsed_on=endorsed_on)


def _check_date(*, initiative: Initiative, endorsed_on: datetime.date) -> None:
    today = timezone.localdate()
    if initiative.status == Initiative.Status.DRAFT:
        raise EndorsementRefused(_("This initiative is not published."))
    if endorsed_on > today:
        raise EndorsementRefused(_("An endorsement cannot be dated in the future."))
    if endorsed_on == today:
        if not initiative.is_open_for_endorsement(today):
            raise EndorsementRefused(_("This initiative is not open for endorsement."))
    elif not initiative.window_contains(endorsed_on):
        # A back-dated record (a note verbale, a listed signature) follows the window as it was
        # then, even once the initiative has closed.
        raise EndorsementRefused(_("On that date the initiative was not open for endorsement."))


def _check_overlap(*, initiative: Initiative, member_state: MemberState, endorsed_on: datetime.date) -> None:
    # The periods still in force, or withdrawn after that day (at most a few rows), in one query of
    # two columns; the row itself is read only to refuse.
    periods = list(
        Endorsement.objects.filter(initiative=initiative, member_state=member_state)
        .filter(Q(withdrawn_on=None) | Q(withdrawn_on__gt=endorsed_on))
        .order_by()
        .values_list("pk", "withdrawn_on")
    )
    in_force = next((pk for pk, withdrawn_on in periods if withdrawn_on is None), None)
    if in_force is not None:
        raise AlreadyEndorsed(Endorsement.objects.select_related("member_state").get(pk=in_force))
    if periods:
        raise EndorsementRefused(_("The state had an endorsement in force on that date; periods cannot overlap."))


def _open_period(
    *, initiative: Initiative, member_state: MemberState, announce: bool = True, **fields: Any
) -> Endorsement:
    """Write a new period once its rules hold; the database constraint decides a race."""
    try:
        with transaction.atomic():
            endorsed_on = fields["endorsed_on"]
            _check_date(initiative=initiative, endorsed_on=endorsed_on)
            # A back-dated period may overlap one withdrawn since. A period from today can only
            # overlap one in force (no withdrawal is dated in the future), which the one-open-
            # endorsement constraint refuses on insert: no query asks first (the signing request's).
            if endorsed_on < timezone.localdate():
                _check_overlap(initiative=initiative, member_state=member_state, endorsed_on=endorsed_on)
            endorsement = Endorsement.objects.create(
                initiative=initiative, member_state=member_state, text_version=initiative.text_version, **fields
            )
            transparency.log_endorsement(endorsement=endorsement, kind="recorded")
            caching.register_changed()
            if announce:
                by_secretariat = endorsement.channel == Endorsement.Channel.RECORDED
                tell_about.enqueue(
                    endorsement_id=endorsement.pk, template="endorsement_made", by_secretariat=by_secretariat
                )
    except IntegrityError:
        existing = (
            Endorsement.objects.in_force()
            .select_related("member_state")
            .get(initiative=initiative, member_state=member_state)
        )
        raise AlreadyEndorsed(existing) from None
    return endorsement


def endorse(*, initiative: Initiative, delegate: Accreditation, statement: str, text_version: int) -> Endorsement:
    """The delegate's state endorses the initiative's text, from today: the version the delegate
    read (`text_version`, which the form carries), refused if it is no longer the initiative's.

    The state always comes from the accreditation. Two submissions for one state at once
    meet the database's one-open-endorsement constraint: one row is written, the other
    caller gets AlreadyEndorsed.
    """
    if not delegate.is_active():
        raise EndorsementRefused(_("Your accreditation is not approved or has expired."))
    if text_version != initiative.text_version:
        raise TextChanged(initiative)
    return _open_period(
        initiative=initiative,
        member_state=delegate.member_state,
        endorsed_on=timezone.localdate(),
        channel=Endorsement.Channel.ONLINE,
        signed_by=delegate.user,
        statement=statement.strip(),
    )


def record_endorsement(
    *,
    initiative: Initiative,
    member_state: MemberState,
    endorsed_on: datetime.date,
    recorded_by: User,
    source_url: str = "",
    source_note: str = "",
    statement: str = "",
    date_precision: DatePrecision = DatePrecision.DAY,
    announce: bool = True,
) -> Endorsement:
    """The secretariat records an endorsement given by note verbale or at a meeting, under the same rules.

    `announce=False` (imports of historical lists) sends no email for the row.
    """
    if not (source_url.strip() or source_note.strip()):
        raise EndorsementRefused(_("Give the document reference or its URL."))
    return _open_period(
        initiative=initiative,
        member_state=member_state,
        endorsed_on=endorsed_on,
        date_precision=date_precision,
        channel=Endorsement.Channel.RECORDED,
        recorded_by=recorded_by,
        source_url=source_url.strip(),
        source_note=source_note.strip(),
        statement=statement.strip(),
        announce=announce,
    )


def record_co_sponsorship(*, initiative: Initiative, sponsorship: Sponsorship, recorded_by: User | None) -> Endorsement:
    """A co-sponsor's confirmation of the text, recorded as its state's endorsement of that version
    the day the initiative opens (`coalitions.publish_coalition`), under the rules of any period.
    The delegate who confirmed it is its signer, kept private as online signers are."""
    if sponsorship.initiative_id != initiative.pk or sponsorship.confirmed_version != initiative.text_version:
        raise EndorsementRefused(_("The state did not confirm this version of the text."))
    return _open_period(
        initiative=initiative,
        member_state=sponsorship.member_state,
        endorsed_on=timezone.localdate(),
        channel=Endorsement.Channel.CO_SPONSOR,
        signed_by=sponsorship.confirmed_by,
        recorded_by=recorded_by,
    )


def withdraw(*, initiative: Initiative, delegate: Accreditation, reason: str) -> Endorsement:
    """Close the state's open endorsement of the initiative today; the row stays in the register."""
    if not delegate.is_active():
        raise EndorsementRefused(_("Your accreditation is not approved or has expired."))
    return _close_period(
        initiative=initiative,
        member_state=delegate.member_state,
        withdrawn_on=timezone.localdate(),
        withdrawn_by=delegate.user,
        reason=reason,
        by_secretariat=False,
    )


def record_withdrawal(
    *, initiative: Initiative, member_state: MemberState, withdrawn_on: datetime.date, recorded_by: User, reason: str
) -> Endorsement:
    """The secretariat records a withdrawal notified by a document, under the same rules."""
    return _close_period(
        initiative=initiative,
        member_state=member_state,
        withdrawn_on=withdrawn_on,
        withdrawn_by=recorded_by,
        reason=reason,
        by_secretariat=True,
    )


CORRECTABLE = ("endorsed_on", "date_precision", "source_url", "source_note")


def correct_endorsement(
    *,
    endorsement: Endorsement,
    corrected_by: User,
    reason: str,
    endorsed_on: datetime.date,
    date_precision: DatePrecision,
    source_url: str,
    source_note: str,
) -> Correction:
    """Correct the date or source of an endorsement the secretariat recorded, with the reason: the
    register keeps what it said before, and publishes the correction.

    An online endorsement is dated by its signature and is never corrected. A new date follows the
    rules of any period: not in the future, inside the signing window as it was then, before the
    period's withdrawal, and overlapping no other period of the state.
    """
    if not reason.strip():
        raise EndorsementRefused(_("Give the reason for the correction; it is published."))
    with transaction.atomic():
        row = Endorsement.objects.select_for_update().select_related("initiative").get(pk=endorsement.pk)
        if row.channel != Endorsement.Channel.RECORDED:
            raise EndorsementRefused(_("An endorsement made online is dated by its signature; it is not corrected."))
        if not (source_url.strip() or source_note.strip()):
            raise EndorsementRefused(_("Give a source: the URL of a document or its reference."))
        wanted = {
            "endorsed_on": endorsed_on,
            "date_precision": date_precision,
            "source_url": source_url.strip(),
            "source_note": source_note.strip(),
        }
        changes = {name: value for name, value in wanted.items() if getattr(row, name) != value}
        if not changes:
            raise EndorsementRefused(_("This is what the register already holds: there is nothing to correct."))
        if "endorsed_on" in changes:
            _check_corrected_date(row, endorsed_on)
        correction = Correction.objects.create(
            endorsement=row,
            changes={name: [_as_text(getattr(row, name)), _as_text(value)] for name, value in changes.items()},
            reason=reason.strip(),
            corrected_by=corrected_by,
        )
        for name, value in changes.items():
            setattr(row, name, value)
        row.save(update_fields=list(changes))  # the audit trail keeps the row as it was
        transparency.log_endorsement(endorsement=row, kind="corrected")
        caching.register_changed()
    return correction


def _check_corrected_date(row: Endorsement, day: datetime.date) -> None:
    if day > timezone.localdate():
        raise EndorsementRefused(_("An endorsement cannot be dated in the future."))
    if not row.initiative.window_contains(day):
        raise EndorsementRefused(_("On that date the initiative was not open for endorsement."))
    if row.withdrawn_on is not None and day > row.withdrawn_on:
        raise EndorsementRefused(_("A withdrawal cannot come before the endorsement it ends."))
    others = Endorsement.objects.filter(initiative=row.initiative_id, member_state=row.member_state_id).exclude(
        pk=row.pk
    )
    # Periods run from their endorsement to the day before their withdrawal (or on, if in force).
    ends = row.withdrawn_on
    overlapping = others.filter(Q(withdrawn_on=None) | Q(withdrawn_on__gt=day))
    if ends is not None:
        overlapping = overlapping.filter(endorsed_on__lt=ends)
    if overlapping.exists():
        raise EndorsementRefused(_("The state had an endorsement in force on that date; periods cannot overlap."))


def _as_text(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _close_period(
    *,
    initiative: Initiative,
    member_state: MemberState,
    withdrawn_on: datetime.date,
    withdrawn_by: User,
    reason: str,
    by_secretariat: bool,
) -> Endorsement:
    if not reason.strip():
        raise EndorsementRefused(_("Give the reason for the withdrawal; it is published."))
    if withdrawn_on > timezone.localdate():
        raise EndorsementRefused(_("A withdrawal cannot be dated in the future."))
    with transaction.atomic():
        endorsement = (
            Endorsement.objects.select_for_update()
            .in_force()
            .filter(initiative=initiative, member_state=member_state)
            .first()
        )
        if endorsement is None:
            raise EndorsementRefused(_("The state has no endorsement of this initiative in force."))
        if withdrawn_on < endorsement.endorsed_on:
            raise EndorsementRefused(_("A withdrawal cannot come before the endorsement it ends."))
        endorsement.withdrawn_on = withdrawn_on
        endorsement.withdrawn_at = timezone.now()  # when the register learned it: feeds follow this
        endorsement.withdrawn_by = withdrawn_by
        endorsement.withdrawal_reason = reason.strip()
        endorsement.save(update_fields=["withdrawn_on", "withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        transparency.log_endorsement(endorsement=endorsement, kind="withdrawn")
        caching.register_changed()
        tell_about.enqueue(
            endorsement_id=endorsement.pk, template="endorsement_withdrawn", by_secretariat=by_secretariat
        )
    return endorsement


@task()
def tell_about(*, endorsement_id: int, template: str, by_secretariat: bool) -> None:
    """Email the state's active delegates (the signer among them) and the secretariat: what
    happened, and how (online by an accredited delegate, who stays unnamed as on the receipt, or
    recorded by the secretariat from a document). Run by the worker, off the request's path."""
    endorsement = Endorsement.objects.select_related("initiative", "member_state").get(pk=endorsement_id)
    delegates = Accreditation.objects.active().filter(member_state=endorsement.member_state)
    by_language: dict[str, list[str]] = {settings.LANGUAGE_CODE: list(settings.SECRETARIAT_EMAILS)}
    for email, language in delegates.values_list("user__email", "user__language"):
        by_language.setdefault(language, []).append(email)
    for language, recipients in by_language.items():  # each delegate in their own language
        notify(
            template=template,
            recipients=recipients,
            context={"endorsement": endorsement, "by_secretariat": by_secretariat},
            language=language,
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
    """Record an endorsement published in a public list, once, under the rules of any period.

    A public list names a state once per initiative: when the state's listed row (recorded, by no
    one) exists, it is kept as it is. A row of the register is never corrected by loading a list
    again. Returns the row and whether it was created.
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
    if existing is not None:
        return existing, False
    endorsement = _open_period(
        initiative=initiative,
        member_state=member_state,
        announce=False,
        endorsed_on=endorsed_on,
        date_precision=date_precision,
        channel=Endorsement.Channel.RECORDED,
        source_url=source_url,
        source_note=source_note,
    )
    return endorsement, True
