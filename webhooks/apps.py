from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from alliance.history import keep_history
        from webhooks import checks  # noqa: F401  (registers the deploy check)
        from webhooks.models import Endpoint

        # Who registered or changed which address, and when; the secrets stay out of the history.
        keep_history(Endpoint, excluded_fields=["secret", "previous_secret"])
