from __future__ import annotations

import datetime
import secrets
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Length, Trim
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from alliance.text import reject_bidi_controls
from members.models import MemberState

# The texts an initiative needs in every site language before it may open for endorsement.
REQUIRED_TO_OPEN = ("title", "summary", "commitment")


def in_force_q(prefix: str = "", on: datetime.date | None = None) -> Q:
    """Endorsements in force today, or at the end of the day `on` ("status as at").

    `prefix` reaches the endorsement through a relation, e.g. "endorsements__".
    """
    if on is None:
        return Q(**{f"{prefix}withdrawn_on": None}, **{f"{prefix}isnull": False} if prefix else {})
    return Q(**{f"{prefix}endorsed_on__lte": on}) & (
        Q(**{f"{prefix}withdrawn_on": None}) | Q(**{f"{prefix}withdrawn_on__gt": on})
    )


class DatePrecision(models.TextChoices):
    """How much of a recorded date the source supports."""

    DAY = "day", _("Exact day")
    MONTH = "month", _("Month only (last day of the month stored)")
    NO_LATER_THAN = "by", _("No later than (first listed on this date)")


class TranslationStatus(models.TextChoices):
    REVIEWED = "reviewed", _("Reviewed")
    MACHINE_ASSISTED = "machine_assisted", _("Machine-assisted")


class Theme(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[reject_bidi_controls])

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


def _open_q(on: datetime.date) -> Q:
    # Initiative.is_open_for_endorsement reads the same rule from a row; a test holds the two together.
    return Q(status=Initiative.Status.OPEN, signing_opens_on__lte=on) & (
        Q(signing_closes_on=None) | Q(signing_closes_on__gte=on)
    )


def _has_texts_to_open() -> Q:
    """The database's side of the opening rule: each required text has more than spaces in every language."""
    present = Q()
    for field in REQUIRED_TO_OPEN:
        for code, _name in settings.LANGUAGES:
            column = build_localized_fieldname(field, code)
            present &= Q(**{f"{column}__isnull": False}) & Q(GreaterThan(Length(Trim(column)), 0))
    return present


def _unreviewed_q(language: str) -> Q:
    """Any translated text of the initiative is machine-assisted in `language`."""
    unreviewed = Q()
    for field in translator.get_options_for_model(Initiative).get_field_names():
        unreviewed |= Q(**{f"translation_status__{field}__{language}": TranslationStatus.MACHINE_ASSISTED})
    return unreviewed


