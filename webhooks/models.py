"""Partner systems' endpoints and the register's deliveries to them (Standard Webhooks).

Written only by `webhooks.endpoints` and `webhooks.deliveries`."""

from __future__ import annotations

import base64
import datetime
import secrets
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from initiatives.models import LogEntry


class Event(models.TextChoices):
    """What a partner may hear of: the public changes of the transparency log."""

    ENDORSEMENT_RECORDED = "endorsement.recorded", _("An endorsement is recorded")
    ENDORSEMENT_WITHDRAWN = "endorsement.withdrawn", _("An endorsement is withdrawn")
    ENDORSEMENT_CORRECTED = "endorsement.corrected", _("An endorsement is corrected")
    INITIATIVE_OPENED = "initiative.opened", _("An initiative opens for endorsement")
    INITIATIVE_CLOSED = "initiative.closed", _("An initiative closes")


# The log's kinds that are events; the others (a draft, a text version, a window) are not sent.
EVENT_OF_LOG_KIND = {
    "endorsement.recorded": Event.ENDORSEMENT_RECORDED,
    "endorsement.withdrawn": Event.ENDORSEMENT_WITHDRAWN,
    "endorsement.corrected": Event.ENDORSEMENT_CORRECTED,
    "initiative.open": Event.INITIATIVE_OPENED,
    "initiative.closed": Event.INITIATIVE_CLOSED,
}


# Standard Webhooks' prefix of every secret (ruff and bandit take the name for a secret's).
SECRET_PREFIX = "whsec_"  # noqa: S105  # nosec B105


def new_secret() -> str:
    """A signing secret in Standard Webhooks form: `whsec_` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


class EndpointQuerySet(models.QuerySet["Endpoint"]):
    def paused(self) -> Self:
        return self.filter(state=Endpoint.State.PAUSED)

    def active(self) -> Self:
        return self.filter(state=Endpoint.State.ACTIVE)

    def for_admin(self) -> Self:
        """With `pending` and `failed`: how many of its deliveries wait, and how many gave up."""
        return self.annotate(
            pending=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        )


class Endpoint(models.Model):
    """A partner system's URL, to which the register POSTs the events it subscribed to."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")

    class PauseReason(models.TextChoices):
        FAILING = "failing", _("Its deliveries kept failing for a day")
        BY_ADMIN = "admin", _("Paused by a secretariat admin")

    url = models.URLField(
        _("URL"), max_length=500, help_text=_("Where the register sends each event, with HTTPS (a POST of JSON).")
    )
    events = models.JSONField(
        pgettext_lazy("webhook", "events"), default=list, help_text=_("The event types sent to this endpoint.")
    )
    owner_email = models.EmailField(
        _("owner's email"), help_text=_("Who is told when the endpoint is paused: the partner's technical contact.")
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_secret,
        help_text=_("Give it to the partner: their system verifies each webhook's signature with it."),
    )
    previous_secret = models.CharField(_("previous signing secret"), max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(
        _("previous secret also signs until"),
        null=True,
        blank=True,
        help_text=_("After a rotation, webhooks carry a signature with each secret for a day."),
    )
    state = models.CharField(
        pgettext_lazy("webhook endpoint", "state"), max_length=10, choices=State.choices, default=State.ACTIVE
    )
    paused_reason = models.CharField(_("why it is paused"), max_length=10, choices=PauseReason.choices, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    failing_since = models.DateTimeField(
        _("failing since"), null=True, blank=True, help_text=_("The first failure since its last success.")
    )
    cursor = models.BigIntegerField(
        _("last log index handled"),
        help_text=_("Log entries after this one are still to be sent; a new endpoint starts at the end of the log."),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    objects = EndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="active", paused_reason="", paused_at=None)
                | (Q(state="paused", paused_at__isnull=False) & ~Q(paused_reason="")),
                name="paused_endpoint_has_reason_and_time",
            ),
            models.CheckConstraint(
                condition=Q(secret__startswith=SECRET_PREFIX), name="endpoint_secret_in_standard_form"
            ),
            models.CheckConstraint(
                condition=Q(("previous_secret", ""), previous_secret_until=None)
                | Q(previous_secret__startswith=SECRET_PREFIX, previous_secret_until__isnull=False),
                name="previous_secret_has_its_end",
            ),
            models.CheckConstraint(condition=Q(cursor__gte=-1), name="endpoint_cursor_within_log"),
            models.CheckConstraint(condition=~Q(events=[]), name="endpoint_has_events"),
        ]

    def __str__(self) -> str:
        return self.url

    def signing_secrets(self, now: datetime.datetime) -> list[str]:
        """The secrets that sign a webhook sent now: the current one, and for a day after a
        rotation the previous one too, so the partner may switch without losing a webhook."""
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            return [self.secret, self.previous_secret]
        return [self.secret]


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def pending(self) -> Self:
        return self.filter(status=Delivery.Status.PENDING)

    def failed(self) -> Self:
        return self.filter(status=Delivery.Status.FAILED)


class Delivery(models.Model):
    """One event sent to one endpoint: every attempt is noted here, none is ever deleted."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("webhook delivery", "Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (every attempt spent)")

    endpoint = models.ForeignKey(
        Endpoint, models.PROTECT, related_name="deliveries", verbose_name=_("webhook endpoint")
    )
    log_entry = models.ForeignKey(LogEntry, models.PROTECT, related_name="+", verbose_name=_("log entry"))
    event = models.CharField(pgettext_lazy("webhook", "event"), max_length=40, choices=Event.choices)
    webhook_id = models.CharField(
        _("webhook id"), max_length=40, help_text=_("The webhook-id header: the same at every attempt.")
    )
    body = models.TextField(_("body"), help_text=_("The JSON sent, the same at every attempt."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    task_id = models.CharField(
        _("task"), max_length=64, blank=True, help_text=_("The queued task that sends it; any other is stale.")
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        permissions = [("retry_delivery", _("Can retry failed webhook deliveries"))]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "log_entry"], name="one_delivery_per_endpoint_and_entry"),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False)
                | (~Q(status="delivered") & Q(delivered_at=None)),
                name="delivered_webhook_has_its_time",
            ),
        ]
        indexes = [models.Index(fields=["endpoint", "status"], name="delivery_endpoint_status")]

    def __str__(self) -> str:
        return f"{self.webhook_id} ({self.event})"
