"""How a coalition forms around a draft before it opens: a state proposes a draft and leads it, invites
other states to co-sponsor it, and each invited state accepts or declines; a state may leave, and
the lead may hand the lead to an accepted co-sponsor. The states taking part comment and propose
amendments to precise passages, which the lead accepts (a new draft version) or rejects, with a
reason; the lead submits the agreed text to the secretariat and each co-sponsor confirms it. When the
secretariat opens the draft (`publishing.save_initiative`, whatever the path), `publish_coalition`
lists the states that confirmed it as its sponsors and records each confirmation as the state's
endorsement of that text version.

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
from django.utils.translation import gettext_lazy
from modeltranslation.utils import build_localized_fieldname

from alliance.background import notify
from initiatives import endorsing, publishing
from initiatives.models import Amendment, DraftComment, Endorsement, Initiative, Sponsorship, Theme
from members.accreditation import STAFF_NEVER_ACT
from members.models import Accreditation, MemberState, User

DRAFT_TEXTS = ("title", "summary", "commitment")


HANDED_OVER_TOO_LATE = gettext_lazy(
    "The lead state has submitted this text to the secretariat: the lead no longer changes."
)


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
        return self.is_lead and not self.is_submitted and bool(self.successors)

    @property
    def takes_part(self) -> bool:
        """Whether the state has joined (it leads or co-sponsors): it comments and proposes amendments."""
        return self.own.status == Sponsorship.Status.ACCEPTED

    @property
    def is_submitted(self) -> bool:
        return self.draft.submitted_at is not None

    @property
    def may_amend(self) -> bool:
        return self.takes_part and not self.is_submitted

    @property
    def may_submit(self) -> bool:
        return self.is_lead and not self.is_submitted

    @property
    def may_confirm(self) -> bool:
        """A co-sponsor confirms the submitted text, once per submitted version."""
        return (
            self.is_submitted
            and self.takes_part
            and not self.is_lead
            and self.own.confirmed_version != self.draft.submitted_version
        )

    @property
    def has_confirmed(self) -> bool:
        return self.is_submitted and self.own.confirmed_version == self.draft.submitted_version


@dataclass(frozen=True)
class DraftDiscussion:
    """What the states taking part said about the draft: comments, amendments, and their versions."""

    comments: list[DraftComment]
    amendments: list[Amendment]

    @property
    def pending(self) -> list[Amendment]:
        return [row for row in self.amendments if row.status == Amendment.Status.PROPOSED]


def discussion(draft: Initiative) -> DraftDiscussion:
    """The draft's comments (oldest first) and amendments (newest first), in two queries."""
    return DraftDiscussion(
        comments=list(DraftComment.objects.filter(initiative=draft).for_draft_page()),
        amendments=list(Amendment.objects.filter(initiative=draft).for_draft_page()),
    )


def amendment_access(*, delegate: Accreditation, pk: int, amendment_pk: int) -> tuple[DraftAccess, Amendment]:
    """The draft as the delegate's state reads it, and one of its amendments (404 otherwise)."""
    access = draft_access(delegate=delegate, pk=pk)
    amendment = get_object_or_404(
        Amendment.objects.select_related("member_state"), pk=amendment_pk, initiative=access.draft
    )
    return access, amendment


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


def _lock_as_participant(*, draft: Initiative, delegate: Accreditation) -> tuple[Initiative, Sponsorship]:
    """The draft, locked, and the delegate's state's part in it, which must have joined it."""
    locked, own = _lock(draft=draft, delegate=delegate)
    if own is None or own.status != Sponsorship.Status.ACCEPTED:
        raise DraftRefused(_("Only the states that lead or co-sponsor this draft take part in agreeing its text."))
    return locked, own


def _lock_as_lead(*, draft: Initiative, delegate: Accreditation, refusal: str) -> tuple[Initiative, Sponsorship]:
    locked, own = _lock(draft=draft, delegate=delegate)
    if own is None or own.role != Sponsorship.Role.LEAD:
        raise DraftRefused(refusal)
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
    texts = {"title": _as_kept(title), "summary": _as_kept(summary), "commitment": _as_kept(commitment)}
    for field, text in texts.items():
        if not text:
            raise DraftRefused(_("This text is required."), field=field)
    _check_one_line(texts["title"], field="title")
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
    if locked.submitted_at is not None:
        # A lead does not confirm (its submission is its confirmation), and the coalition's page
        # says the lead submitted: a new lead could never confirm, and would be said to have submitted.
        raise DraftRefused(str(HANDED_OVER_TOO_LATE))
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


