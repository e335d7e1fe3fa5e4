from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from initiatives.models import Endorsement, Event, Initiative, ReportedFigure, Theme


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin[Theme]):
    list_display = ["slug", "name"]


class ReportedFigureInline(TranslationTabularInline[ReportedFigure, Initiative]):
    model = ReportedFigure
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(TranslationAdmin[Initiative]):
    list_display = ["title", "slug", "kind", "theme", "status", "launched_on", "text_version"]
    list_filter = ["status", "kind", "theme"]
    list_select_related = ["theme"]
    filter_horizontal = ["lead_states"]
    inlines = [ReportedFigureInline]


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin[Endorsement]):
    """Read-only until the secretariat's recording flow goes through initiatives.endorsing."""

    list_display = ["reference", "initiative", "member_state", "endorsed_on", "channel", "withdrawn_on"]
    list_filter = ["channel", "initiative"]
    list_select_related = ["initiative", "member_state"]
    search_fields = ["reference", "member_state__code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Endorsement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Endorsement | None = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(TranslationAdmin[Event]):
    list_display = ["date", "title", "place"]
    filter_horizontal = ["co_chairs", "initiatives"]
