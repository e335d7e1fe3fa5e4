from modeltranslation.translator import TranslationOptions, register

from members.models import MemberState


@register(MemberState)
class MemberStateTranslationOptions(TranslationOptions):
    fields = ("name",)
