from __future__ import annotations

from typing import Any, ClassVar, Self

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account; the email address is the login."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email


class MemberStateQuerySet(models.QuerySet["MemberState"]):
    def un_members(self) -> Self:
        return self.filter(kind=MemberState.Kind.UN_MEMBER)

    def for_listing(self) -> Self:
        """Each state with the number of initiatives it currently endorses."""
        return self.annotate(
            endorsed_initiatives=Count(
                "endorsements__initiative",
                filter=Q(endorsements__withdrawn_on=None),
                distinct=True,
            )
        ).order_by("name")

    def endorsing(self) -> Self:
        """States with at least one endorsement in force."""
        return self.filter(endorsements__withdrawn_on=None, endorsements__isnull=False).distinct()


class MemberState(models.Model):
    """A state (or organisation such as the EU) that can endorse initiatives."""

    class Kind(models.TextChoices):
        UN_MEMBER = "un_member", _("UN member state")
        OBSERVER = "observer", _("Observer state")
        ORGANISATION = "organisation", _("Organisation")

    class RegionalGroup(models.TextChoices):
        AFRICAN = "african", _("African States")
        ASIA_PACIFIC = "asia_pacific", _("Asia-Pacific States")
        EASTERN_EUROPEAN = "eastern_european", _("Eastern European States")
        LATIN_AMERICAN_CARIBBEAN = "latin_american_caribbean", _("Latin American and Caribbean States")
        WESTERN_EUROPEAN_OTHERS = "western_european_others", _("Western European and other States")

    code = models.CharField(_("code"), max_length=3, unique=True, help_text=_("ISO 3166-1 alpha-3 code, upper case."))
    iso2 = models.CharField(_("ISO alpha-2 code"), max_length=2, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.UN_MEMBER)
    regional_group = models.CharField(_("UN regional group"), max_length=30, choices=RegionalGroup.choices, blank=True)
    un_member_since = models.DateField(_("UN member since"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)

    objects = MemberStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("member state")
        verbose_name_plural = _("member states")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{3}$"), name="state_code_upper_alpha3"),
            models.CheckConstraint(
                condition=~Q(kind="un_member") | ~Q(regional_group=""),
                name="un_member_has_regional_group",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:state", args=[self.code.lower()])
