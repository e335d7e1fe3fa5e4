"""Who may act for a state: requests, the secretariat's decisions, and the access helper."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cache, wraps
from typing import Any, cast

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from alliance import rows
from alliance.background import notify
from alliance.text import BIDI_CONTROLS
from members.adapters import second_factors_read_once
from members.models import Accreditation, MemberState, User

DEFAULT_VALIDITY = datetime.timedelta(days=365)
# The longest validity the secretariat may grant: a mandate is checked again at least this often.
MAX_VALIDITY = datetime.timedelta(days=2 * 365)


STAFF_NEVER_ACT = _("Secretariat staff cannot act for a state.")
ALREADY_HELD = _("You already have a pending or approved accreditation.")


class AccreditationRefused(Exception):
    """The request or decision breaks a rule; the message says which."""


class NotAccredited(PermissionDenied):
    """The user may not act for a state (no approved, unexpired accreditation)."""


class MfaRequired(PermissionDenied):
    """The user is accredited but has no second factor set up."""


def acting_accreditation(user: User | AnonymousUser) -> Accreditation:
    """The accreditation through which the user acts today, or a refusal saying why.

    Checked on every request, so a revocation or an expiry takes effect on the next one.
    """
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAccredited(_("Sign in as an accredited delegate to act for a state."))
    if user.is_staff:
        raise NotAccredited(STAFF_NEVER_ACT)
    accreditation = _read_active(user)
    if accreditation is None:
        raise NotAccredited(_("Only a delegate with an approved, unexpired accreditation may act for a state."))
    accreditation.user = user  # the signed-in user, already read: not again in the same query
    if not is_mfa_enabled(user):
        raise MfaRequired(_("Set up two-factor authentication before acting for your state."))
    return accreditation


def _read_active(user: User) -> Accreditation | None:
    """`Accreditation.objects.active().select_related("member_state").get(user=user)` for a user
    who is not staff, written as SQL: read on every delegate's request, the ORM's compiling of it
    was an eighth of the signing request's CPU (`alliance.rows`). At most one row: a user holds
    one approved accreditation (a constraint)."""
    with connection.cursor() as cursor:
        cursor.execute(_active_sql(), [user.pk, Accreditation.Status.APPROVED, timezone.localdate()])
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(Accreditation._meta.concrete_fields)
    accreditation = rows.instance(Accreditation, row[:width])
    accreditation.member_state = rows.instance(MemberState, row[width:])
    return accreditation


@cache
def _active_sql() -> str:
    # The models' own column names; the values are parameters.
    return (
        f"SELECT {rows.columns(Accreditation, 'a')}, {rows.columns(MemberState, 's')} "  # noqa: S608  # nosec B608
        "FROM members_accreditation a JOIN members_memberstate s ON s.id = a.member_state_id "
        "WHERE a.user_id = %s AND a.status = %s AND a.valid_until >= %s"
    )


def delegate_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pass the acting accreditation to the view as `delegate`, or answer 403 with the reason."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The second factors are read once for the rule here and for the step-up check in the view.
        with second_factors_read_once(request.user):
            try:
                delegate = acting_accreditation(request.user)
            except PermissionDenied as refusal:
                return render(
                    request,
                    "members/refused.html",
                    {
                        "reason": refusal.args[0] if refusal.args else "",
                        "mfa_required": isinstance(refusal, MfaRequired),
                    },
                    status=403,
                )
            return view(request, *args, delegate=delegate, **kwargs)

    return wrapper


def request_accreditation(
    *,
    user: User,
    member_state: MemberState,
    position: str,
    evidence: UploadedFile,
    evidence_type: str,
    language: str,
) -> Accreditation:
    """Ask the secretariat to let the user act for the state; its decisions reach the user in `language`."""
    if user.is_staff:
        raise AccreditationRefused(STAFF_NEVER_ACT)
    if Accreditation.objects.current().filter(user=user).exists():
        raise AccreditationRefused(ALREADY_HELD)
    return _send_request(
        user=user,
        member_state=member_state,
        position=position,
        evidence=evidence,
        evidence_type=evidence_type,
        language=language,
        renews=None,
    )


def renewable_accreditation(user: User) -> Accreditation:
    """The user's approved accreditation, if they may now ask to renew it; a refusal says why not."""
    if user.is_staff:
        raise AccreditationRefused(STAFF_NEVER_ACT)
    held = Accreditation.objects.held_by(user).filter(status=Accreditation.Status.APPROVED).first()
    if held is None:
        raise AccreditationRefused(_("You have no approved accreditation to renew."))
    if Accreditation.objects.pending().filter(user=user).exists():
        raise AccreditationRefused(_("Your renewal request is already with the secretariat."))
    if not held.may_be_renewed():
        opens = cast(datetime.date, held.valid_until) - Accreditation.RENEWAL_WINDOW  # approved: it has an end
        raise AccreditationRefused(
            _("You may ask to renew your accreditation from %(date)s.")
            % {"date": formats.date_format(opens, "DATE_FORMAT")}
        )
    return held


