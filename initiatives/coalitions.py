"""How a coalition forms around a draft before it opens: a state proposes a draft and leads it, invites
other states to co-sponsor it, and each invited state accepts or declines; a state may leave, and
the lead may hand the lead to an accepted co-sponsor.

Every write goes through this module, on behalf of the acting delegate's own state (always taken
from the accreditation, never from a form). A draft is read only by the delegates of the states
taking part (`InitiativeQuerySet.drafts_visible_to`) and by the secretariat in the admin; it never
reaches a public page, the API or a feed, which all read `Initiative.objects.published()`.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from alliance.background import notify
from initiatives import publishing
from initiatives.models import Initiative, Sponsorship, Theme
from members.accreditation import STAFF_NEVER_ACT
from members.models import Accreditation, MemberState

DRAFT_TEXTS = ("title", "summary", "commitment")


class DraftRefused(Exception):
    """A rule of drafting refuses the step; the message is shown to the delegate, and `field`
    names the input it concerns, if one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftAccess:
    """A draft as one state's delegate reads it, and what that state may do with it now."""

    draft: Initiative
    own: Sponsorship  # the delegate's state's part in it
    sponsorships: list[Sponsorship]  # every state asked, the lead first

    @property
    def is_lead(self) -> bool:
        return self.own.role == Sponsorship.Role.LEAD

    @property
    def lead(self) -> Sponsorship:
        return next(row for row in self.sponsorships if row.role == Sponsorship.Role.LEAD)

    @property
    def may_invite(self) -> bool:
        return self.is_lead

    @property
    def may_answer(self) -> bool:
        return self.own.status == Sponsorship.Status.INVITED

    @property
    def may_leave(self) -> bool:
        return self.own.role == Sponsorship.Role.CO_SPONSOR and self.own.status == Sponsorship.Status.ACCEPTED

    @property
    def successors(self) -> list[Sponsorship]:
        """The accepted co-sponsors, to whom the lead may hand the lead."""
        return [
            row
            for row in self.sponsorships
            if row.role == Sponsorship.Role.CO_SPONSOR and row.status == Sponsorship.Status.ACCEPTED
        ]

    @property
    def may_hand_over(self) -> bool:
        return self.is_lead and bool(self.successors)


def draft_access(*, delegate: Accreditation, pk: int) -> DraftAccess:
    """The draft `pk` as the delegate's state reads it. A draft the state takes no part in (or no
    longer: it declined or left) answers 404, as one that does not exist: its existence stays private."""
    draft = get_object_or_404(
        Initiative.objects.drafts_visible_to(delegate.member_state).select_related("theme"), pk=pk
    )
    sponsorships = list(Sponsorship.objects.filter(initiative=draft).for_draft_page())
    own = next(row for row in sponsorships if row.member_state_id == delegate.member_state_id)
    return DraftAccess(draft=draft, own=own, sponsorships=sponsorships)


# --- Writing -----------------------------------------------------------------------------------


def _check_delegate(delegate: Accreditation) -> None:
    if delegate.user.is_staff:
        raise DraftRefused(str(STAFF_NEVER_ACT))
    if not delegate.is_active():
        raise DraftRefused(_("Your accreditation is not approved or has expired."))


def _lock(*, draft: Initiative, delegate: Accreditation) -> tuple[Initiative, Sponsorship | None]:
    """The draft, locked (every step on one draft waits for the one before), and the delegate's
    state's part in it, if any."""
    _check_delegate(delegate)
    locked = Initiative.objects.select_for_update().get(pk=draft.pk)
    if locked.status != Initiative.Status.DRAFT:
        raise DraftRefused(_("This initiative is no longer a draft: its coalition can no longer change."))
    own = (
        Sponsorship.objects.select_for_update()
        .select_related("member_state")
        .filter(initiative=locked, member_state=delegate.member_state)
        .first()
    )
    return locked, own


def _save(row: Sponsorship, *, by: Accreditation, fields: list[str] | None = None) -> None:
    """Save the row, with the delegate as the author of its step in the audit trail (whatever the
    path: a request, a command, a test)."""
    row._history_user = by.user  # type: ignore[attr-defined]
    row.save(update_fields=fields)


