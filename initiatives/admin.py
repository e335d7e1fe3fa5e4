from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from alliance.caching import ChangesPublicPages
from alliance.history import ReadOnlyHistoryAdmin
from alliance.languages import localized_fields
from alliance.text import reject_bidi_controls
from initiatives import admin_import, coalitions, publishing, texts
from initiatives.endorsing import (
    CORRECTABLE,
    EndorsementRefused,
    correct_endorsement,
    record_endorsement,
    record_withdrawal,
)
from initiatives.models import (
    Amendment,
    DatePrecision,
    DraftComment,
    Endorsement,
    Event,
    Initiative,
    InitiativeQuerySet,
    ReportedFigure,
    Sponsorship,
    Theme,
    TranslationStatus,
)
from members.forms import list_states_by_name
from members.models import MemberState


@admin.register(Theme)
class ThemeAdmin(ChangesPublicPages, ReadOnlyHistoryAdmin, TabbedTranslationAdmin[Theme]):
    list_display = ["name", "slug"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["slug", *localized_fields("name")]


@admin.register(ReportedFigure)
class ReportedFigureAdmin(ChangesPublicPages, ReadOnlyHistoryAdmin, TabbedTranslationAdmin[ReportedFigure]):
    """Each figure is edited with its initiative; here it has its own page and History too."""

    list_display = ["initiative", "count", "as_of", "as_of_precision"]
    list_filter = ["initiative"]
    list_select_related = ["initiative"]
    ordering = ["initiative__launched_on", "as_of"]


class ReportedFigureInline(TranslationTabularInline[ReportedFigure, Initiative]):
    model = ReportedFigure
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class InitiativeForm(forms.ModelForm[Initiative]):
    """The initiative's own rules in the admin: translations before opening, material changes, edit conflicts."""

    material_change = forms.ChoiceField(
        label=_("Is this change to the commitment material?"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("material", _("Material: a new text version; later endorsements endorse the new version")),
            ("editorial", _("Editorial: the same text version (a typo, a translation)")),
        ],
        help_text=_("Asked when the commitment of an open initiative changes."),
    )
    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Initiative
        fields = [
            "slug",
            "title",
            "summary",
            "body",
            "commitment",
            "kind",
            "theme",
            "lead_states",
            "status",
            "signing_opens_on",
            "signing_closes_on",
            "launched_on",
            "launch_place",
            "sources",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_revision"].initial = self.instance.revision
        if isinstance(self.data, QueryDict):  # a browser's form
            # Browsers send a text area's line breaks as CRLF; the texts are stored with LF. Without
            # this, saving an untouched text would count as editing it in every language (and mark
            # machine-assisted translations as reviewed).
            data = self.data.copy()
            for name in data:
                data.setlist(name, [value.replace("\r\n", "\n") for value in data.getlist(name)])
            self.data = data

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # the instance now holds the edited values
        if "status" not in self.errors:
            try:  # said even beside other errors: a state's draft is never opened from here before it is submitted
                publishing.check_not_published_before_submission(initiative=self.instance)
            except publishing.PublishingRefused as refusal:
                self.add_error("status", str(refusal))
                return
        if set(self.errors) - {NON_FIELD_ERRORS}:
            return
        try:
            publishing.check_initiative_change(
                initiative=self.instance,
                changed=self.changed_data,
                material=self.material(),
                seen_revision=self.cleaned_data.get("seen_revision"),
            )
        except publishing.PublishingRefused as refusal:
            if refusal.field == "status":
                # The database's constraint said the same, without naming the missing texts.
                self.errors.pop(NON_FIELD_ERRORS, None)
            self.add_error(refusal.field, str(refusal))

    def material(self) -> bool | None:
        """The answer to "is this change to the commitment material?", if given."""
        answer = self.cleaned_data.get("material_change")
        return {"material": True, "editorial": False}.get(answer or "")


class UnreviewedTranslationFilter(admin.SimpleListFilter):
    title = _("unreviewed translation")
    parameter_name = "unreviewed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(code, name) for code, name in settings.LANGUAGES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Initiative]) -> QuerySet[Initiative]:
        if self.value() in dict(settings.LANGUAGES):
            return cast(InitiativeQuerySet, queryset).unreviewed_in(self.value() or "")
        return queryset


class CoalitionFilter(admin.SimpleListFilter):
    title = _("draft proposed by a state")
    parameter_name = "coalition"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("submitted", _("Submitted for review"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Initiative]) -> QuerySet[Initiative]:
        if self.value() == "submitted":
            return cast(InitiativeQuerySet, queryset).submitted_to_secretariat()
        return queryset


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyHistoryAdmin, TabbedTranslationAdmin[Initiative]):
    form = InitiativeForm
    list_display = [
        "written_title",
        "slug",
        "kind",
        "theme",
        "status",
        "launched_on",
        "text_version",
        "endorsing_states",
        "missing_texts",
    ]
    list_filter = ["status", CoalitionFilter, "kind", "theme", UnreviewedTranslationFilter]
    list_select_related = ["theme"]
    filter_horizontal = ["lead_states"]
    inlines = [ReportedFigureInline]
    readonly_fields = ["text_version", "translations", "submission"]
    fieldsets = [
        (None, {"fields": ["slug", "title", "summary", "body", "commitment", "material_change", "seen_revision"]}),
        (_("Classification"), {"fields": ["kind", "theme", "lead_states"]}),
        (_("Endorsement"), {"fields": ["status", "signing_opens_on", "signing_closes_on", "text_version"]}),
        (_("Launch and sources"), {"fields": ["launched_on", "launch_place", "sources"]}),
        (_("Translations"), {"fields": ["translations"]}),
        (_("Submitted by its lead state"), {"fields": ["submission"]}),
    ]

    @admin.display(description=_("Submission"))
    def submission(self, obj: Initiative) -> str:
        if obj.submitted_at is None:
            if obj.pk and obj.status == Initiative.Status.DRAFT and coalitions.is_states_draft(obj):
                return str(_("Not submitted: a state's draft opens only once its lead state submits it."))
            return "–"
        sponsors = ", ".join(
            row.member_state.name for row in Sponsorship.objects.filter(initiative=obj).sponsors_of_text()
        )
        return str(
            _("Text version %(version)s, submitted on %(date)s in %(languages)s. Confirmed by: %(sponsors)s.")
            % {
                "version": obj.submitted_version,
                "date": obj.submitted_at.date().isoformat(),
                "languages": ", ".join(obj.submitted_in),
                "sponsors": sponsors or "–",
            }
        )

    @admin.display(description=_("Title"), ordering="title")
    def written_title(self, obj: Initiative) -> str:
        # A draft proposed by a state may be written in one language only, which need not be the reader's.
        return obj.title_as_written(get_language())

    @admin.display(description=_("Missing texts"))
    def missing_texts(self, obj: Initiative) -> str:
        return ", ".join(obj.missing_to_open()) or "–"

    @admin.display(description=_("Translations"))
    def translations(self, obj: Initiative) -> str:
        labels = {"missing": _("missing"), **dict(TranslationStatus.choices)}
        rows = [
            format_html(
                "<tr><th scope='row'>{}</th>{}</tr>",
                field,
                format_html_join("", "<td>{}</td>", ((labels[status],) for _code, status in row)),
            )
            for field, row in texts.statuses(obj)
        ]
        header = format_html_join("", "<th scope='col'>{}</th>", ((code,) for code in texts.languages()))
        body = format_html_join("", "{}", ((row,) for row in rows))
        return format_html("<table><thead><tr><td></td>{}</tr></thead><tbody>{}</tbody></table>", header, body)

    def save_model(self, request: HttpRequest, obj: Initiative, form: InitiativeForm, change: bool) -> None:
        # Opening a state's draft publishes its sponsors as its lead states (coalitions.publish_coalition):
        # the form's own list, saved after this, must not replace them.
        form.opens_coalition = bool(  # type: ignore[attr-defined]
            change
            and obj.status == Initiative.Status.OPEN
            and Initiative.objects.submitted_to_secretariat().filter(pk=obj.pk).exists()
        )
        publishing.save_initiative(
            initiative=obj,
            changed=form.changed_data,
            material=form.material(),
            seen_revision=form.cleaned_data.get("seen_revision"),
            by=request.user,  # type: ignore[arg-type]  # staff only reach the admin
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if getattr(form, "opens_coalition", False):
            form.cleaned_data.pop("lead_states", None)
        super().save_related(request, form, formsets, change)

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["slug", *localized_fields("title", "summary")]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Initiative]:
        in_force = Count("endorsements", filter=Q(endorsements__withdrawn_on=None), distinct=True)
        return super().get_queryset(request).annotate(endorsing_states=in_force)

    @admin.display(description=_("Endorsing states"), ordering="endorsing_states")
    def endorsing_states(self, obj: Initiative) -> int:
        return obj.endorsing_states  # type: ignore[attr-defined, no-any-return]


class RecordEndorsementForm(forms.Form):
    initiative: forms.ModelChoiceField[Initiative] = forms.ModelChoiceField(
        label=_("Initiative"), queryset=Initiative.objects.published()
    )
    member_state: forms.ModelChoiceField[MemberState] = forms.ModelChoiceField(
        label=_("State"), queryset=MemberState.objects.all()
    )
    endorsed_on = forms.DateField(label=_("Endorsed on"), widget=forms.DateInput(attrs={"type": "date"}))
    date_precision = forms.ChoiceField(label=_("Precision of the date"), choices=DatePrecision.choices)
    source_url = forms.URLField(label=_("URL of the document"), required=False, max_length=500, assume_scheme="https")
    source_note = forms.CharField(
        label=_("Document reference"),
        required=False,
        help_text=_("For example: note verbale No. 123/2024 of the Permanent Mission, 3 May 2024."),
        validators=[reject_bidi_controls],
    )
    statement = forms.CharField(
        label=_("Public statement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        validators=[reject_bidi_controls],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        list_states_by_name(self.fields["member_state"])  # type: ignore[arg-type]


class RecordWithdrawalForm(forms.Form):
    initiative: forms.ModelChoiceField[Initiative] = forms.ModelChoiceField(
        label=_("Initiative"), queryset=Initiative.objects.published()
    )
    member_state: forms.ModelChoiceField[MemberState] = forms.ModelChoiceField(
        label=_("State"), queryset=MemberState.objects.all()
    )
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Reason for the withdrawal"), max_length=2000, widget=forms.Textarea, validators=[reject_bidi_controls]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        list_states_by_name(self.fields["member_state"])  # type: ignore[arg-type]


class CorrectEndorsementForm(forms.Form):
    """A correction of a recorded endorsement's date or source; opened from its reference."""

    reference = forms.CharField(label=_("Reference of the endorsement"), max_length=14)
    endorsed_on = forms.DateField(label=_("Endorsed on"), widget=forms.DateInput(attrs={"type": "date"}))
    date_precision = forms.ChoiceField(label=_("Precision of the date"), choices=DatePrecision.choices)
    source_url = forms.URLField(label=_("URL of the document"), required=False, max_length=500, assume_scheme="https")
    source_note = forms.CharField(label=_("Document reference"), required=False, validators=[reject_bidi_controls])
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=2000,
        widget=forms.Textarea,
        validators=[reject_bidi_controls],
        help_text=_("Published on the corrections page with what changed."),
    )

    def __init__(self, data: Any = None, initial: dict[str, Any] | None = None) -> None:
        found = Endorsement.objects.filter(reference=str((initial or {}).get("reference", "")).upper()).first()
        if found is not None:  # opened from the endorsement: its values as they stand
            initial = {"reference": found.reference, **{name: getattr(found, name) for name in CORRECTABLE}}
        super().__init__(data, initial=initial)

    def clean_reference(self) -> Endorsement:
        reference = self.cleaned_data["reference"].strip().upper()
        endorsement = Endorsement.objects.filter(reference=reference).first()
        if endorsement is None:
            raise forms.ValidationError(_("No endorsement has this reference."), code="unknown")
        return endorsement


@admin.register(Endorsement)
class EndorsementAdmin(ReadOnlyHistoryAdmin):
    """The register. Rows are written only through initiatives.endorsing: never edited, never deleted."""

    list_display = ["reference", "initiative", "member_state", "endorsed_on", "channel", "withdrawn_on"]
    list_filter = ["channel", "initiative", "member_state__regional_group", "date_precision"]
    list_select_related = ["initiative", "member_state"]
    search_fields = ["reference", "member_state__code", *localized_fields("member_state__name")]
    date_hierarchy = "endorsed_on"
    actions = ["export_csv"]
    # The import page (admin_import.import_view) checks initiatives.add_endorsement itself.

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Endorsement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Endorsement | None = None) -> bool:
        return False

    def can_record(self, request: HttpRequest) -> bool:
        return request.user.has_perm("initiatives.add_endorsement")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        context = {**(extra_context or {}), "can_record": self.can_record(request)}
        response: HttpResponse = super().changelist_view(request, context)
        return response

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("record/", self.admin_site.admin_view(self.record_view), name="initiatives_endorsement_record"),
            path("withdraw/", self.admin_site.admin_view(self.withdraw_view), name="initiatives_endorsement_withdraw"),
            path("correct/", self.admin_site.admin_view(self.correct_view), name="initiatives_endorsement_correct"),
            path(
                "import/",
                self.admin_site.admin_view(lambda request: admin_import.import_view(self, request)),
                name="initiatives_endorsement_import",
            ),
        ]
        inherited: list[URLPattern] = super().get_urls()
        return own + inherited

    @admin.action(description=_("Export the selected endorsements as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Endorsement]) -> HttpResponse:
        return admin_import.export_csv(queryset.select_related("initiative", "member_state"))

    def record_view(self, request: HttpRequest) -> HttpResponse:
        """An endorsement given by note verbale or at a meeting, recorded under the online path's rules."""
        return self._record(request, RecordEndorsementForm, _("Record an endorsement"), self._record_endorsement)

    def withdraw_view(self, request: HttpRequest) -> HttpResponse:
        return self._record(request, RecordWithdrawalForm, _("Record a withdrawal"), self._record_withdrawal)

    def correct_view(self, request: HttpRequest) -> HttpResponse:
        return self._record(request, CorrectEndorsementForm, _("Correct an endorsement"), self._correct)

    def _correct(self, request: HttpRequest, data: dict[str, Any]) -> Endorsement:
        correction = correct_endorsement(
            endorsement=data.pop("reference"),
            corrected_by=request.user,  # type: ignore[arg-type]
            **data,
        )
        return correction.endorsement

    def _record_endorsement(self, request: HttpRequest, data: dict[str, Any]) -> Endorsement:
        return record_endorsement(recorded_by=request.user, **data)  # type: ignore[arg-type]

    def _record_withdrawal(self, request: HttpRequest, data: dict[str, Any]) -> Endorsement:
        return record_withdrawal(recorded_by=request.user, **data)  # type: ignore[arg-type]

    def _record(self, request: HttpRequest, form_class: type[forms.Form], title: Any, write: Any) -> HttpResponse:
        if not self.can_record(request):
            raise PermissionDenied
        form = form_class(request.POST or None, initial=request.GET.dict())
        if request.method == "POST" and form.is_valid():
            try:
                endorsement = write(request, form.cleaned_data)
            except EndorsementRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                self.message_user(
                    request,
                    _("Recorded: %(row)s (reference %(reference)s).")
                    % {"row": endorsement, "reference": endorsement.reference},
                    messages.SUCCESS,
                )
                return redirect("admin:initiatives_endorsement_changelist")
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "opts": self.model._meta}
        return TemplateResponse(request, "admin/initiatives/endorsement/record.html", context)


@admin.register(Event)
class EventAdmin(ChangesPublicPages, ReadOnlyHistoryAdmin, TabbedTranslationAdmin[Event]):
    list_display = ["date", "title", "place"]
    filter_horizontal = ["co_chairs", "initiatives"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return localized_fields("title", "place")


@admin.register(Sponsorship)
class SponsorshipAdmin(ReadOnlyHistoryAdmin):
    """Which states take part in which draft, for the secretariat to read (with each step in
    History). Written only by the states' delegates, through initiatives.coalitions."""

    list_display = ["initiative", "member_state", "role", "status", "invited_at", "decided_at"]
    list_filter = ["status", "role"]
    list_select_related = ["initiative", "member_state"]
    ordering = ["-initiative__pk", "role", "member_state__code"]
    fields = ["initiative", "member_state", "role", "status", "invited_at", "invited_by", "decided_at", "decided_by"]
    readonly_fields = fields

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["initiative__slug", "member_state__code", *localized_fields("initiative__title", "member_state__name")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Sponsorship | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Sponsorship | None = None) -> bool:
        return False


class ReadOnlyDraftRecordAdmin(ReadOnlyHistoryAdmin):
    """A draft's comments and amendments, for the secretariat to read (with each step in History).
    Written only by the states' delegates, through initiatives.coalitions."""

    list_select_related = ["initiative", "member_state"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["initiative__slug", "member_state__code", *localized_fields("initiative__title")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyDraftRecordAdmin):
    list_display = ["initiative", "member_state", "text", "language", "status", "proposed_at", "made_version"]
    list_filter = ["status", "text"]
    ordering = ["-proposed_at"]


@admin.register(DraftComment)
class DraftCommentAdmin(ReadOnlyDraftRecordAdmin):
    list_display = ["initiative", "member_state", "text_version", "created_at"]
    ordering = ["-created_at"]