def request_renewal(
    *, accreditation: Accreditation, position: str, evidence: UploadedFile, evidence_type: str, language: str
) -> Accreditation:
    """Ask the secretariat to renew `accreditation` (for the same state, with fresh evidence). It
    keeps working until its end while the request is pending."""
    held = renewable_accreditation(accreditation.user)
    if held.pk != accreditation.pk:
        raise AccreditationRefused(_("Only the accreditation you hold can be renewed."))
    return _send_request(
        user=held.user,
        member_state=held.member_state,
        position=position,
        evidence=evidence,
        evidence_type=evidence_type,
        language=language,
        renews=held,
    )


def _send_request(
    *,
    user: User,
    member_state: MemberState,
    position: str,
    evidence: UploadedFile,
    evidence_type: str,
    language: str,
    renews: Accreditation | None,
) -> Accreditation:
    try:
        with transaction.atomic():
            accreditation = Accreditation.objects.create(
                user=user,
                member_state=member_state,
                position=position,
                evidence=evidence,
                evidence_type=evidence_type,
                language=language,
                renews=renews,
            )
            notify(
                template="accreditation_requested",
                recipients=settings.SECRETARIAT_EMAILS,
                context={"accreditation": accreditation},
            )
    except IntegrityError:  # a second request sent at the same moment
        raise AccreditationRefused(ALREADY_HELD) from None
    return accreditation


@transaction.atomic
def approve(
    *, accreditation: Accreditation, decided_by: User, valid_until: datetime.date | None = None
) -> Accreditation:
    """Let the user act for the state until `valid_until` (a year from today by default, at most
    `MAX_VALIDITY` ahead). Approving a renewal ends the accreditation it renews: the new one
    takes over at once."""
    accreditation = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
    if accreditation.status != Accreditation.Status.PENDING:
        raise AccreditationRefused(_("Only a pending accreditation can be approved."))
    today = timezone.localdate()
    valid_until = valid_until or today + DEFAULT_VALIDITY
    check_validity(valid_until)
    if accreditation.user.is_staff:
        raise AccreditationRefused(STAFF_NEVER_ACT)
    renewed = accreditation.renews
    if renewed is not None:
        renewed = Accreditation.objects.select_for_update().get(pk=renewed.pk)
        if renewed.status == Accreditation.Status.REVOKED:
            raise AccreditationRefused(
                _("The accreditation this request renews was revoked; reject the request or ask for a new one.")
            )
        if renewed.status == Accreditation.Status.APPROVED:
            # Before the new one is saved: a user never holds two approved accreditations.
            renewed.status = Accreditation.Status.RENEWED
            renewed.save(update_fields=["status"])
    approved = _decide(accreditation, Accreditation.Status.APPROVED, decided_by, "", valid_until)
    if renewed is not None:
        return approved  # the state's other delegates already know this one
    co_delegates = list(
        Accreditation.objects.active()
        .filter(member_state=approved.member_state)
        .exclude(pk=approved.pk)
        .select_related("user")
    )
    for other in co_delegates:  # each in their own language
        notify(
            template="delegate_accredited",
            recipients=[other.user.email],
            context={"accreditation": approved, "recipient": other},
            language=other.user.language,
        )
    return approved