def _new_slug(title: str) -> str:
    """A unique address for the draft; the secretariat may change it until the initiative opens."""
    suffix = 7  # "-" and six hex digits
    longest = Initiative._meta.get_field("slug").max_length or 50
    base = slugify(title)[: longest - suffix].strip("-") or "draft"
    slug = f"{base}-{secrets.token_hex(3)}"
    while Initiative.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


@transaction.atomic
def propose_draft(
    *,
    delegate: Accreditation,
    language: str,
    title: str,
    summary: str,
    commitment: str,
    theme: Theme,
    kind: str,
    signing_opens_on: datetime.date,
    signing_closes_on: datetime.date | None,
) -> Initiative:
    """The delegate's state proposes a draft, written in `language`, and leads it.

    Until the secretariat opens it, a draft's launch date is the day its signing window is proposed
    to open."""
    _check_delegate(delegate)
    if language not in dict(settings.LANGUAGES):
        raise DraftRefused(_("Choose one of the register's languages."), field="language")
    texts = {"title": title.strip(), "summary": summary.strip(), "commitment": commitment.strip()}
    for field, text in texts.items():
        if not text:
            raise DraftRefused(_("This text is required."), field=field)
    if kind not in Initiative.Kind.values:
        raise DraftRefused(_("Choose one of the kinds of initiative."), field="kind")
    if signing_opens_on < timezone.localdate():
        raise DraftRefused(_("The proposed signing window cannot open in the past."), field="signing_opens_on")
    if signing_closes_on is not None and signing_closes_on < signing_opens_on:
        raise DraftRefused(_("The proposed signing window must close after it opens."), field="signing_closes_on")
    draft = Initiative(
        slug=_new_slug(texts["title"]),
        kind=kind,
        theme=theme,
        status=Initiative.Status.DRAFT,
        signing_opens_on=signing_opens_on,
        signing_closes_on=signing_closes_on,
        launched_on=signing_opens_on,
    )
    for field, text in texts.items():
        setattr(draft, build_localized_fieldname(field, language), text)
    draft._history_user = delegate.user  # type: ignore[attr-defined]  # the audit trail's author, on any path
    publishing.save_initiative(
        initiative=draft, changed=[build_localized_fieldname(field, language) for field in DRAFT_TEXTS]
    )
    _save(
        Sponsorship(
            initiative=draft,
            member_state=delegate.member_state,
            role=Sponsorship.Role.LEAD,
            status=Sponsorship.Status.ACCEPTED,
            decided_by=delegate.user,
            decided_at=timezone.now(),
        ),
        by=delegate,
    )
    return draft


@transaction.atomic
def invite_state(*, draft: Initiative, delegate: Accreditation, member_state: MemberState) -> tuple[Sponsorship, int]:
    """The lead state invites `member_state` (a UN member) to co-sponsor the draft; its active
    delegates are told by email, each in their own language. A state that declined or left may be
    invited again. Returns the invitation and how many delegates were told."""
    locked, own = _lock(draft=draft, delegate=delegate)
    if own is None or own.role != Sponsorship.Role.LEAD:
        raise DraftRefused(_("Only the delegates of the lead state invite co-sponsors."))
    if member_state.pk == own.member_state_id:
        raise DraftRefused(_("Your state leads this draft."), field="member_state")
    if not member_state.is_un_member:
        raise DraftRefused(_("Co-sponsors are invited among the UN member states."), field="member_state")
    row = Sponsorship.objects.select_for_update().filter(initiative=locked, member_state=member_state).first()
    if row is not None and row.status in Sponsorship.TAKING_PART:
        raise DraftRefused(
            _("%(state)s is already invited to this draft or takes part in it.") % {"state": member_state.name},
            field="member_state",
        )
    row = row or Sponsorship(initiative=locked, member_state=member_state, role=Sponsorship.Role.CO_SPONSOR)
    row.status = Sponsorship.Status.INVITED
    row.invited_at, row.invited_by = timezone.now(), delegate.user
    row.decided_at, row.decided_by = None, None
    _save(row, by=delegate)
    told = _tell_delegates(
        state=member_state,
        draft=locked,
        template="draft_invitation",
        context={"state": member_state, "lead": own.member_state},
    )
    return row, told


@transaction.atomic
def accept_invitation(*, draft: Initiative, delegate: Accreditation) -> Sponsorship:
    """The delegate's state accepts its invitation: it co-sponsors the draft."""
    return _answer(draft=draft, delegate=delegate, status=Sponsorship.Status.ACCEPTED)


