import datetime
from collections.abc import Callable
from typing import Any, cast

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, When
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin

from alliance.caching import ChangesPublicPages
from alliance.history import ReadOnlyHistoryAdmin
from alliance.languages import localized_fields
from members import accounts, accreditation, roles
from members.models import Accreditation, AccreditationQuerySet, MemberState, User


class AccountCreationForm(forms.ModelForm[User]):
    """A new account by its email address alone: the person chooses their password from the
    link they are sent (nobody sets another person's password)."""

    class Meta:
        model = User
        fields = ["email"]

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class AccountChangeForm(forms.ModelForm[User]):
    """The admin's account form; the roles it sets are checked by `members.roles` for the staff
    member who sends it (`actor`, set by `UserAdmin.get_form`)."""

    actor: User

    class Meta:
        model = User
        fields = [
            "email",
            "first_name",
            "last_name",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        stored = User.objects.get(pk=self.instance.pk) if self.instance.pk else User(email="")
        try:
            roles.check_role_change(
                actor=self.actor,
                user=stored,
                is_staff=cleaned.get("is_staff", stored.is_staff),
                is_superuser=cleaned.get("is_superuser", stored.is_superuser),
                groups=cleaned.get("groups", stored.groups.all() if stored.pk else []),
                permissions=cleaned.get("user_permissions", stored.user_permissions.all() if stored.pk else []),
            )
        except roles.RoleChangeRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return cleaned


@admin.register(User)
class UserAdmin(ReadOnlyHistoryAdmin, DjangoUserAdmin[User]):
    """Accounts and their roles. Only a superuser grants superuser status, permissions and the
    admins' group (`members.roles`); nobody sets a password: the person is sent a link."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    form = AccountChangeForm
    add_form = AccountCreationForm
    add_form_template = None  # Django's asks for a username and a password, which this form has not
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email",)}),)
    readonly_fields = ["last_login", "date_joined", "language"]
    actions = ["send_password_links"]

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            return self.add_fieldsets
        roles_fields = ["is_active", "is_staff", "groups"]
        if request.user.is_superuser:
            roles_fields += ["is_superuser", "user_permissions"]
        return (
            (None, {"fields": ("email", "language")}),
            (_("Personal info"), {"fields": ("first_name", "last_name")}),
            (_("Permissions"), {"fields": roles_fields}),
            (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        # A changed address would receive the account's password links: the person changes it
        # themselves, with a verification, in their account.
        return [*self.readonly_fields, *(["email"] if obj is not None else [])]

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["queryset"] = roles.assignable_groups(cast(User, request.user))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        allowed: bool = super().has_change_permission(request, obj)
        return allowed and (obj is None or roles.may_manage(cast(User, request.user), obj))

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # Django's form to set another person's password: nobody may use it, superusers included.
        raise PermissionDenied(_("Nobody sets another person's password; send them a link to choose one."))

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            accounts.send_password_link(request=request, user=obj)
            self.message_user(
                request, _("%(email)s is sent a link to choose a password.") % {"email": obj.email}, messages.INFO
            )

    @admin.action(description=_("Send the selected users a link to choose a new password"), permissions=["change"])
    def send_password_links(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset.filter(is_active=True))
        for user in users:
            accounts.send_password_link(request=request, user=user)
        self.message_user(
            request,
            ngettext(
                "%(count)d user is sent a link to choose a new password.",
                "%(count)d users are sent a link to choose a new password.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


@admin.register(MemberState)
class MemberStateAdmin(ChangesPublicPages, ReadOnlyHistoryAdmin, TabbedTranslationAdmin[MemberState]):
    list_display = ["code", "name", "kind", "regional_group", "un_member_since"]
    list_filter = ["kind", "regional_group"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["code", "iso2", *localized_fields("name")]

    def get_readonly_fields(self, request: HttpRequest, obj: MemberState | None = None) -> list[str]:
        # The code is the state's address, and how receipts and the transparency log name it.
        return ["code"] if obj is not None else []


class ApprovalForm(forms.Form):
    """The end of validity the secretariat grants; `accreditation.approve` checks it again."""

    valid_until = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day on which the delegate may act for the state: at most two years from today."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        field = self.fields["valid_until"]
        field.initial = today + accreditation.DEFAULT_VALIDITY
        field.widget.attrs |= {"min": today.isoformat(), "max": (today + accreditation.MAX_VALIDITY).isoformat()}

    def clean_valid_until(self) -> datetime.date:
        valid_until: datetime.date = self.cleaned_data["valid_until"]
        try:
            accreditation.check_validity(valid_until)
        except accreditation.AccreditationRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return valid_until


class DecisionReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("The user is told this reason."),
        error_messages={"required": _("Give the reason; the user is told.")},
    )


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("expired", _("Expired")), ("expiring", _("Expiring within 30 days"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Accreditation]) -> QuerySet[Accreditation]:
        if self.value() == "expired":
            return cast(AccreditationQuerySet, queryset).expired()
        if self.value() == "expiring":
            return cast(AccreditationQuerySet, queryset).expiring(Accreditation.EXPIRING_WITHIN)
        return queryset


@admin.register(Accreditation)
class AccreditationAdmin(ReadOnlyHistoryAdmin):
    """Requests come from delegates; the secretariat decides through the actions, never by editing."""

    list_display = ["user", "member_state", "position", "status_shown", "is_renewal", "requested_at", "valid_until"]
    list_filter = ["status", ValidityFilter]
    list_select_related = ["user", "member_state"]
    search_fields = ["user__email", "member_state__code", "member_state__name", "position"]
    readonly_fields = [
        "user",
        "member_state",
        "position",
        "evidence_link",
        "status_shown",
        "valid_until",
        "renews",
        "requested_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "language",
        "reminded_30_at",
        "reminded_7_at",
    ]
    exclude = ["evidence", "evidence_type", "status"]
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

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, obj: Accreditation) -> str:
        return obj.display_status

    @admin.display(description=_("renewal"), boolean=True, ordering="renews")
    def is_renewal(self, obj: Accreditation) -> bool:
        return obj.renews_id is not None

    @admin.action(description=_("Approve the selected requests"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Accreditation]) -> TemplateResponse | None:
        form = ApprovalForm(request.POST if _confirmed(request) else None)
        if not form.is_valid():
            return self._confirmation_page(request, queryset, form)
        self._decide(request, queryset, accreditation.approve, valid_until=form.cleaned_data["valid_until"])
        return None

    @admin.action(description=_("Reject the selected requests"), permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Accreditation]) -> TemplateResponse | None:
        form = DecisionReasonForm(request.POST if _confirmed(request) else None)
        if not form.is_valid():
            return self._confirmation_page(request, queryset, form)
        self._decide(request, queryset, accreditation.reject, reason=form.cleaned_data["reason"])
        return None

    @admin.action(description=_("Revoke the selected accreditations"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Accreditation]) -> TemplateResponse | None:
        form = DecisionReasonForm(request.POST if _confirmed(request) else None)
        if not form.is_valid():
            return self._confirmation_page(request, queryset, form)
        self._decide(request, queryset, accreditation.revoke, reason=form.cleaned_data["reason"])
        return None

    def _confirmation_page(
        self, request: HttpRequest, queryset: QuerySet[Accreditation], form: forms.Form
    ) -> TemplateResponse:
        """Each decision is confirmed on its own page, with what it needs: the end of validity
        of an approval, the reason the user is told of a refusal."""
        return TemplateResponse(
            request,
            "admin/members/accreditation/decision_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Confirm the decision"),
                "accreditations": queryset.select_related("user", "member_state"),
                "action": request.POST["action"],
                "opts": self.model._meta,
                "form": form,
            },
        )

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[Accreditation],
        decide: Callable[..., Accreditation],
        **kwargs: Any,
    ) -> None:
        done = 0
        for item in queryset:
            try:
                decide(accreditation=item, decided_by=request.user, **kwargs)
                done += 1
            except accreditation.AccreditationRefused as refusal:
                self.message_user(request, f"{item}: {refusal}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(count)d accreditation(s) updated; each user is told by email.") % {"count": done}
            )


def _confirmed(request: HttpRequest) -> bool:
    """The action was sent from its confirmation page (a first POST comes from the changelist)."""
    return request.POST.get("confirmed") == "yes"


# allauth's own admins for these models showed a second factor's secret in an editable form, and
# searched sessions by a username this register's accounts do not have (an error page). These show
# what the secretariat needs, in its language, and no secret.
admin.site.unregister(Authenticator)
admin.site.unregister(UserSession)


class SecondFactorKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(Authenticator.Type.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Authenticator]) -> QuerySet[Authenticator]:
        return queryset.filter(type=self.value()) if self.value() else queryset


@admin.register(Authenticator)
class SecondFactorAdmin(admin.ModelAdmin[Authenticator]):
    """A delegate's second factors: seen and, by whoever may delete them, removed (a lost phone);
    never read or edited."""

    list_display = ("account", "kind", "added_on", "last_used_on")
    fields = readonly_fields = list_display
    list_filter = [SecondFactorKindFilter]
    list_select_related = ["user"]
    search_fields = ["user__email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        allowed: bool = super().has_delete_permission(request, obj)
        return allowed and (obj is None or roles.may_manage(cast(User, request.user), obj.user))

    def delete_model(self, request: HttpRequest, obj: Authenticator) -> None:
        accounts.remove_second_factor(authenticator=obj, removed_by=cast(User, request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Authenticator]) -> None:
        actor = cast(User, request.user)
        authenticators = list(queryset.select_related("user"))
        if any(not roles.may_manage(actor, authenticator.user) for authenticator in authenticators):
            raise PermissionDenied  # checked before anything is removed
        for authenticator in authenticators:
            accounts.remove_second_factor(authenticator=authenticator, removed_by=actor)

    @admin.display(description=_("account"), ordering="user__email")
    def account(self, obj: Authenticator) -> str:
        return str(obj.user.email)

    @admin.display(description=_("kind"), ordering="type")
    def kind(self, obj: Authenticator) -> str:
        return str(obj.get_type_display())

    @admin.display(description=_("added on"), ordering="created_at")
    def added_on(self, obj: Authenticator) -> datetime.datetime:
        return cast(datetime.datetime, obj.created_at)  # allauth's models are untyped

    @admin.display(description=_("last used on"), ordering="last_used_at")
    def last_used_on(self, obj: Authenticator) -> datetime.datetime | None:
        return cast(datetime.datetime | None, obj.last_used_at)


@admin.register(UserSession)
class SignedInSessionAdmin(admin.ModelAdmin[UserSession]):
    """Where each account is signed in; the admin may sign a session out, which ends it at once."""

    list_display = ("account", "started_on", "last_seen_on", "address", "browser")
    fields = readonly_fields = list_display
    list_select_related = ["user"]
    search_fields = ["user__email", "ip"]
    actions = ["sign_out"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: UserSession | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: UserSession | None = None) -> bool:
        return False  # deleting the record alone would leave the session signed in: use sign_out

    def has_sign_out_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("usersessions.delete_usersession")

    @admin.action(description=_("Sign out the selected sessions"), permissions=["sign_out"])
    def sign_out(self, request: HttpRequest, queryset: QuerySet[UserSession]) -> None:
        actor = cast(User, request.user)
        if any(not roles.may_manage(actor, session.user) for session in queryset.select_related("user")):
            self.message_user(
                request,
                _("Only a superuser may sign out your own sessions, a superuser's or a secretariat admin's."),
                messages.ERROR,
            )
            return
        self.log_deletions(request, queryset)  # in the admin's history of actions, as a deletion would be
        sessions = list(queryset)
        for session in sessions:
            session.end()
        self.message_user(
            request,
            ngettext("%(count)d session is signed out.", "%(count)d sessions are signed out.", len(sessions))
            % {"count": len(sessions)},
            messages.SUCCESS,
        )

    @admin.display(description=_("account"), ordering="user__email")
    def account(self, obj: UserSession) -> str:
        return str(obj.user.email)

    @admin.display(description=_("signed in on"), ordering="created_at")
    def started_on(self, obj: UserSession) -> datetime.datetime:
        return cast(datetime.datetime, obj.created_at)  # allauth's models are untyped

    @admin.display(description=_("last seen on"), ordering="last_seen_at")
    def last_seen_on(self, obj: UserSession) -> datetime.datetime:
        return cast(datetime.datetime, obj.last_seen_at)

    @admin.display(description=_("IP address"), ordering="ip")
    def address(self, obj: UserSession) -> str:
        return str(obj.ip)

    @admin.display(description=_("browser"))
    def browser(self, obj: UserSession) -> str:
        return str(obj.user_agent)