# --- Agreeing the text -------------------------------------------------------------------------


@transaction.atomic
def comment_on_draft(*, draft: Initiative, delegate: Accreditation, text: str) -> DraftComment:
    """The delegate comments on the draft on behalf of their state, which leads or co-sponsors it.
    Comments stay private to the states taking part and the secretariat, after opening too."""
    locked, own = _lock_as_participant(draft=draft, delegate=delegate)
    if not text.strip():
        raise DraftRefused(_("Write the comment."), field="text")
    row = DraftComment(
        initiative=locked,
        member_state=own.member_state,
        author=delegate.user,
        text=text.strip(),
        text_version=locked.text_version,
    )
    row._history_user = delegate.user  # type: ignore[attr-defined]
    row.save()
    return row


def _as_kept(text: str) -> str:
    """A draft's text as it is kept: as the admin reads it back from a browser (which sends every line
    break as CRLF, read as LF), without blanks around it. Otherwise the admin would count a submitted
    text as changed, and refuse every attempt to open the draft."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _check_one_line(title: str, *, field: str) -> None:
    """A title is edited in an input of one line, which drops line breaks: with one, the admin would
    read the submitted title as changed, and refuse to open the draft."""
    if "\n" in title or "\r" in title:
        raise DraftRefused(_("A title is one line: remove the line breaks."), field=field)


def _passage_in(draft: Initiative, *, text: str, language: str, passage: str) -> str:
    """The current text that `passage` amends, which must contain it exactly once."""
    current = str(getattr(draft, build_localized_fieldname(text, language)) or "")
    found = current.count(passage)
    if found == 0:
        raise DraftRefused(
            _("This passage is not in the current version of the text, word for word. Copy it from the draft."),
            field="passage",
        )
    if found > 1:
        raise DraftRefused(
            _("This passage appears more than once in the text: quote a longer passage, so it names one place."),
            field="passage",
        )
    return current


def _amended(draft: Initiative, *, text: str, language: str, passage: str, replacement: str) -> str:
    """The current text with the amendment's passage (found exactly once) replaced, without blanks
    around it (as every text is kept, and the admin reads it), when that changes it, leaves words and
    still fits its field: accepting one amendment after another could empty a text or pass the
    title's limit, though each was fine when proposed."""
    current = _passage_in(draft, text=text, language=language, passage=passage)
    amended = _as_kept(current.replace(passage, replacement, 1))
    if amended == current:
        raise DraftRefused(_("The replacement is the passage itself: nothing would change."), field="replacement")
    if not amended:
        # An empty text is no longer written in its language: no amendment could write it again.
        raise DraftRefused(_("The text would be empty."), field="replacement")
    if text == "title":
        _check_one_line(amended, field="replacement")
    longest: int | None = getattr(Initiative._meta.get_field(text), "max_length", None)
    if longest is not None and len(amended) > longest:
        raise DraftRefused(
            _("The text would be longer than %(longest)s characters, its limit.") % {"longest": longest},
            field="replacement",
        )
    return amended


@transaction.atomic
def propose_amendment(
    *,
    draft: Initiative,
    delegate: Accreditation,
    text: str,
    language: str,
    passage: str,
    replacement: str,
    explanation: str,
) -> Amendment:
    """The delegate's state, which leads or co-sponsors the draft, proposes to replace a precise
    passage of one of its texts, in a language it is written in. The lead's delegates are told."""
    locked, own = _lock_as_participant(draft=draft, delegate=delegate)
    if locked.submitted_at is not None:
        raise DraftRefused(_("The lead state has submitted this text to the secretariat: it is no longer amended."))
    if text not in Amendment.Text.values:
        raise DraftRefused(_("Choose the title, the summary or the commitment."), field="text")
    if language not in locked.written_in() or not locked.has_text(text, language):
        raise DraftRefused(_("Amend the text in a language it is written in."), field="language")
    if not passage.strip():
        raise DraftRefused(_("Quote the passage to replace."), field="passage")
    if passage == replacement:
        raise DraftRefused(_("The replacement is the passage itself: nothing would change."), field="replacement")
    _amended(locked, text=text, language=language, passage=passage, replacement=replacement)
    amendment = Amendment(
        initiative=locked,
        member_state=own.member_state,
        proposed_by=delegate.user,
        text=text,
        language=language,
        passage=passage,
        replacement=replacement,
        explanation=explanation.strip(),
        based_on_version=locked.text_version,
    )
    amendment._history_user = delegate.user  # type: ignore[attr-defined]
    amendment.save()
    if own.role != Sponsorship.Role.LEAD:
        lead = Sponsorship.objects.select_related("member_state").get(initiative=locked, role=Sponsorship.Role.LEAD)
        _tell_delegates(
            state=lead.member_state,
            draft=locked,
            template="draft_news",
            context={"state": own.member_state, "event": "amendment"},
        )
    return amendment


