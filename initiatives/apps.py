from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = _("Initiatives and endorsements")

    def ready(self) -> None:
        # After modeltranslation has added the per-language columns, so the audit trail keeps them all.
        from alliance.history import keep_history
        from initiatives.models import (
            Amendment,
            DraftComment,
            Endorsement,
            Event,
            Initiative,
            ReportedFigure,
            Sponsorship,
            Theme,
        )

        keep_history(Initiative, m2m_fields=["lead_states"])
        keep_history(Endorsement)
        keep_history(Theme)
        keep_history(ReportedFigure)
        keep_history(Event, m2m_fields=["co_chairs", "initiatives"])
        keep_history(Sponsorship)  # each invitation, answer, departure, change of lead and confirmation
        keep_history(DraftComment)
        keep_history(Amendment)  # each proposal and decision
