"""The secretariat's dashboard, the admin's start page: what waits for a decision today, each figure
linking to the filtered admin list that acts on it, and what changed in the record this week.

A figure is shown only to staff who may open its list; the counts do not grow in queries with the rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Count, Min
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from initiatives.models import Endorsement, Initiative
from members.models import Accreditation, User
from webhooks.models import Delivery, Endpoint

RECENT_CHANGES = 10
CHANGE_KINDS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


@dataclass(frozen=True)
class Figure:
    label: str
    count: int
    detail: str
    url: str


@dataclass(frozen=True)
class Change:
    """One row of the audit trail: when, by whom, what kind of change, to which record."""

    when: datetime.datetime
    who: str
    kind: str
    subject: str
    url: str


def may_view(user: User, model: type[models.Model]) -> bool:
    """Whether the admin opens `model`'s list to `user` (the view or the change permission)."""
    meta = model._meta
    return user.has_perm(f"{meta.app_label}.view_{meta.model_name}") or user.has_perm(
        f"{meta.app_label}.change_{meta.model_name}"
    )


def changelist(model: type[models.Model], **filters: str) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def figures(user: User) -> list[Figure]:
    """The figures `user` may act on, in the active language."""
    shown: list[Figure] = []
    if may_view(user, Accreditation):
        pending = Accreditation.objects.pending().aggregate(count=Count("pk"), oldest=Min("requested_at"))
        waited = (
            _("the oldest has waited %(time)s") % {"time": timesince(pending["oldest"])} if pending["oldest"] else ""
        )
        shown.append(
            Figure(
                _("Pending accreditations"),
                pending["count"],
                waited,
                changelist(Accreditation, status__exact=Accreditation.Status.PENDING),
            )
        )
        shown.append(
            Figure(
                _("Accreditations expiring within 30 days"),
                Accreditation.objects.expiring(Accreditation.EXPIRING_WITHIN).count(),
                "",
                changelist(Accreditation, validity="expiring"),
            )
        )
    if may_view(user, Initiative):
        names = dict(settings.LANGUAGES)
        for code, count in Initiative.objects.unreviewed_counts().items():
            shown.append(
                Figure(
                    _("Initiatives with an unreviewed translation in %(language)s") % {"language": names[code]},
                    count,
                    "",
                    changelist(Initiative, unreviewed=code),
                )
            )
        shown.append(
            Figure(
                _("Drafts proposed by states"),
                Initiative.objects.awaiting_secretariat().count(),
                "",
                changelist(Initiative, status__exact=Initiative.Status.DRAFT),
            )
        )
        shown.append(
            Figure(
                _("Drafts awaiting review"),
                Initiative.objects.submitted_to_secretariat().count(),
                _("submitted by their lead state: complete the languages, then open them"),
                changelist(Initiative, coalition="submitted"),
            )
        )
    if may_view(user, DBTaskResult):
        shown.append(
            Figure(
                _("Background tasks failed after every attempt"),
                DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
                "",
                changelist(DBTaskResult, state="failed"),
            )
        )
    if may_view(user, Delivery):
        shown.append(
            Figure(
                _("Failed webhook deliveries"),
                Delivery.objects.failed().count(),
                "",
                changelist(Delivery, status__exact=Delivery.Status.FAILED),
            )
        )
    if may_view(user, Endpoint):
        shown.append(
            Figure(
                _("Paused webhook endpoints"),
                Endpoint.objects.paused().count(),
                "",
                changelist(Endpoint, state__exact=Endpoint.State.PAUSED),
            )
        )
    return shown


def recent_changes(user: User, now: datetime.datetime | None = None) -> list[Change]:
    """The last changes to initiatives and endorsements in the past seven days, newest first."""
    since = (now or timezone.now()) - datetime.timedelta(days=7)
    changes: list[Change] = []
    if may_view(user, Initiative):
        for row in (
            Initiative.history.model.objects.filter(history_date__gte=since)  # type: ignore[attr-defined]
            .select_related("history_user")
            .order_by("-history_date")[:RECENT_CHANGES]
        ):
            changes.append(_change(row, str(row.instance), "admin:initiatives_initiative_history"))
    if may_view(user, Endorsement):
        for row in (
            Endorsement.history.model.objects.filter(history_date__gte=since)  # type: ignore[attr-defined]
            .select_related("history_user", "initiative", "member_state")
            .order_by("-history_date")[:RECENT_CHANGES]
        ):
            changes.append(
                _change(row, f"{row.member_state} – {row.initiative}", "admin:initiatives_endorsement_history")
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:RECENT_CHANGES]


def _change(row: Any, subject: str, history: str) -> Change:
    who = row.history_user.email if row.history_user else _("the register itself")
    return Change(row.history_date, who, str(CHANGE_KINDS[row.history_type]), subject, reverse(history, args=[row.id]))


def with_dashboard(index: Callable[..., TemplateResponse]) -> Callable[..., TemplateResponse]:
    """The admin's index view with the dashboard in its context (templates/admin/index.html)."""

    def dashboard_index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        user = cast(User, request.user)  # the admin lets staff only this far
        context = {"figures": figures(user), "changes": recent_changes(user), **(extra_context or {})}
        return index(request, context)

    return dashboard_index
