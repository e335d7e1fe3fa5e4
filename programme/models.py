"""The secretariat's programme of work: the Alliance's coming meetings and their agendas, and
after each meeting what was presented and launched there."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import zoneinfo
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce, Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from alliance.text import reject_bidi_controls
from initiatives.models import Initiative


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA time zones this server knows (tzdata), read once per process."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value and value not in time_zone_names():
        raise ValidationError(
            _("“%(value)s” is not a time zone name; write one such as Europe/Paris or America/New_York."),
            code="unknown_time_zone",
            params={"value": value},
        )


def _written_in_a_language(field: str) -> Q:
    """The translated field holds more than spaces in at least one of the site's languages."""
    written = Q()
    for code, _name in settings.LANGUAGES:
        column = build_localized_fieldname(field, code)
        # IS NOT NULL first: a NULL column would make the whole condition unknown, which a CHECK lets pass.
        written |= Q(**{f"{column}__isnull": False}) & Q(GreaterThan(Length(Trim(column)), 0))
    return written


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def with_is_past(self, today: datetime.date | None = None) -> Self:
        """With `is_past`: the meeting's last day is before `today` (the site's today by default).
        The one rule of which meetings are upcoming and which are past, for the page and the calendar."""
        today = today or timezone.localdate()
        return self.annotate(final_day=Coalesce("ends_on", "starts_on")).annotate(
            is_past=ExpressionWrapper(Q(final_day__lt=today), output_field=BooleanField())
        )

    def for_programme(self, today: datetime.date | None = None) -> Self:
        """Every meeting in date order, with `is_past` and its agenda in order (what the public may
        read of each item: AgendaItem.public_subject)."""
        return (
            self.with_is_past(today)
            .prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.for_programme()))
            .order_by("starts_on", F("start_time").asc(nulls_first=True), "pk")
        )


