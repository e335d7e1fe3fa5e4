"""The programme of work in the secretariat's admin: meetings with their agendas, in six languages,
each change in the audit trail (History)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from alliance.caching import ChangesPublicPages
from alliance.history import ReadOnlyHistoryAdmin
from alliance.languages import localized_fields
from initiatives.models import Initiative
from programme.models import AgendaItem, Meeting, time_zone_names


class InitiativeChoiceField(forms.ModelChoiceField[Initiative]):
    """Each initiative with its status: a draft reads to the public only as "a new initiative on" its theme."""

    def label_from_instance(self, obj: Initiative) -> str:
        return f"{obj.title_as_written(get_language())} ({obj.get_status_display()})"


class AgendaItemInline(TranslationTabularInline[AgendaItem, Meeting]):
    model = AgendaItem
    extra = 1
    fields = ["order", "title", "initiative", "outcome"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "initiative":
            return InitiativeChoiceField(
                queryset=Initiative.objects.order_by("status", "launched_on", "slug"),
                required=False,
                label=db_field.verbose_name,
                help_text=db_field.help_text,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MeetingForm(forms.ModelForm[Meeting]):
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=())
    link = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=Meeting._meta.get_field("link").help_text,
    )

    class Meta:
        model = Meeting
        fields = ["kind", "title", "place", "starts_on", "ends_on", "start_time", "end_time", "time_zone", "link"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "–"), *((name, name) for name in sorted(time_zone_names()))]
        field.help_text = Meeting._meta.get_field("time_zone").help_text


@admin.register(Meeting)
class MeetingAdmin(ChangesPublicPages, ReadOnlyHistoryAdmin, TabbedTranslationAdmin[Meeting]):
    form = MeetingForm
    inlines = [AgendaItemInline]
    list_display = ["starts_on", "title", "kind", "place", "agenda_length"]
    list_filter = ["kind"]
    date_hierarchy = "starts_on"
    ordering = ["-starts_on", "pk"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "place", "link"]}),
        (
            _("When"),
            {
                "fields": ["starts_on", "ends_on", "start_time", "end_time", "time_zone"],
                "description": _("Times are the local time at the place. Leave them empty when not yet known."),
            },
        ),
    ]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return localized_fields("title", "place")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Meeting]:
        return super().get_queryset(request).annotate(agenda_length=Count("agenda_items"))

    @admin.display(description=_("Agenda items"), ordering="agenda_length")
    def agenda_length(self, obj: Meeting) -> int:
        return obj.agenda_length  # type: ignore[attr-defined, no-any-return]


@admin.register(AgendaItem)
class AgendaItemAdmin(ChangesPublicPages, ReadOnlyHistoryAdmin, TabbedTranslationAdmin[AgendaItem]):
    """Every agenda item, to find those with an outcome or an initiative; each is written with its meeting."""

    list_display = ["meeting", "order", "subject", "outcome"]
    list_filter = ["outcome", "meeting__kind"]
    list_select_related = ["meeting", "initiative"]
    ordering = ["-meeting__starts_on", "meeting", "order"]
    fields = ["meeting", "order", "title", "initiative", "outcome"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [*localized_fields("title", "meeting__title"), *localized_fields("initiative__title")]

    @admin.display(description=_("Subject"))
    def subject(self, obj: AgendaItem) -> str:
        return obj.title or (obj.initiative.title_as_written(get_language()) if obj.initiative else "")
