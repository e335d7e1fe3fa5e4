from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programme of work")

    def ready(self) -> None:
        # After modeltranslation has added the per-language columns, so the audit trail keeps them all.
        from alliance.caching import watch
        from alliance.history import keep_history
        from programme.models import AgendaItem, Meeting

        keep_history(Meeting)
        keep_history(AgendaItem)
        # The programme page and its calendar are public pages: a change in the admin makes them
        # stale like any change to the content (initiatives' own changes already do).
        watch(Meeting, AgendaItem, content=True)