def _decide_amendment(
    *, amendment: Amendment, delegate: Accreditation, reason: str, status: Amendment.Status
) -> tuple[Initiative, Amendment]:
    locked, _own = _lock_as_lead(
        draft=amendment.initiative,
        delegate=delegate,
        refusal=_("Only the delegates of the lead state decide on amendments."),
    )
    row = Amendment.objects.select_for_update().select_related("member_state").get(pk=amendment.pk)
    if row.initiative_id != locked.pk:
        raise DraftRefused(_("This amendment was proposed to another draft."))
    if row.status != Amendment.Status.PROPOSED:
        raise DraftRefused(_("This amendment has already been decided."))
    if locked.submitted_at is not None:
        raise DraftRefused(_("The lead state has submitted this text to the secretariat: it is no longer amended."))
    if not reason.strip():
        raise DraftRefused(_("Give the reason for the decision; the states taking part read it."), field="reason")
    row.status, row.decided_by, row.decided_at = status, delegate.user, timezone.now()
    row.decision_reason = reason.strip()
    return locked, row


@transaction.atomic
def accept_amendment(*, amendment: Amendment, delegate: Accreditation, reason: str) -> Amendment:
    """The lead state accepts the amendment, with a reason: the passage is replaced and the draft
    has a new version. The proposing state's delegates are told."""
    locked, row = _decide_amendment(
        amendment=amendment, delegate=delegate, reason=reason, status=Amendment.Status.ACCEPTED
    )
    amended = _amended(locked, text=row.text, language=row.language, passage=row.passage, replacement=row.replacement)
    column = build_localized_fieldname(row.text, row.language)
    setattr(locked, column, amended)
    locked.text_version += 1
    locked._history_user = delegate.user  # type: ignore[attr-defined]
    publishing.save_initiative(initiative=locked, changed=[column], by_coalition=True)
    row.made_version = locked.text_version
    row._history_user = delegate.user  # type: ignore[attr-defined]
    row.save()
    _tell_proposer(draft=locked, amendment=row)
    return row


@transaction.atomic
def reject_amendment(*, amendment: Amendment, delegate: Accreditation, reason: str) -> Amendment:
    """The lead state rejects the amendment, with a reason; the text is unchanged."""
    locked, row = _decide_amendment(
        amendment=amendment, delegate=delegate, reason=reason, status=Amendment.Status.REJECTED
    )
    row._history_user = delegate.user  # type: ignore[attr-defined]
    row.save()
    _tell_proposer(draft=locked, amendment=row)
    return row


def _tell_proposer(*, draft: Initiative, amendment: Amendment) -> None:
    lead = Sponsorship.objects.select_related("member_state").get(initiative=draft, role=Sponsorship.Role.LEAD)
    if amendment.member_state_id != lead.member_state_id:
        _tell_delegates(
            state=amendment.member_state,
            draft=draft,
            template="draft_news",
            context={"state": lead.member_state, "event": f"amendment_{amendment.status}"},
        )


# --- From draft to open initiative -------------------------------------------------------------


