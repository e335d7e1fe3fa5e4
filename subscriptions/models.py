from __future__ import annotations

import datetime
import secrets
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, LogEntry
from members.models import MemberState

# What a subscriber to the whole register hears of: each endorsement recorded, withdrawn or corrected.
ENDORSEMENT_KINDS = ("endorsement.recorded", "endorsement.withdrawn", "endorsement.corrected")
DIGEST_INTERVAL = datetime.timedelta(days=1)


def new_token() -> str:
    """The secret of a subscription's links (confirm, unsubscribe): only its mailbox learns it."""
    return secrets.token_urlsafe(32)


def confirmation_deadline(now: datetime.datetime) -> datetime.datetime:
    """Subscriptions asked for before this moment and still unconfirmed have expired."""
    return now - datetime.timedelta(days=settings.SUBSCRIPTION_CONFIRM_DAYS)


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def confirmed(self) -> Self:
        return self.exclude(confirmed_at=None)

    def pending(self) -> Self:
        return self.filter(confirmed_at=None)

    def expired(self, now: datetime.datetime | None = None) -> Self:
        return self.pending().filter(requested_at__lt=confirmation_deadline(now or timezone.now()))

    def confirmable(self, now: datetime.datetime | None = None) -> Self:
        """Pending and not expired, or already confirmed (confirming again changes nothing)."""
        return self.filter(
            Q(confirmed_at__isnull=False) | Q(requested_at__gte=confirmation_deadline(now or timezone.now()))
        )

    def due_for_notice(self, *, up_to: int, now: datetime.datetime) -> Self:
        """Confirmed subscriptions that are owed a notice of the log's entries up to `up_to`:
        "immediate" once its oldest untold matching entry is NOTICE_GATHER_SECONDS old, "daily"
        a day after its last notice (or its confirmation) when it has any."""
        gathered_by = now - datetime.timedelta(seconds=settings.NOTICE_GATHER_SECONDS)
        immediate = Q(frequency=Subscription.Frequency.IMMEDIATE) & _has_news(up_to, logged_by=gathered_by)
        daily = Q(frequency=Subscription.Frequency.DAILY) & Q(last_told__lte=now - DIGEST_INTERVAL) & _has_news(up_to)
        return (
            self.confirmed()
            .alias(last_told=Coalesce("notified_at", "confirmed_at"))
            .filter(cursor__lt=up_to)
            .filter(immediate | daily)
        )

    def without_news(self, *, up_to: int) -> Self:
        """Confirmed subscriptions behind `up_to` whose untold entries concern none of them."""
        return self.confirmed().filter(cursor__lt=up_to).exclude(_has_news(up_to))


def _has_news(up_to: int, *, logged_by: datetime.datetime | None = None) -> Q:
    """The subscription (the outer row) has an untold entry of its concern, at most `up_to`
    (and logged by `logged_by`): the rule of `Subscription.entries`, in SQL."""
    untold = LogEntry.objects.filter(index__gt=OuterRef("cursor"), index__lte=up_to)
    if logged_by is not None:
        untold = untold.filter(logged_at__lte=logged_by)
    about_initiative = Q(initiative=OuterRef("initiative")) | Q(endorsement__initiative=OuterRef("initiative"))
    return (
        Q(Exists(untold.filter(about_initiative)), initiative__isnull=False)
        | Q(Exists(untold.filter(endorsement__member_state=OuterRef("member_state"))), member_state__isnull=False)
        | Q(Exists(untold.filter(kind__in=ENDORSEMENT_KINDS)), initiative=None, member_state=None)
    )


class Subscription(models.Model):
    """An email address that follows one initiative, one state, or every endorsement (neither).

    Pending until its owner confirms it from the link it was sent; only confirmed ones are told
    anything. `cursor` is the index of the last transparency-log entry the subscriber was told
    about (or passed over as not theirs): each later entry of their concern reaches them once."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("As it happens (one email for changes close together)")
        DAILY = "daily", _("At most one email a day")

    email = models.EmailField(_("email address"))
    initiative = models.ForeignKey(
        Initiative,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("initiative"),
    )
    member_state = models.ForeignKey(
        MemberState,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("state"),
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    language = models.CharField(_("language"), max_length=10, help_text=_("Every email goes out in this language."))
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    requested_at = models.DateTimeField(_("confirmation requested at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cursor = models.BigIntegerField(
        _("last log entry told"),
        null=True,
        blank=True,
        help_text=_("The index of the last transparency-log entry considered for this subscriber (-1: none yet)."),
    )
    notified_at = models.DateTimeField(_("last notice at"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(initiative=None) | Q(member_state=None), name="subscription_follows_one_thing"
            ),
            models.UniqueConstraint(
                fields=["email", "initiative"], condition=Q(initiative__isnull=False), name="one_per_email_initiative"
            ),
            models.UniqueConstraint(
                fields=["email", "member_state"],
                condition=Q(member_state__isnull=False),
                name="one_per_email_state",
            ),
            models.UniqueConstraint(
                fields=["email"], condition=Q(initiative=None, member_state=None), name="one_per_email_register"
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at=None, cursor=None) | Q(confirmed_at__isnull=False, cursor__isnull=False),
                name="confirmed_subscription_has_cursor",
            ),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="email_in_lower_case"),
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.target_name()}"

    def target_name(self) -> str:
        """What is followed, in the active language."""
        if self.initiative is not None:
            return self.initiative.title
        if self.member_state is not None:
            return self.member_state.name
        return str(_("Every endorsement and withdrawal"))

    def target_url(self) -> str:
        if self.initiative is not None:
            return self.initiative.get_absolute_url()
        if self.member_state is not None:
            return self.member_state.get_absolute_url()
        return reverse("initiatives:list")

    def masked_email(self) -> str:
        """Enough of the address for its owner to recognise it, too little for anyone else."""
        local, _at, domain = self.email.partition("@")
        return f"{local[:1]}…@{domain}"

    def entries(self, *, up_to: int) -> models.QuerySet[LogEntry]:
        """The untold entries of this subscription's concern, oldest first."""
        assert self.cursor is not None, "only a confirmed subscription has a cursor"
        untold = LogEntry.objects.filter(index__gt=self.cursor, index__lte=up_to)
        if self.initiative_id is not None:
            untold = untold.filter(Q(initiative=self.initiative_id) | Q(endorsement__initiative=self.initiative_id))
        elif self.member_state_id is not None:
            untold = untold.filter(endorsement__member_state=self.member_state_id)
        else:
            untold = untold.filter(kind__in=ENDORSEMENT_KINDS)
        return untold.select_related("initiative", "endorsement__initiative", "endorsement__member_state").order_by(
            "index"
        )
