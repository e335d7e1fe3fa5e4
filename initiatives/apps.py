from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Initiatives and endorsements")

    def ready(self) -> None:
        # After modeltranslation has added the per-language columns, so the audit trail keeps them all.
        from alliance.caching import watch
        from alliance.history import keep_history
        from initiatives.models import Endorsement, Event, Initiative, ReportedFigure, Theme
        from members.models import MemberState

        keep_history(Initiative)
        keep_history(Endorsement)
        watch(Endorsement, content=False)
        watch(Initiative, Event, Theme, ReportedFigure, MemberState, content=True)