@transaction.atomic
def submit_draft(*, draft: Initiative, delegate: Accreditation) -> Initiative:
    """The lead state submits the agreed text to the secretariat; its submission is its own
    confirmation of this version. The co-sponsors' delegates are asked to confirm it, and the
    secretariat is told."""
    locked, own = _lock_as_lead(
        draft=draft, delegate=delegate, refusal=_("Only the delegates of the lead state submit the draft.")
    )
    if locked.submitted_at is not None:
        raise DraftRefused(_("This draft is already submitted to the secretariat."))
    if Amendment.objects.filter(initiative=locked).pending().exists():
        raise DraftRefused(_("Accept or reject every proposed amendment before submitting the text."))
    locked.submitted_at, locked.submitted_by = timezone.now(), delegate.user
    locked.submitted_version, locked.submitted_in = locked.text_version, locked.written_in()
    locked._history_user = delegate.user  # type: ignore[attr-defined]
    publishing.save_initiative(initiative=locked, by_coalition=True)
    _confirm(own, version=locked.text_version, by=delegate)
    for row in Sponsorship.objects.select_related("member_state").filter(
        initiative=locked, role=Sponsorship.Role.CO_SPONSOR, status=Sponsorship.Status.ACCEPTED
    ):
        _tell_delegates(
            state=row.member_state,
            draft=locked,
            template="draft_news",
            context={"state": own.member_state, "event": "submitted"},
        )
    notify(
        template="draft_submitted",
        recipients=settings.SECRETARIAT_EMAILS,
        context={"draft": locked, "lead": own.member_state, "title": locked.title_as_written()},
        language=settings.LANGUAGE_CODE,
    )
    return locked


def _confirm(row: Sponsorship, *, version: int, by: Accreditation) -> None:
    row.confirmed_version, row.confirmed_at, row.confirmed_by = version, timezone.now(), by.user
    _save(row, by=by, fields=["confirmed_version", "confirmed_at", "confirmed_by"])


@transaction.atomic
def confirm_text(*, draft: Initiative, delegate: Accreditation) -> Sponsorship:
    """The delegate's state, a co-sponsor, confirms the submitted text: on opening, the state is
    listed as a sponsor of this version and the confirmation becomes its endorsement of it."""
    locked, own = _lock_as_participant(draft=draft, delegate=delegate)
    if locked.submitted_at is None or locked.submitted_version is None:
        raise DraftRefused(_("The lead state has not submitted this text yet: there is nothing to confirm."))
    if own.confirmed_version == locked.submitted_version:
        raise DraftRefused(_("Your state already confirmed this version of the text."))
    _confirm(own, version=locked.submitted_version, by=delegate)
    _tell_lead(draft=locked, state=own.member_state, event="confirmed")
    return own


def is_states_draft(initiative: Initiative) -> bool:
    """Whether the initiative is a draft a state proposed (its coalition has a lead)."""
    return Sponsorship.objects.filter(initiative=initiative, role=Sponsorship.Role.LEAD).exists()


def publish_coalition(*, initiative: Initiative, recorded_by: User | None) -> list[Endorsement]:
    """On opening a state's draft (called by `publishing.save_initiative`, in its transaction): the
    states that confirmed the submitted version become the initiative's sponsors (its lead states
    on every public page, the API and feeds), and each confirmation is recorded as the state's
    endorsement of that version, through `endorsing`, as any endorsement (the transparency log,
    webhooks, subscriptions, emails). The confirming delegate stays private, as a signer does."""
    sponsors = list(Sponsorship.objects.filter(initiative=initiative).sponsors_of_text())
    initiative.lead_states.set([row.member_state for row in sponsors])
    return [
        endorsing.record_co_sponsorship(initiative=initiative, sponsorship=row, recorded_by=recorded_by)
        for row in sponsors
    ]


@dataclass(frozen=True)
class CoalitionStep:
    """One dated step of how a published initiative's coalition formed, as its page tells it."""

    when: datetime.datetime
    state: MemberState
    kind: str  # proposed, joined, submitted, confirmed


def how_it_formed(initiative: Initiative) -> list[CoalitionStep]:
    """The dated steps of the states listed as the initiative's sponsors: proposing the draft,
    joining it, the lead's submission and each confirmation, oldest first (one query). Nothing of
    the states that declined or left, and no comment or amendment: those stay private."""
    if initiative.submitted_at is None:
        return []
    steps: list[CoalitionStep] = []
    for row in Sponsorship.objects.filter(initiative=initiative).sponsors_of_text():
        if row.decided_at is not None:
            steps.append(CoalitionStep(row.decided_at, row.member_state, "joined" if row.invited_at else "proposed"))
        if row.role == Sponsorship.Role.LEAD:
            steps.append(CoalitionStep(initiative.submitted_at, row.member_state, "submitted"))
        elif row.confirmed_at is not None:
            steps.append(CoalitionStep(row.confirmed_at, row.member_state, "confirmed"))
    return sorted(steps, key=lambda step: step.when)


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