@transaction.atomic
def decline_invitation(*, draft: Initiative, delegate: Accreditation) -> Sponsorship:
    """The delegate's state declines its invitation: it no longer reads the draft."""
    return _answer(draft=draft, delegate=delegate, status=Sponsorship.Status.DECLINED)


def _answer(*, draft: Initiative, delegate: Accreditation, status: Sponsorship.Status) -> Sponsorship:
    locked, own = _lock(draft=draft, delegate=delegate)
    if own is None or own.status != Sponsorship.Status.INVITED:
        raise DraftRefused(_("Your state has no invitation to this draft waiting for an answer."))
    own.status, own.decided_by, own.decided_at = status, delegate.user, timezone.now()
    _save(own, by=delegate, fields=["status", "decided_by", "decided_at"])
    _tell_lead(draft=locked, state=own.member_state, event=status)
    return own


@transaction.atomic
def leave_draft(*, draft: Initiative, delegate: Accreditation) -> Sponsorship:
    """The delegate's state, a co-sponsor, leaves the draft before it opens; it reads it no more."""
    locked, own = _lock(draft=draft, delegate=delegate)
    if own is not None and own.role == Sponsorship.Role.LEAD:
        raise DraftRefused(_("Your state leads this draft: hand the lead to a co-sponsor before leaving it."))
    if own is None or own.status != Sponsorship.Status.ACCEPTED:
        raise DraftRefused(_("Your state does not co-sponsor this draft."))
    own.status, own.decided_by, own.decided_at = Sponsorship.Status.LEFT, delegate.user, timezone.now()
    _save(own, by=delegate, fields=["status", "decided_by", "decided_at"])
    _tell_lead(draft=locked, state=own.member_state, event=Sponsorship.Status.LEFT)
    return own


@transaction.atomic
def hand_over_lead(*, draft: Initiative, delegate: Accreditation, to_state: MemberState) -> Sponsorship:
    """The lead state hands the lead to `to_state`, an accepted co-sponsor; it stays a co-sponsor
    itself. The new lead's delegates are told. Returns the new lead's row."""
    locked, own = _lock(draft=draft, delegate=delegate)
    if own is None or own.role != Sponsorship.Role.LEAD:
        raise DraftRefused(_("Only the delegates of the lead state hand over the lead."))
    successor = (
        Sponsorship.objects.select_for_update()
        .filter(
            initiative=locked,
            member_state=to_state,
            role=Sponsorship.Role.CO_SPONSOR,
            status=Sponsorship.Status.ACCEPTED,
        )
        .first()
    )
    if successor is None:
        raise DraftRefused(_("The lead passes only to a state that has accepted to co-sponsor the draft."))
    # In this order: the database holds one lead per draft at every statement.
    own.role = Sponsorship.Role.CO_SPONSOR
    _save(own, by=delegate, fields=["role"])
    successor.role = Sponsorship.Role.LEAD
    _save(successor, by=delegate, fields=["role"])
    _tell_delegates(
        state=to_state,
        draft=locked,
        template="draft_news",
        context={"state": to_state, "former_lead": own.member_state, "event": "lead"},
    )
    return successor


# --- Telling the delegates ---------------------------------------------------------------------


def _tell_lead(*, draft: Initiative, state: MemberState, event: str) -> None:
    """The lead state's delegates learn that `state` accepted, declined or left."""
    lead = Sponsorship.objects.select_related("member_state").get(initiative=draft, role=Sponsorship.Role.LEAD)
    _tell_delegates(
        state=lead.member_state, draft=draft, template="draft_news", context={"state": state, "event": event}
    )


def _tell_delegates(*, state: MemberState, draft: Initiative, template: str, context: dict[str, Any]) -> int:
    """Email the state's active delegates, each in their own language (with the draft's title in it
    when it is written in it), in the caller's transaction. Returns how many were told."""
    by_language: dict[str, list[str]] = {}
    delegates = Accreditation.objects.active().filter(member_state=state)
    for email, language in delegates.values_list("user__email", "user__language"):
        by_language.setdefault(language, []).append(email)
    for language, recipients in by_language.items():
        notify(
            template=template,
            recipients=recipients,
            context={**context, "draft": draft, "title": draft.title_as_written(language)},
            language=language,
        )
    return sum(len(recipients) for recipients in by_language.values())
