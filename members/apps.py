from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and states")

    def ready(self) -> None:
        from django.apps import apps

        from alliance.history import keep_history
        from members.models import Accreditation, MemberState, User

        keep_history(Accreditation)
        keep_history(MemberState)
        # Who joined or left which role, and when: a change of groups is a change of the account.
        keep_history(User, excluded_fields=["password", "last_login"], m2m_fields=["groups", "user_permissions"])
        # allauth names its app "MFA", which its Arabic catalogue renders as "Ministry of Foreign
        # Affairs": the admin names it in full, in the register's own words.
        apps.get_app_config("mfa").verbose_name = _("Two-factor authentication")
        # allauth's models have no names of their own, so the admin listed them in English in every
        # language. Set on _meta only: migrations read a model's declared Meta, which stays as it is.
        for model, singular, plural in (
            (apps.get_model("mfa", "Authenticator"), _("second factor"), _("second factors")),
            (apps.get_model("usersessions", "UserSession"), _("signed-in session"), _("signed-in sessions")),
        ):
            model._meta.verbose_name, model._meta.verbose_name_plural = singular, plural
