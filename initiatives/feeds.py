"""Atom feeds of the register: endorsements and withdrawals (all, per initiative, per state), new initiatives."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, linebreaks
from django.utils.translation import gettext as _

from initiatives.models import Endorsement, Initiative
from members.models import MemberState

LATEST = 50


def as_inert_html(text: str) -> str:
    """Typed text as the HTML an Atom `<summary type="html">` holds: every tag escaped, so a feed
    reader shows it as typed and never follows a link or loads an image from it."""
    return linebreaks(text, autoescape=True)


@dataclass(frozen=True)
class Change:
    """An endorsement or a withdrawal, as a feed entry: dated when the register learned it, so a
    back-dated record reaches subscribers as news, and carrying its own date in its text."""

    endorsement: Endorsement
    withdrawal: bool

    @property
    def day(self) -> datetime.date:
        """The date of the endorsement or of the withdrawal itself."""
        if self.withdrawal and self.endorsement.withdrawn_on is not None:
            return self.endorsement.withdrawn_on
        return self.endorsement.endorsed_on

    @property
    def recorded_at(self) -> datetime.datetime:
        if self.withdrawal and self.endorsement.withdrawn_at is not None:
            return self.endorsement.withdrawn_at
        return self.endorsement.created_at


def latest_changes(rows: Any) -> list[Change]:
    """Newest recorded first: each endorsement, and each withdrawal, as its own entry."""
    rows = rows.select_related("initiative", "member_state")
    endorsed = list(rows.order_by("-created_at", "-pk")[:LATEST])
    withdrawn = list(rows.withdrawn().order_by("-withdrawn_at", "-pk")[:LATEST])
    changes = [Change(row, False) for row in endorsed] + [Change(row, True) for row in withdrawn]
    return sorted(changes, key=lambda change: (change.recorded_at, change.withdrawal), reverse=True)[:LATEST]


class EndorsementFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return None

    def title(self, obj: Any) -> str:
        return _("Alliance register: endorsements and withdrawals")

    def link(self, obj: Any) -> str:
        return reverse("initiatives:list")

    def subtitle(self, obj: Any) -> str:
        return _("Each endorsement and each withdrawal recorded in the register, newest first.")

    def rows(self, obj: Any) -> Any:
        return Endorsement.objects.filter(initiative__in=Initiative.objects.published())

    def items(self, obj: Any) -> list[Change]:
        return latest_changes(self.rows(obj))

    def item_title(self, item: Change) -> str:
        values = {"state": item.endorsement.member_state.name, "title": item.endorsement.initiative.title}
        if item.withdrawal:
            return _("%(state)s withdrew its endorsement of %(title)s") % values
        return _("%(state)s endorsed %(title)s") % values

    def item_description(self, item: Change) -> str:
        row = item.endorsement
        day = formats.date_format(item.day, "DATE_FORMAT")
        dated = _("Withdrawn on %(date)s.") if item.withdrawal else _("Endorsed on %(date)s.")
        text = row.withdrawal_reason if item.withdrawal else row.statement
        return format_html("<p>{}</p>", dated % {"date": day}) + as_inert_html(text)

    def item_link(self, item: Change) -> str:
        return item.endorsement.get_absolute_url()

    def item_guid(self, item: Change) -> str:
        # Atom ids are absolute IRIs, the same in every language's feed: the signed receipt's address.
        receipt = reverse("api:signed_receipt", kwargs={"reference": item.endorsement.reference})
        return f"{settings.SITE_URL}{receipt}#{'withdrawn' if item.withdrawal else 'endorsed'}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Change) -> datetime.datetime:
        return item.recorded_at

    def item_updateddate(self, item: Change) -> datetime.datetime:
        return item.recorded_at


class InitiativeEndorsementFeed(EndorsementFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Initiative:
        initiative: Initiative = get_object_or_404(Initiative.objects.published(), slug=kwargs["slug"])
        return initiative

    def title(self, obj: Initiative) -> str:
        return _("%(title)s: endorsements and withdrawals") % {"title": obj.title}

    def link(self, obj: Initiative) -> str:
        return obj.get_absolute_url()

    def rows(self, obj: Initiative) -> Any:
        return Endorsement.objects.filter(initiative=obj)


class StateEndorsementFeed(EndorsementFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> MemberState:
        return get_object_or_404(MemberState, code=kwargs["code"].upper())

    def title(self, obj: MemberState) -> str:
        return _("%(state)s: endorsements and withdrawals") % {"state": obj.name}

    def link(self, obj: MemberState) -> str:
        return obj.get_absolute_url()

    def rows(self, obj: MemberState) -> Any:
        return Endorsement.objects.filter(member_state=obj, initiative__in=Initiative.objects.published())


class OpenedInitiativeFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Alliance register: initiatives open for endorsement")

    def link(self) -> str:
        return reverse("initiatives:list")

    def items(self) -> Any:
        return Initiative.objects.open_for_endorsement().select_related("theme").order_by("-signing_opens_on")[:LATEST]

    def item_title(self, item: Initiative) -> str:
        return item.title

    def item_description(self, item: Initiative) -> str:
        return as_inert_html(item.summary)

    def item_pubdate(self, item: Initiative) -> datetime.datetime:
        day = item.signing_opens_on or timezone.localdate()
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