def check_validity(valid_until: datetime.date) -> None:
    """Refuse an end of validity in the past or more than `MAX_VALIDITY` ahead."""
    today = timezone.localdate()
    if valid_until < today:
        raise AccreditationRefused(_("The end of validity cannot be in the past."))
    if valid_until > today + MAX_VALIDITY:
        raise AccreditationRefused(
            _("The end of validity can be at most two years ahead (%(date)s).")
            % {"date": formats.date_format(today + MAX_VALIDITY, "DATE_FORMAT")}
        )


@transaction.atomic
def reject(*, accreditation: Accreditation, decided_by: User, reason: str) -> Accreditation:
    accreditation = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
    if accreditation.status != Accreditation.Status.PENDING:
        raise AccreditationRefused(_("Only a pending accreditation can be rejected."))
    return _decide(accreditation, Accreditation.Status.REJECTED, decided_by, reason, None)


@transaction.atomic
def revoke(*, accreditation: Accreditation, decided_by: User, reason: str) -> Accreditation:
    accreditation = Accreditation.objects.select_for_update().get(pk=accreditation.pk)
    if accreditation.status != Accreditation.Status.APPROVED:
        raise AccreditationRefused(_("Only an approved accreditation can be revoked."))
    return _decide(accreditation, Accreditation.Status.REVOKED, decided_by, reason, accreditation.valid_until)


def _decide(
    accreditation: Accreditation,
    status: Accreditation.Status,
    decided_by: User,
    reason: str,
    valid_until: datetime.date | None,
) -> Accreditation:
    if not (decided_by.is_staff and decided_by.has_perm("members.change_accreditation")):
        raise AccreditationRefused(_("Only a secretariat admin decides accreditations."))
    if decided_by.pk == accreditation.user_id:
        raise AccreditationRefused(_("Nobody decides on their own accreditation; another admin must."))
    if BIDI_CONTROLS.search(reason):
        raise AccreditationRefused(
            _("The reason holds a control character that changes the direction in which it is displayed.")
        )
    if status != Accreditation.Status.APPROVED and not reason.strip():
        raise AccreditationRefused(_("Give the reason for this decision; the user is told."))
    accreditation.status = status
    accreditation.valid_until = valid_until
    accreditation.decided_by = decided_by
    accreditation.decided_at = timezone.now()
    accreditation.decision_reason = reason.strip()
    accreditation.save(update_fields=["status", "valid_until", "decided_by", "decided_at", "decision_reason"])
    notify(
        template="accreditation_decided",
        recipients=[accreditation.user.email],
        context={"accreditation": accreditation},
        language=accreditation.language,  # the applicant's, not the staff member's
    )
    return accreditation


def remind_of_expiry(*, on: datetime.date | None = None) -> int:
    """Email each delegate whose accreditation ends in `Accreditation.REMINDER_DAYS` days, once
    per reminder, in their language; the number of reminders sent.

    A periodic job (`PERIODIC_JOBS`): several workers may run it at once. Each reminder is
    claimed by an UPDATE that only matches while it is unsent, in the transaction that enqueues
    its email, so a second run or worker finds nothing left to send."""
    on = on or timezone.localdate()
    sent = 0
    for days in Accreditation.REMINDER_DAYS:
        for pk in Accreditation.objects.due_reminder(days=days, on=on).values_list("pk", flat=True):
            sent += _remind(pk=pk, days=days)
    return sent


@transaction.atomic
def _remind(*, pk: int, days: int) -> int:
    field = Accreditation.reminder_field(days)
    # Only columns of the row itself in the condition: PostgreSQL checks them again once the
    # row lock of a concurrent claim is released, so the slower claim matches nothing.
    claimed = Accreditation.objects.filter(pk=pk, **{field: None}).update(**{field: timezone.now()})
    if not claimed:
        return 0
    accreditation = Accreditation.objects.select_related("user").get(pk=pk)
    notify(
        template="accreditation_expiring",
        recipients=[accreditation.user.email],
        context={"accreditation": accreditation, "days": days},
        language=accreditation.user.language,
    )
    return 1
