from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programme of work")

    def ready(self) -> None:
        # After modeltranslation has added the per-language columns, so the audit trail keeps them all.
        from alliance.history import keep_history
        from programme.models import AgendaItem, Meeting

        keep_history(Meeting)
        keep_history(AgendaItem)
