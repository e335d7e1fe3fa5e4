from modeltranslation.translator import TranslationOptions, register

from initiatives.models import Event, Initiative, ReportedFigure, Theme


@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Initiative)
class InitiativeTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body", "commitment", "launch_place")


@register(ReportedFigure)
class ReportedFigureTranslationOptions(TranslationOptions):
    fields = ("note",)


@register(Event)
class EventTranslationOptions(TranslationOptions):
    fields = ("place", "title", "description")