class InitiativeQuerySet(models.QuerySet["Initiative"]):
    def published(self) -> Self:
        """Every initiative but drafts. The signing request reads it as SQL
        (`initiatives.endorsing.published_for_signing`), which its test compares with this."""
        return self.exclude(status=Initiative.Status.DRAFT)

    def drafts_visible_to(self, state: MemberState) -> Self:
        """The drafts the state takes part in (it leads them, or is invited or has accepted), each
        with the state's own `own_role` and `own_status`: the one rule of which state's delegates
        read which draft. A state that declined or left reads it no more."""
        return (
            self.annotate(own=FilteredRelation("sponsorships", condition=Q(sponsorships__member_state=state)))
            .filter(status=Initiative.Status.DRAFT, own__status__in=Sponsorship.TAKING_PART)
            .annotate(own_role=F("own__role"), own_status=F("own__status"), own_confirmed=F("own__confirmed_version"))
        )

    def awaiting_secretariat(self) -> Self:
        """Drafts a state proposed (they have a lead state), which the secretariat reviews before they open."""
        return self.filter(status=Initiative.Status.DRAFT, sponsorships__role=Sponsorship.Role.LEAD)

    def submitted_to_secretariat(self) -> Self:
        """Drafts whose lead state submitted the agreed text: the secretariat completes their
        languages, sets their signing window and opens them."""
        return self.filter(status=Initiative.Status.DRAFT, submitted_at__isnull=False)

    def unreviewed_in(self, language: str) -> Self:
        """Initiatives with a machine-assisted text in `language` that no one has reviewed yet."""
        return self.filter(_unreviewed_q(language))

    def unreviewed_counts(self) -> dict[str, int]:
        """Per language of the site, how many initiatives have an unreviewed text in it (one query)."""
        codes = [code for code, _name in settings.LANGUAGES]
        counts = self.aggregate(
            **{f"in_{index}": Count("pk", filter=_unreviewed_q(code)) for index, code in enumerate(codes)}
        )
        return {code: counts[f"in_{index}"] for index, code in enumerate(codes)}

    def open_for_endorsement(self, on: datetime.date | None = None) -> Self:
        """Open initiatives whose signing window contains the given day (today by default): the
        one rule of who may endorse now, which every page offering the button follows."""
        return self.filter(_open_q(on or timezone.localdate()))

    def with_phase(self, on: datetime.date | None = None) -> Self:
        """With `phase` (an Initiative.Phase) as the initiative reads on that day (today by default):
        past its signing window, an open initiative reads as closed everywhere."""
        on = on or timezone.localdate()
        return self.annotate(
            phase=Case(
                When(status=Initiative.Status.DRAFT, then=Value(Initiative.Phase.DRAFT)),
                When(_open_q(on), then=Value(Initiative.Phase.OPEN)),
                When(status=Initiative.Status.OPEN, signing_opens_on__gt=on, then=Value(Initiative.Phase.UPCOMING)),
                default=Value(Initiative.Phase.CLOSED),
                output_field=models.CharField(),
            )
        )

    def search(self, text: str) -> Self:
        """Titles containing the text in any of the site's languages."""
        if not text:
            return self
        query = Q()
        for code, _name in settings.LANGUAGES:
            query |= Q(**{f"title_{code.replace('-', '_')}__icontains": text})
        return self.filter(query)

    def for_listing(self, on: datetime.date | None = None) -> Self:
        """With `endorsing_states`: how many states endorse it today, or at the end of day `on`."""
        # Counted in a subquery: a join and GROUP BY would group by every column of the initiative,
        # its long texts in six languages included.
        endorsing = (
            Endorsement.objects.in_force_on(on)
            .filter(initiative=OuterRef("pk"))
            .order_by()
            .values("initiative")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            self.select_related("theme")
            .with_phase(on)
            .annotate(endorsing_states=Coalesce(Subquery(endorsing), 0))
            .order_by("launched_on", "slug")
        )

    def for_page(self) -> Self:
        """With the theme, the lead states and the reported figures; the page counts its endorsers itself."""
        return (
            self.select_related("theme")
            .with_phase()
            .prefetch_related(
                Prefetch("lead_states", queryset=MemberState.objects.order_by("name")),
                Prefetch("reported_figures", queryset=ReportedFigure.objects.order_by("as_of")),
            )
        )

    def for_detail(self, on: datetime.date | None = None) -> Self:
        """for_page(), and for_listing()'s count of endorsing states."""
        return self.for_listing(on).for_page()


