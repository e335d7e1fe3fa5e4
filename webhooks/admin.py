"""Webhooks in the admin: secretariat admins only (the group's permissions, migration 0002).

Endpoints are written through `webhooks.endpoints` and `webhooks.deliveries`; deliveries are
read-only, and a failed one is only ever tried again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.history import ReadOnlyHistoryAdmin
from members.models import User
from webhooks import outbound
from webhooks.deliveries import pause_endpoint, resume_endpoint, retry_deliveries
from webhooks.endpoints import change_endpoint, register_endpoint, rotate_secret
from webhooks.models import Delivery, Endpoint, Event


class EndpointForm(forms.ModelForm[Endpoint]):
    url = Endpoint._meta.get_field("url").formfield(assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=pgettext_lazy("webhook", "events"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose at least one."),
    )

    class Meta:
        model = Endpoint
        fields = ["url", "events", "owner_email"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if url != self.instance.url:
            try:
                outbound.vet(url)
            except outbound.RefusedAddress as refusal:
                raise forms.ValidationError(str(refusal), code="refused") from None
        return url


@admin.register(Endpoint)
class EndpointAdmin(ReadOnlyHistoryAdmin):
    form = EndpointForm
    list_display = ["url", "state", "paused_reason", "event_list", "owner_email", "delivery_log"]
    list_filter = ["state"]
    search_fields = ["url", "owner_email"]
    actions = ["resume", "pause", "rotate"]
    editable = ["url", "events", "owner_email"]
    shown = [
        "secret",
        "previous_secret_until",
        "state",
        "paused_reason",
        "paused_at",
        "failing_since",
        "cursor",
        "created_at",
        "created_by",
        "delivery_log",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Endpoint]:
        return Endpoint.objects.for_admin()

    def get_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> list[str]:
        return self.editable if obj is None else [*self.editable, *self.shown]

    def get_readonly_fields(self, request: HttpRequest, obj: Endpoint | None = None) -> list[str]:
        return [] if obj is None else self.shown

    def has_delete_permission(self, request: HttpRequest, obj: Endpoint | None = None) -> bool:
        return False  # its deliveries stay on record: pause it instead

    def save_model(self, request: HttpRequest, obj: Endpoint, form: forms.Form, change: bool) -> None:
        data = form.cleaned_data
        fields = {"url": data["url"], "events": data["events"], "owner_email": data["owner_email"]}
        if change:
            change_endpoint(endpoint=obj, **fields)
        else:
            assert isinstance(request.user, User)
            obj.pk = register_endpoint(created_by=request.user, **fields).pk

    @admin.display(description=_("events"))
    def event_list(self, obj: Endpoint) -> str:
        return ", ".join(obj.events)

    @admin.display(description=_("deliveries"))
    def delivery_log(self, obj: Endpoint) -> str:
        url = reverse("admin:webhooks_delivery_changelist")
        label = _("%(pending)d pending, %(failed)d failed") % {
            "pending": obj.pending,  # type: ignore[attr-defined]
            "failed": obj.failed,  # type: ignore[attr-defined]
        }
        return format_html('<a href="{}?endpoint__id__exact={}">{}</a>', url, obj.pk, label)

    @admin.action(
        description=_("Resume the selected endpoints (their waiting deliveries are sent)"), permissions=["change"]
    )
    def resume(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        waiting = sum(resume_endpoint(endpoint=endpoint) for endpoint in queryset)
        self.message_user(request, _("Resumed; deliveries sent again: %(count)d.") % {"count": waiting})

    @admin.action(description=_("Pause the selected endpoints (their owners are told)"), permissions=["change"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        paused = sum(pause_endpoint(endpoint=endpoint, reason=Endpoint.PauseReason.BY_ADMIN) for endpoint in queryset)
        self.message_user(request, _("Endpoints paused: %(count)d.") % {"count": paused})

    @admin.action(description=_("Give the selected endpoints new signing secrets"), permissions=["change"])
    def rotate(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            rotate_secret(endpoint=endpoint)
        self.message_user(
            request,
            _("New secrets made: give each to its partner. For a day, webhooks are signed with the old one too."),
            messages.WARNING,
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """Each event sent to each endpoint, with its attempts: to read, and to try again once failed."""

    list_display = [
        "webhook_id",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "answer",
        "last_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["webhook_id"]
    actions = ["retry"]
    fields = readonly_fields = (
        "endpoint",
        "event",
        "webhook_id",
        "log_entry",
        "status",
        "attempts",
        "last_status_code",
        "answer",
        "last_error",
        "created_at",
        "last_attempt_at",
        "delivered_at",
        "body",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("webhooks.retry_delivery")

    @admin.display(description=_("answer"))
    def answer(self, obj: Delivery) -> Any:
        code = obj.last_status_code
        if code is None:
            return _("no answer") if obj.attempts else "–"
        if 200 <= code < 300:
            return _("accepted")
        if 300 <= code < 400:
            return _("a redirect, not followed")
        return _("refused by the endpoint")

    @admin.action(description=_("Retry the selected failed deliveries"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = retry_deliveries(deliveries=queryset)
        self.message_user(request, _("Deliveries to try again: %(count)d.") % {"count": count})
