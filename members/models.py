from __future__ import annotations

import datetime
import os
import uuid
from functools import lru_cache
from typing import Any, ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Case, Count, F, Q, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from alliance.text import reject_bidi_controls


# Kept per process: an initiative's page links up to 305 states (its endorsers and the states not
# endorsing), and resolving each address through the URLconf was a tenth of the page's render when
# nothing of it is cached (benchmarks/render.py). The value is a short string that only the URLconf,
# fixed while the process runs, decides: nothing a write changes, nothing shared that can be altered.
@lru_cache(maxsize=2048)
def state_url(code: str, language: str | None) -> str:
    """The state's page in `language` (none: the site's default)."""
    with translation.override(language):
        return reverse("initiatives:state", args=[code.lower()])


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
        """An account made on the server (`createsuperuser`): its address counts as verified,
        so it can sign in through allauth, where verification is mandatory."""
        from allauth.account.models import EmailAddress

        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        user = self._create_user(email, password, **extra_fields)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        return user


class User(AbstractUser):
    """A person with an account; the email address is the login."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=7,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the person last signed in with; emails reach them in it."),
    )

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required`."""

    user: User


class MemberStateQuerySet(models.QuerySet["MemberState"]):
    def un_members(self) -> Self:
        return self.filter(kind=MemberState.Kind.UN_MEMBER)

    def for_listing(self, on: datetime.date | None = None) -> Self:
        """Each state with the number of initiatives it endorses today, or at the end of day `on`."""
        from initiatives.models import in_force_q

        return self.annotate(
            endorsed_initiatives=Count(
                "endorsements__initiative", filter=in_force_q("endorsements__", on), distinct=True
            )
        ).order_by("name")


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
    name = models.CharField(_("name"), max_length=200, validators=[reject_bidi_controls])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.UN_MEMBER)
    regional_group = models.CharField(_("UN regional group"), max_length=30, choices=RegionalGroup.choices, blank=True)
    un_member_since = models.DateField(_("UN member since"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True, validators=[reject_bidi_controls])
    other_names = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_(
            "Other names that lists use for the state (“United Kingdom”, “Russia”); imports find the state by them."
        ),
        validators=[reject_bidi_controls],
    )

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
        return state_url(self.code, get_language())

    @property
    def is_un_member(self) -> bool:
        return self.kind == self.Kind.UN_MEMBER

    def names_to_search(self) -> list[str]:
        """What a reader may search the state by: its name in each language, its other names, its codes."""
        names = [getattr(self, build_localized_fieldname("name", code)) or "" for code, _name in settings.LANGUAGES]
        return [*names, *self.other_names, self.code, self.iso2]


