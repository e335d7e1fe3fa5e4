from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Case, QuerySet, When
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from alliance.languages import localized_fields
from members import accreditation
from members.models import Accreditation, MemberState, User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin[User]):  # type: ignore[misc]
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(MemberState)
class MemberStateAdmin(TabbedTranslationAdmin[MemberState]):
    list_display = ["code", "name", "kind", "regional_group", "un_member_since"]
    list_filter = ["kind", "regional_group"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["code", "iso2", *localized_fields("name")]


@admin.register(Accreditation)
class AccreditationAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Requests come from delegates; the secretariat decides through the actions, never by editing."""

    list_display = ["user", "member_state", "position", "status", "requested_at", "valid_until"]
    list_filter = ["status"]
    list_select_related = ["user", "member_state"]
    search_fields = ["user__email", "member_state__code", "member_state__name", "position"]
    readonly_fields = [
        "user",
        "member_state",
        "position",
        "evidence_link",
        "status",
        "valid_until",
        "requested_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "language",
    ]
    exclude = ["evidence", "evidence_type"]
    actions = ["approve_selected", "reject_selected", "revoke_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Accreditation]:
        # Pending requests first, oldest first: the secretariat's queue.
        pending_first = Case(When(status=Accreditation.Status.PENDING, then=0), default=1)
        rows: QuerySet[Accreditation] = super().get_queryset(request)
        return rows.order_by(pending_first, "requested_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Accreditation | None = None) -> bool:
        return False

    @admin.display(description=_("evidence"))
    def evidence_link(self, obj: Accreditation) -> str:
        url = reverse("members:evidence", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open the evidence (%(type)s)") % {"type": obj.evidence_type})

    @admin.action(description=_("Approve the selected requests (valid for one year)"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Accreditation]) -> TemplateResponse | None:
        return self._decide(request, queryset, accreditation.approve, needs_reason=False)

    @admin.action(description=_("Reject the selected requests"), permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Accreditation]) -> TemplateResponse | None:
        return self._decide(request, queryset, accreditation.reject, needs_reason=True)

    @admin.action(description=_("Revoke the selected accreditations"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Accreditation]) -> TemplateResponse | None:
        return self._decide(request, queryset, accreditation.revoke, needs_reason=True)

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[Accreditation],
        decide: Callable[..., Accreditation],
        *,
        needs_reason: bool,
    ) -> TemplateResponse | None:
        reason = request.POST.get("reason", "").strip()
        confirmed = request.POST.get("confirmed") == "yes"
        if not confirmed or (needs_reason and not reason):
            # Each decision is confirmed on its own page; one against the user also needs the reason they are told.
            return TemplateResponse(
                request,
                "admin/members/accreditation/decision_reason.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Confirm the decision"),
                    "accreditations": queryset.select_related("user", "member_state"),
                    "action": request.POST["action"],
                    "opts": self.model._meta,
                    "needs_reason": needs_reason,
                    "reason_missing": needs_reason and confirmed,
                },
            )
        done = 0
        for item in queryset:
            kwargs: dict[str, Any] = {"accreditation": item, "decided_by": request.user}
            if needs_reason:
                kwargs["reason"] = reason
            try:
                decide(**kwargs)
                done += 1
            except accreditation.AccreditationRefused as refusal:
                self.message_user(request, f"{item}: {refusal}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(count)d accreditation(s) updated; each user is told by email.") % {"count": done}
            )
        return None
