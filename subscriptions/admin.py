from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from subscriptions.models import Subscription


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("confirmed", _("Confirmed")), ("pending", _("Waiting for confirmation"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> QuerySet[Subscription]:
        if self.value() == "confirmed":
            return queryset.exclude(confirmed_at=None)
        if self.value() == "pending":
            return queryset.filter(confirmed_at=None)
        return queryset


class FollowsFilter(admin.SimpleListFilter):
    title = _("follows")
    parameter_name = "follows"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("initiative", _("An initiative")), ("state", _("A state")), ("register", _("Every endorsement"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> QuerySet[Subscription]:
        if self.value() == "initiative":
            return queryset.exclude(initiative=None)
        if self.value() == "state":
            return queryset.exclude(member_state=None)
        if self.value() == "register":
            return queryset.filter(initiative=None, member_state=None)
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    """Who follows what by email, with counts by filter: read only (the subscriber alone confirms or
    stops a subscription, from the links they are sent). The addresses are seen by staff only."""

    list_display = ("email", "follows", "frequency", "language", "requested_at", "confirmed_at", "notified_at")
    fields = readonly_fields = list_display
    list_filter = [StatusFilter, FollowsFilter, "frequency", "language"]
    list_select_related = ["initiative", "member_state"]
    search_fields = ["email"]
    show_facets = admin.ShowFacets.ALWAYS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Subscription | None = None) -> bool:
        return False

    @admin.display(description=_("follows"))
    def follows(self, obj: Subscription) -> str:
        return obj.target_name()