class Meeting(models.Model):
    """A meeting of the Alliance on the programme of work: a ministerial, a working-level meeting
    or a side event. The time, when known, is the local time at the place, in `time_zone`."""

    class Kind(models.TextChoices):
        MINISTERIAL = "ministerial", _("Ministerial meeting")
        WORKING_LEVEL = "working_level", _("Working-level meeting")
        SIDE_EVENT = "side_event", _("Side event")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300, validators=[reject_bidi_controls])
    place = models.CharField(
        _("place"),
        max_length=200,
        validators=[reject_bidi_controls],
        help_text=_("A city and venue, or “Videoconference”."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("Only for a meeting that lasts more than one day.")
    )
    start_time = models.TimeField(
        _("start time"), null=True, blank=True, help_text=_("Local time at the place; leave empty when not yet known.")
    )
    end_time = models.TimeField(_("end time"), null=True, blank=True, help_text=_("Local time, on the last day."))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("The place's time zone (for example Europe/Paris, America/New_York); needed with a time."),
    )
    link = models.URLField(_("link"), max_length=500, blank=True, help_text=_("The meeting's own page, if any."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["ministerial", "working_level", "side_event"]), name="meeting_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(ends_on=None) | Q(ends_on__gte=F("starts_on")),
                name="meeting_ends_after_it_starts",
                violation_error_message=_("The last day cannot come before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(end_time=None) | Q(start_time__isnull=False),
                name="meeting_end_time_needs_start_time",
                violation_error_message=_("An end time needs a start time."),
            ),
            models.CheckConstraint(
                condition=Q(start_time=None) | Q(GreaterThan(Length("time_zone"), 0)),
                name="meeting_time_has_time_zone",
                violation_error_message=_("A meeting with a time needs the time zone of its place."),
            ),
            models.CheckConstraint(
                condition=Q(end_time=None)
                | Q(start_time=None)  # refused by meeting_end_time_needs_start_time
                | Q(ends_on__isnull=False, ends_on__gt=F("starts_on"))
                | Q(start_time__isnull=False, end_time__gt=F("start_time")),
                name="meeting_end_time_after_start_time",
                violation_error_message=_("On a one-day meeting, the end time comes after the start time."),
            ),
            models.CheckConstraint(
                condition=_written_in_a_language("title"),
                name="meeting_has_a_title",
                violation_error_message=_("A meeting needs a title in at least one language."),
            ),
            models.CheckConstraint(
                condition=_written_in_a_language("place"),
                name="meeting_has_a_place",
                violation_error_message=_("A meeting needs a place in at least one language."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%Y-%m-%d} {self.title}"

    def last_day(self) -> datetime.date:
        return self.ends_on or self.starts_on

    def zone(self) -> zoneinfo.ZoneInfo | None:
        return zoneinfo.ZoneInfo(self.time_zone) if self.time_zone else None

    def starts_at(self) -> datetime.datetime | None:
        """The start as an aware date and time at the place, when the time is known."""
        if self.start_time is None or not self.time_zone:
            return None
        return datetime.datetime.combine(self.starts_on, self.start_time, tzinfo=self.zone())

    def ends_at(self) -> datetime.datetime | None:
        """The end as an aware date and time at the place (on the last day), when known."""
        if self.end_time is None or not self.time_zone:
            return None
        return datetime.datetime.combine(self.last_day(), self.end_time, tzinfo=self.zone())

    def utc_offset(self) -> str:
        """The place's offset from UTC at the start, as "UTC+02:00" ("UTC−05:00" with a minus sign),
        when the time is known."""
        starts_at = self.starts_at()
        offset = starts_at.utcoffset() if starts_at is not None else None
        if offset is None:
            return ""
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "\u2212"
        hours, minutes = divmod(abs(minutes), 60)
        return f"UTC{sign}{hours:02d}:{minutes:02d}"

    def recorded_outcomes(self) -> list[AgendaItem]:
        """The agenda's items with an outcome (presented or launched), from the prefetched agenda."""
        return [item for item in self.agenda_items.all() if item.outcome]


class AgendaItemQuerySet(models.QuerySet["AgendaItem"]):
    def for_programme(self) -> Self:
        """In order, with the initiative and its theme, and `initiative_is_public`: the initiative is
        published (InitiativeQuerySet.published(), the one rule of what the public may read)."""
        return (
            self.select_related("initiative__theme")
            .annotate(initiative_is_public=Exists(Initiative.objects.published().filter(pk=OuterRef("initiative_id"))))
            .order_by("order", "pk")
        )


@dataclasses.dataclass(frozen=True)
class PublicSubject:
    """What the public may read of an agenda item: its words, and the page it links to if any."""

    text: str
    url: str = ""
    is_unpublished_initiative: bool = False


class AgendaItem(models.Model):
    """One item on a meeting's agenda: an initiative (open, closed, or a draft to be presented) or
    another subject, and after the meeting what came of it."""

    class Outcome(models.TextChoices):
        PRESENTED = "presented", pgettext_lazy("agenda item outcome", "Presented")
        LAUNCHED = "launched", pgettext_lazy("agenda item outcome", "Launched")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="agenda_items", verbose_name=_("meeting"))
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(
        _("title"),
        max_length=300,
        blank=True,
        validators=[reject_bidi_controls],
        help_text=_(
            "Shown instead of the initiative's title, or alone for another subject. Never shown for a draft: "
            "until it opens, the public reads only “a new initiative on” its theme."
        ),
    )
    initiative = models.ForeignKey(
        Initiative,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("initiative"),
        help_text=_("An open or closed initiative, or a draft to be presented."),
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        blank=True,
        choices=Outcome.choices,
        help_text=_("Once the meeting has begun: what came of this item."),
    )

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "order"],
                name="one_agenda_item_per_place",
                violation_error_message=_("Two items of this agenda have the same order."),
            ),
            models.UniqueConstraint(
                fields=["meeting", "initiative"],
                condition=Q(initiative__isnull=False),
                name="initiative_once_per_agenda",
                violation_error_message=_("This initiative is already on the meeting's agenda."),
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="agenda_order_from_one"),
            models.CheckConstraint(
                condition=Q(outcome__in=["", "presented", "launched"]), name="agenda_item_outcome_known"
            ),
            models.CheckConstraint(
                condition=Q(initiative__isnull=False) | _written_in_a_language("title"),
                name="agenda_item_has_a_subject",
                violation_error_message=_("An agenda item needs an initiative or a title."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome="launched") | Q(initiative__isnull=False),
                name="only_an_initiative_is_launched",
                violation_error_message=_("Only an initiative can be launched."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title or self.initiative}"

    def clean(self) -> None:
        super().clean()
        meeting = self._meeting_if_known()
        if self.outcome and meeting is not None and meeting.starts_on > timezone.localdate():
            raise ValidationError(
                {"outcome": _("An outcome is recorded once the meeting has begun.")}, code="outcome_too_early"
            )
        if (
            self.outcome == self.Outcome.LAUNCHED
            and self.initiative is not None
            and self.initiative.status == Initiative.Status.DRAFT
        ):
            raise ValidationError(
                {"outcome": _("A draft is launched once it is open: open it first, then record its launch.")},
                code="draft_not_launched",
            )

    def _meeting_if_known(self) -> Meeting | None:
        # In the admin's inline, a new meeting's items are checked before the meeting is saved.
        try:
            return self.meeting
        except Meeting.DoesNotExist:
            return None

    def public_subject(self) -> PublicSubject:
        """What the public reads of this item, on the programme page and in the calendar: a draft
        is only "a new initiative on <its theme>", without title, text, state or link, until it opens."""
        if self.initiative is None:
            return PublicSubject(text=self.title)
        if not self._initiative_is_public():
            return PublicSubject(
                text=gettext("A new initiative on %(theme)s") % {"theme": self.initiative.theme.name},
                is_unpublished_initiative=True,
            )
        return PublicSubject(text=self.title or self.initiative.title, url=self.initiative.get_absolute_url())

    def _initiative_is_public(self) -> bool:
        annotated: bool | None = getattr(self, "initiative_is_public", None)
        if annotated is not None:
            return annotated
        return bool(Initiative.objects.published().filter(pk=self.initiative_id).exists())
