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
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
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
    """An endorsement or a withdrawal, as a feed entry."""

    endorsement: Endorsement
    withdrawal: bool

    @property
    def day(self) -> datetime.date:
        if self.withdrawal and self.endorsement.withdrawn_on is not None:
            return self.endorsement.withdrawn_on
        return self.endorsement.endorsed_on


def latest_changes(rows: Any) -> list[Change]:
    """Newest first: each endorsement, and each withdrawal, as its own entry."""
    endorsed = list(rows.select_related("initiative", "member_state").order_by("-endorsed_on", "-pk")[:LATEST])
    withdrawn = list(
        rows.withdrawn().select_related("initiative", "member_state").order_by("-withdrawn_on", "-pk")[:LATEST]
    )
    changes = [Change(row, False) for row in endorsed] + [Change(row, True) for row in withdrawn]
    # On one day, a withdrawal comes after the endorsement it ends, so it is listed first.
    return sorted(changes, key=lambda change: (change.day, change.withdrawal), reverse=True)[:LATEST]


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
        return as_inert_html(row.withdrawal_reason if item.withdrawal else row.statement)

    def item_link(self, item: Change) -> str:
        return item.endorsement.get_absolute_url()

    def item_guid(self, item: Change) -> str:
        # Atom ids are absolute IRIs, the same in every language's feed: the signed receipt's address.
        receipt = reverse("api:signed_receipt", kwargs={"reference": item.endorsement.reference})
        return f"{settings.SITE_URL}{receipt}#{'withdrawn' if item.withdrawal else 'endorsed'}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Change) -> datetime.datetime:
        return datetime.datetime.combine(item.day, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, item: Change) -> datetime.datetime:
        return self.item_pubdate(item)


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