class Initiative(models.Model):
    """A text (call, declaration, partnership) that states endorse."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        DECLARATION = "declaration", _("Declaration")
        PARTNERSHIP = "partnership", _("Partnership")
        INITIATIVE = "initiative", _("Initiative")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for endorsement")
        CLOSED = "closed", _("Closed")

    class Phase(models.TextChoices):
        """How a published initiative reads on a day: its status and its signing window together."""

        DRAFT = "draft", _("Draft")
        UPCOMING = "upcoming", _("Not yet open for endorsement")
        OPEN = "open", _("Open for endorsement")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=300, validators=[reject_bidi_controls])
    summary = models.TextField(_("summary"), validators=[reject_bidi_controls])
    body = models.TextField(_("text"), blank=True, validators=[reject_bidi_controls])
    commitment = models.TextField(
        _("commitment"), help_text=_("The text that states endorse."), validators=[reject_bidi_controls]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    theme = models.ForeignKey(Theme, models.PROTECT, related_name="initiatives", verbose_name=_("theme"))
    lead_states = models.ManyToManyField(
        MemberState, related_name="led_initiatives", blank=True, verbose_name=_("lead states")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    signing_opens_on = models.DateField(_("signing opens on"), null=True, blank=True)
    signing_closes_on = models.DateField(_("signing closes on"), null=True, blank=True)
    text_version = models.PositiveIntegerField(_("text version"), default=1)
    revision = models.PositiveIntegerField(
        _("revision"),
        default=1,
        help_text=_("Raised by every save in the admin, so two editors cannot overwrite each other."),
    )
    launched_on = models.DateField(_("launched on"))
    launch_place = models.CharField(_("launch place"), max_length=200, blank=True, validators=[reject_bidi_controls])
    sources = models.JSONField(_("sources"), default=list, blank=True)
    submitted_at = models.DateTimeField(
        _("submitted at"),
        null=True,
        blank=True,
        help_text=_("When the lead state submitted the agreed text of its draft to the secretariat."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_version = models.PositiveIntegerField(_("submitted text version"), null=True, blank=True)
    submitted_in = models.JSONField(
        _("languages submitted"),
        default=list,
        blank=True,
        help_text=_("The languages the states wrote the submitted text in; the secretariat adds the others."),
    )
    translation_status = models.JSONField(
        _("translation status"),
        default=dict,
        blank=True,
        help_text=_('Per text and language: "reviewed" or "machine_assisted"; a missing text has no status.'),
    )

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["launched_on", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signing_closes_on=None)
                | Q(signing_opens_on=None)
                | Q(signing_closes_on__gte=F("signing_opens_on")),
                name="signing_window_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(status="open") | Q(signing_opens_on__isnull=False),
                name="open_initiative_has_signing_window",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | _has_texts_to_open(),
                name="published_initiative_has_every_text",
                violation_error_message=_(
                    "An initiative is published only once its title, summary and commitment exist in all six languages."
                ),
            ),
            models.CheckConstraint(condition=Q(text_version__gte=1), name="text_version_positive"),
            models.CheckConstraint(
                condition=Q(submitted_at=None, submitted_by=None, submitted_version=None)
                | Q(submitted_at__isnull=False, submitted_by__isnull=False, submitted_version__isnull=False),
                name="submission_has_its_author_and_version",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.title_as_written()

    def get_absolute_url(self) -> str:
        return reverse("initiatives:detail", args=[self.slug])

    def written_in(self) -> list[str]:
        """The languages its title is written in, in the site's order (a draft's may be only one)."""
        return [code for code, _name in settings.LANGUAGES if self.has_text("title", code)]

    def title_as_written(self, language: str | None = None) -> str:
        """The title in `language` if it is written in it, else in the first language it is written in.

        A draft proposed by a state is written in one language: outside it, modeltranslation's
        fallbacks (English, French) would find no title at all."""
        written = self.written_in()
        if language in written:
            return str(getattr(self, build_localized_fieldname("title", language)))
        return str(getattr(self, build_localized_fieldname("title", written[0]))) if written else ""

    def window_contains(self, day: datetime.date) -> bool:
        """Whether the signing window (from its opening to its closing day) contains the day."""
        opens, closes = self.signing_opens_on, self.signing_closes_on
        return opens is not None and opens <= day and (closes is None or day <= closes)

    def is_open_for_endorsement(self, day: datetime.date) -> bool:
        """The rule of `InitiativeQuerySet.open_for_endorsement(day)`, read from this row without a
        query (the signing request has the row already): open, and the day inside its window."""
        return self.status == Initiative.Status.OPEN and self.window_contains(day)

    def get_phase_display(self) -> str:
        """The `phase` of InitiativeQuerySet.with_phase(), in the reader's language."""
        return str(self.Phase(self.phase).label)  # type: ignore[attr-defined]

    def missing_to_open(self) -> list[str]:
        """The texts this initiative lacks before it may open for endorsement ("title [ar]", …), named
        in the reader's language."""
        return [
            f"{self.text_label(field)} [{code}]"
            for field in REQUIRED_TO_OPEN
            for code, _name in settings.LANGUAGES
            if not self.has_text(field, code)
        ]

    @classmethod
    def text_label(cls, field: str) -> str:
        """A translated text's name in the reader's language ("commitment", "engagement", …)."""
        return str(cls._meta.get_field(field).verbose_name)  # type: ignore[union-attr]

    def has_text(self, field: str, language: str) -> bool:
        """Whether the translated text `field` exists in `language` (more than blanks)."""
        return bool(str(getattr(self, build_localized_fieldname(field, language), None) or "").strip())

    def is_machine_assisted(self, language: str) -> bool:
        """Whether any of the texts a reader sees in this language is an unreviewed machine-assisted one."""
        return any(
            statuses.get(language) == TranslationStatus.MACHINE_ASSISTED
            for statuses in self.translation_status.values()
        )