class PrivateStorage(FileSystemStorage):
    """Evidence files live outside every public directory and have no URL."""

    @property
    def base_location(self) -> str:
        # Read when used, not at import, so the setting can change (tests, deployments).
        return str(settings.PRIVATE_STORAGE_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Evidence files have no URL; the secretariat opens them through a view.")


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


EVIDENCE_EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def evidence_path(accreditation: Accreditation, filename: str) -> str:
    """A random name: the uploader's file name (which may say anything) is never kept."""
    extension = EVIDENCE_EXTENSIONS.get(accreditation.evidence_type, "")
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class AccreditationQuerySet(models.QuerySet["Accreditation"]):
    def active(self, on: datetime.date | None = None) -> Self:
        """Approved and not expired on the given day (today by default), and held by someone who
        may act for a state: never a member of staff, whatever they held before joining.

        A delegate's every request reads it as SQL (`members.accreditation._read_active`): a change
        here is made there too, and its test compares the two."""
        on = on or timezone.localdate()
        return self.filter(status=Accreditation.Status.APPROVED, valid_until__gte=on, user__is_staff=False)

    def current(self) -> Self:
        """Pending or approved: what a user holds (at most one of each; a pending one beside an
        approved one is its renewal)."""
        return self.filter(status__in=[Accreditation.Status.PENDING, Accreditation.Status.APPROVED])

    def pending(self) -> Self:
        return self.filter(status=Accreditation.Status.PENDING)

    def expired(self, on: datetime.date | None = None) -> Self:
        """Approved, but ended before the given day: these read "Expired" (`Accreditation.display_status`)."""
        return self.filter(status=Accreditation.Status.APPROVED, valid_until__lt=on or timezone.localdate())

    def expiring(self, within: datetime.timedelta, on: datetime.date | None = None) -> Self:
        """Approved, not expired, and ending within `within` of the given day."""
        on = on or timezone.localdate()
        return self.filter(status=Accreditation.Status.APPROVED, valid_until__gte=on, valid_until__lte=on + within)

    def held_by(self, user: User) -> Self:
        """The user's accreditations, the one they hold first (approved, even if expired), then
        the latest."""
        held_first = Case(When(status=Accreditation.Status.APPROVED, then=0), default=1)
        return self.filter(user=user).select_related("member_state").order_by(held_first, "-requested_at")

    def due_reminder(self, *, days: int, on: datetime.date | None = None) -> Self:
        """Accreditations whose reminder `days` before the end is due on the given day: active,
        ending within `days` but not yet within the next, shorter reminder's reach, approved with
        at least `days` left (a delegate approved closer to the end gets only the reminders still
        ahead), not reminded yet, and with no renewal pending (the delegate has already asked)."""
        on = on or timezone.localdate()
        shorter = [other for other in Accreditation.REMINDER_DAYS if other < days]
        rows = self.active(on).filter(
            valid_until__lte=on + datetime.timedelta(days=days),
            **{Accreditation.reminder_field(days): None},
        )
        if shorter:
            rows = rows.filter(valid_until__gt=on + datetime.timedelta(days=max(shorter)))
        approved_in_time = Q(decided_at__date__lte=F("valid_until") - datetime.timedelta(days=days))
        return rows.filter(approved_in_time | Q(decided_at=None)).exclude(renewals__status=Accreditation.Status.PENDING)


class Accreditation(models.Model):
    """A user's mandate, granted by the secretariat, to act for one state."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        REVOKED = "revoked", _("Revoked")
        RENEWED = "renewed", _("Renewed")

    # The delegate may ask for a renewal from this long before the end (and at any time after it).
    RENEWAL_WINDOW = datetime.timedelta(days=60)
    # "Expiring" in the admin's filter and on the secretariat's dashboard.
    EXPIRING_WITHIN = datetime.timedelta(days=30)
    # The delegate is reminded this many days before the end (the periodic job `remind_of_expiry`).
    REMINDER_DAYS = (30, 7)

    user = models.ForeignKey(User, models.PROTECT, related_name="accreditations", verbose_name=_("user"))
    member_state = models.ForeignKey(
        MemberState, models.PROTECT, related_name="accreditations", verbose_name=_("state")
    )
    position = models.CharField(_("position"), max_length=200, validators=[reject_bidi_controls])
    evidence = models.FileField(
        _("evidence"),
        storage=private_storage,
        upload_to=evidence_path,
        help_text=_("Note verbale or full powers: a PDF, PNG or JPEG file of at most 5 MB."),
    )
    evidence_type = models.CharField(_("evidence type"), max_length=50)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True, validators=[reject_bidi_controls])
    renews = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews"),
        help_text=_("The accreditation this request asks to renew."),
    )
    reminded_30_at = models.DateTimeField(_("reminded 30 days before the end at"), null=True, blank=True)
    reminded_7_at = models.DateTimeField(_("reminded 7 days before the end at"), null=True, blank=True)
    language = models.CharField(
        _("language of the request"),
        max_length=7,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The applicant is told of each decision in this language."),
    )

    objects = AccreditationQuerySet.as_manager()

    class Meta:
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        ordering = ["-requested_at"]
        constraints = [
            # A pending renewal may stand beside the approved accreditation it renews; approving it
            # marks that one renewed, so a user never holds two approved accreditations.
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="one_pending_accreditation_per_user"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="approved"), name="one_approved_accreditation_per_user"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(valid_until__isnull=False),
                name="approved_accreditation_has_end_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.member_state} ({self.display_status})"

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status == self.Status.APPROVED and self.valid_until is not None and self.valid_until >= on

    def is_expired(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status == self.Status.APPROVED and self.valid_until is not None and self.valid_until < on

    @property
    def display_status(self) -> str:
        """The status as people read it: an approved accreditation past its end is "Expired"."""
        return str(_("Expired")) if self.is_expired() else self.get_status_display()

    def may_be_renewed(self, on: datetime.date | None = None) -> bool:
        """Approved, and within `RENEWAL_WINDOW` of its end or past it."""
        on = on or timezone.localdate()
        return (
            self.status == self.Status.APPROVED
            and self.valid_until is not None
            and self.valid_until - on <= self.RENEWAL_WINDOW
        )

    @staticmethod
    def reminder_field(days: int) -> str:
        """The field that records when the reminder `days` before the end was sent."""
        return f"reminded_{days}_at"
