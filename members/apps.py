from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and states")

    def ready(self) -> None:
        from alliance.history import keep_history
        from members.models import Accreditation, User

        keep_history(Accreditation)
        keep_history(User, excluded_fields=["password", "last_login"])