class SponsorshipQuerySet(models.QuerySet["Sponsorship"]):
    def taking_part(self) -> Self:
        """The states that read the draft: its lead, the invited and the accepted co-sponsors."""
        return self.filter(status__in=Sponsorship.TAKING_PART)

    def sponsors_of_text(self) -> Self:
        """The states listed as sponsors of the text the lead submitted: its lead and the accepted
        co-sponsors that confirmed that very version (one that did not is not listed), the lead
        first, then in the order they joined."""
        return (
            self.filter(status=Sponsorship.Status.ACCEPTED, confirmed_version=F("initiative__submitted_version"))
            .select_related("member_state")
            .order_by(Case(When(role=Sponsorship.Role.LEAD, then=Value(0)), default=Value(1)), "decided_at")
        )

    def for_draft_page(self) -> Self:
        """Every state ever asked, with the state; the lead first, then by the state's name."""
        return self.select_related("member_state").order_by(
            Case(When(role=Sponsorship.Role.LEAD, then=Value(0)), default=Value(1)), "member_state__name"
        )


class Sponsorship(models.Model):
    """A state's part in a draft initiative: its lead, or a co-sponsor invited by the lead.

    Private to the states taking part and the secretariat until the initiative opens. One row per
    (initiative, state): an answer, leaving, or a new invitation changes the row, and the audit
    trail keeps each step. Written only by `initiatives.coalitions`."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        CO_SPONSOR = "co_sponsor", _("Co-sponsor")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        LEFT = "left", _("Left")

    TAKING_PART = (Status.INVITED, Status.ACCEPTED)

    initiative = models.ForeignKey(
        Initiative, models.PROTECT, related_name="sponsorships", verbose_name=_("initiative")
    )
    member_state = models.ForeignKey(MemberState, models.PROTECT, related_name="sponsorships", verbose_name=_("state"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CO_SPONSOR)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
        help_text=_("The lead state's delegate who sent the invitation (none for the proposing state)."),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
        help_text=_("The state's delegate who proposed, accepted, declined or left, most recently."),
    )
    confirmed_version = models.PositiveIntegerField(
        _("confirmed text version"),
        null=True,
        blank=True,
        help_text=_("The version of the submitted text the state confirmed; it becomes its endorsement on opening."),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
        help_text=_("The state's delegate who confirmed the text (kept private, as a signer is)."),
    )

    objects = SponsorshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["initiative", "member_state"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "member_state"], name="one_sponsorship_per_state"),
            models.UniqueConstraint(fields=["initiative"], condition=Q(role="lead"), name="one_lead_per_initiative"),
            models.CheckConstraint(condition=Q(role__in=["lead", "co_sponsor"]), name="sponsorship_role_known"),
            models.CheckConstraint(
                condition=Q(status__in=["invited", "accepted", "declined", "left"]), name="sponsorship_status_known"
            ),
            # The lead takes part for as long as it leads: it hands the lead over before it may leave.
            models.CheckConstraint(condition=~Q(role="lead") | Q(status="accepted"), name="lead_has_accepted"),
            # An invitation waits for an answer; every answer says who gave it, and when.
            models.CheckConstraint(
                condition=Q(status="invited", decided_at=None, decided_by=None, invited_at__isnull=False)
                | (~Q(status="invited") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="sponsorship_answer_has_its_author",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_version=None, confirmed_at=None, confirmed_by=None)
                | Q(confirmed_version__isnull=False, confirmed_at__isnull=False, confirmed_by__isnull=False),
                name="confirmation_has_its_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_state} – {self.initiative} ({self.get_role_display()}, {self.get_status_display()})"


class DraftCommentQuerySet(models.QuerySet["DraftComment"]):
    def for_draft_page(self) -> Self:
        return self.select_related("member_state").order_by("created_at", "pk")


class DraftComment(models.Model):
    """A delegate's comment on a draft, on behalf of their state: read by the states taking part
    and the secretariat only, never published. Written only by `initiatives.coalitions`."""

    initiative = models.ForeignKey(
        Initiative, models.PROTECT, related_name="draft_comments", verbose_name=_("initiative")
    )
    member_state = models.ForeignKey(MemberState, models.PROTECT, related_name="+", verbose_name=_("state"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"))
    text = models.TextField(_("comment"), max_length=4000, validators=[reject_bidi_controls])
    text_version = models.PositiveIntegerField(_("text version"), help_text=_("The draft version commented on."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DraftCommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment on a draft")
        verbose_name_plural = _("comments on drafts")
        ordering = ["initiative", "created_at"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="draft_comment_not_empty")]

    def __str__(self) -> str:
        return f"{self.member_state} – {self.initiative} ({self.created_at:%Y-%m-%d})"


class AmendmentQuerySet(models.QuerySet["Amendment"]):
    def for_draft_page(self) -> Self:
        """Newest first, with the proposing state."""
        return self.select_related("member_state").order_by("-proposed_at", "-pk")

    def pending(self) -> Self:
        return self.filter(status=Amendment.Status.PROPOSED)


class Amendment(models.Model):
    """A proposal to replace a precise passage of a draft's text in one language, by a state taking
    part; the lead state accepts it (a new draft version) or rejects it, with a reason. Read by the
    states taking part and the secretariat only. Written only by `initiatives.coalitions`."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("amendment", "Proposed")
        ACCEPTED = "accepted", pgettext_lazy("amendment", "Accepted")
        REJECTED = "rejected", pgettext_lazy("amendment", "Rejected")

    class Text(models.TextChoices):
        TITLE = "title", _("Title")
        SUMMARY = "summary", _("Summary")
        COMMITMENT = "commitment", _("Commitment")

    initiative = models.ForeignKey(Initiative, models.PROTECT, related_name="amendments", verbose_name=_("initiative"))
    member_state = models.ForeignKey(MemberState, models.PROTECT, related_name="+", verbose_name=_("proposed by state"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    text = models.CharField(_("text amended"), max_length=12, choices=Text.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    passage = models.TextField(
        _("passage"), max_length=4000, validators=[reject_bidi_controls], help_text=_("The exact words to replace.")
    )
    replacement = models.TextField(_("replacement"), max_length=4000, blank=True, validators=[reject_bidi_controls])
    explanation = models.TextField(_("explanation"), max_length=4000, blank=True, validators=[reject_bidi_controls])
    based_on_version = models.PositiveIntegerField(_("draft version amended"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decision_reason = models.TextField(
        _("reason for the decision"), max_length=4000, blank=True, validators=[reject_bidi_controls]
    )
    made_version = models.PositiveIntegerField(
        _("draft version made"), null=True, blank=True, help_text=_("The draft version its acceptance made.")
    )

    objects = AmendmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["initiative", "-proposed_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(passage=""), name="amendment_names_a_passage"),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "accepted", "rejected"]), name="amendment_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_at=None, decided_by=None, decision_reason="")
                | (
                    ~Q(status="proposed")
                    & Q(decided_at__isnull=False, decided_by__isnull=False)
                    & ~Q(decision_reason="")
                ),
                name="amendment_decision_has_its_author_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", made_version__isnull=False)
                | (~Q(status="accepted") & Q(made_version=None)),
                name="accepted_amendment_makes_a_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_state} – {self.initiative} ({self.get_text_display()} [{self.language}])"


class ReportedFigure(models.Model):
    """A count of endorsements published by an official source, for lists not held in full."""

    initiative = models.ForeignKey(
        Initiative, models.CASCADE, related_name="reported_figures", verbose_name=_("initiative")
    )
    count = models.PositiveIntegerField(_("count"))
    as_of = models.DateField(_("as of"))
    as_of_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    note = models.TextField(_("what was counted, and by whom"), validators=[reject_bidi_controls])
    source_url = models.URLField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        ordering = ["initiative", "as_of"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "as_of", "count"], name="one_figure_per_date_and_count")
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.count} ({self.as_of})"


def new_reference() -> str:
    """A public, unguessable endorsement reference such as 7K3M-Q9XD-2PRT."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


class EndorsementQuerySet(models.QuerySet["Endorsement"]):
    def in_force(self) -> Self:
        return self.filter(withdrawn_on=None)

    def in_force_on(self, day: datetime.date | None) -> Self:
        """The register as it stood at the end of that day (today's when None)."""
        return self.filter(in_force_q(on=day)) if day else self.in_force()

    def withdrawn(self) -> Self:
        return self.exclude(withdrawn_on=None)

    def as_at(self, day: datetime.date | None = None) -> Self:
        """The periods as the register stood at the end of `day` (today's register when None): the
        one read of "status as at" that pages, API, CSV files and coverage share.

        Only periods begun by then; each annotated `is_in_force` and `is_withdrawn`, and with
        `withdrawn_as_at` and `withdrawal_reason_as_at`, empty when the withdrawal came later.
        """
        rows = self.filter(endorsed_on__lte=day) if day else self
        withdrawn = Q(withdrawn_on__isnull=False) & (Q(withdrawn_on__lte=day) if day else Q())
        return rows.annotate(
            is_in_force=ExpressionWrapper(in_force_q(on=day) if day else Q(withdrawn_on=None), BooleanField()),
            is_withdrawn=ExpressionWrapper(withdrawn, BooleanField()),
            withdrawn_as_at=Case(When(withdrawn, then=F("withdrawn_on")), default=None, output_field=DateField()),
            withdrawal_reason_as_at=Case(
                When(withdrawn, then=F("withdrawal_reason")), default=Value(""), output_field=TextField()
            ),
        )

    def for_initiative_page(self) -> Self:
        """With each row's state, unordered: the page groups and sorts the rows by state name itself."""
        return self.select_related("member_state").order_by()

    def for_state_page(self) -> Self:
        return self.select_related("initiative").order_by("-endorsed_on", "initiative__slug")


class Endorsement(models.Model):
    """One period during which a state endorsed an initiative. Rows are never deleted."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online, by an accredited delegate")
        RECORDED = "recorded", _("Recorded by the secretariat from a document")
        CO_SPONSOR = "co_sponsor", _("As a co-sponsor, by an accredited delegate confirming the text before it opened")

    initiative = models.ForeignKey(
        Initiative, models.PROTECT, related_name="endorsements", verbose_name=_("initiative")
    )
    member_state = models.ForeignKey(MemberState, models.PROTECT, related_name="endorsements", verbose_name=_("state"))
    endorsed_on = models.DateField(_("endorsed on"))
    date_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    source_note = models.TextField(_("about the source"), blank=True, validators=[reject_bidi_controls])
    statement = models.TextField(_("public statement"), max_length=2000, blank=True, validators=[reject_bidi_controls])
    text_version = models.PositiveIntegerField(_("text version"), default=1)
    reference = models.CharField(_("reference"), max_length=14, unique=True, default=new_reference)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True, validators=[reject_bidi_controls])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawal recorded at"), null=True, blank=True)

    objects = EndorsementQuerySet.as_manager()

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["initiative", "member_state", "endorsed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "member_state"],
                condition=Q(withdrawn_on=None),
                name="one_open_endorsement_per_state",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on=None) | Q(withdrawn_on__gte=F("endorsed_on")),
                name="withdrawal_not_before_endorsement",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on=None, withdrawn_at=None)
                | Q(withdrawn_on__isnull=False, withdrawn_at__isnull=False),
                name="withdrawal_has_its_recording_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_state} – {self.initiative} ({self.endorsed_on})"

    def get_absolute_url(self) -> str:
        return receipt_url(self.reference)

    @property
    def translated_source_note(self) -> str:
        """The note in the active language when the catalogues hold it (the reference notes), else as written."""
        return pgettext("source note", self.source_note) if self.source_note else ""


class EventQuerySet(models.QuerySet["Event"]):
    def for_listing(self) -> Self:
        return self.prefetch_related(
            Prefetch("co_chairs", queryset=MemberState.objects.order_by("name")),
            Prefetch("initiatives", queryset=Initiative.objects.published().order_by("launched_on")),
        ).order_by("-date")


class Event(models.Model):
    """An Alliance meeting."""

    slug = models.SlugField(_("slug"), unique=True)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, validators=[reject_bidi_controls])
    title = models.CharField(_("title"), max_length=300, validators=[reject_bidi_controls])
    description = models.TextField(_("description"), blank=True, validators=[reject_bidi_controls])
    co_chairs = models.ManyToManyField(
        MemberState, related_name="co_chaired_events", blank=True, verbose_name=_("co-chairs")
    )
    initiatives: models.ManyToManyField[Initiative, Any] = models.ManyToManyField(
        Initiative, related_name="events", blank=True, verbose_name=_("initiatives presented")
    )
    sources = models.JSONField(_("sources"), default=list, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.title


class CorrectionQuerySet(models.QuerySet["Correction"]):
    def for_listing(self) -> Self:
        """Newest first, with the endorsement, its initiative and its state."""
        return self.select_related("endorsement__initiative", "endorsement__member_state").order_by(
            "-corrected_at", "-pk"
        )


class Correction(models.Model):
    """A change the secretariat made to a recorded endorsement's date or source, with its reason.

    Public (the corrections page and the API), so a reader sees what changed in the record and
    why; written only by `initiatives.endorsing.correct_endorsement`, never edited or deleted."""

    endorsement = models.ForeignKey(
        Endorsement, models.PROTECT, related_name="corrections", verbose_name=_("endorsement")
    )
    changes = models.JSONField(
        _("changes"), help_text=_("Each corrected field with its value before and after: {field: [before, after]}.")
    )
    reason = models.TextField(_("reason for the correction"), validators=[reject_bidi_controls])
    corrected_at = models.DateTimeField(_("corrected at"), auto_now_add=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("corrected by")
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-corrected_at"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="correction_has_a_reason")]

    def __str__(self) -> str:
        return f"{self.endorsement.reference} ({self.corrected_at:%Y-%m-%d})"

    def changed_fields(self) -> list[tuple[str, str, str]]:
        """(label in the reader's language, before, after) for each corrected field."""
        return [
            (str(Endorsement._meta.get_field(name).verbose_name), before or "–", after or "–")  # type: ignore[union-attr]
            for name, (before, after) in self.changes.items()
        ]


def receipt_url(reference: str) -> str:
    return reverse("initiatives:receipt", args=[reference])


class LogEntry(models.Model):
    """One entry of the transparency log: a public change to the record, as canonical JSON.

    Append-only in the database itself (a trigger refuses UPDATE and DELETE); written only by
    `initiatives.transparency.append`, in the transaction of the change it records."""

    index = models.PositiveBigIntegerField(_("index"), unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    entry = models.TextField(_("entry"), help_text=_("The canonical JSON text that the leaf hash covers."))
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    logged_at = models.DateTimeField(_("logged at"))
    endorsement = models.ForeignKey(
        Endorsement, models.PROTECT, null=True, blank=True, related_name="log_entries", verbose_name=_("endorsement")
    )
    initiative = models.ForeignKey(
        Initiative, models.PROTECT, null=True, blank=True, related_name="log_entries", verbose_name=_("initiative")
    )

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["index"]

    def __str__(self) -> str:
        return f"{self.index}: {self.kind}"


class Checkpoint(models.Model):
    """The log's signed size and root hash at one moment (a C2SP checkpoint): each one is kept, so
    anyone can ask for the checkpoint of any size they saw and prove the log only grew since."""

    size = models.PositiveBigIntegerField(_("tree size"))
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    key_id = models.CharField(
        _("key"), max_length=16, help_text=_("The signing key's id, as /api/v1/receipts/keys lists it.")
    )
    note = models.TextField(_("signed note"))
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["-size"]
        constraints = [
            # After a key rotation, the new key signs the same tree again; each note is kept.
            models.UniqueConstraint(fields=["size", "key_id"], name="one_checkpoint_per_size_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.size}"
