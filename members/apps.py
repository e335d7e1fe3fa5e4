from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and states")

    def ready(self) -> None:
        from django.apps import apps

        from alliance.history import keep_history
        from members.models import Accreditation, User

        keep_history(Accreditation)
        keep_history(User, excluded_fields=["password", "last_login"])
        # allauth names its app "MFA", which its Arabic catalogue renders as "Ministry of Foreign
        # Affairs": the admin names it in full, in the register's own words.
        apps.get_app_config("mfa").verbose_name = _("Two-factor authentication")
