from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from allauth.core.internal import ratelimit
from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alliance import caching
from alliance.caching import public_page
from alliance.forms import posted
from initiatives import certificates, coalitions, coverage, datapackage, matrix, receipts, texts, transparency
from initiatives.endorsing import EndorsementRefused, TextChanged, check_can_endorse, published_for_signing
from initiatives.endorsing import endorse as endorse_initiative
from initiatives.endorsing import withdraw as withdraw_endorsement
from initiatives.forms import (
    AmendmentDecisionForm,
    AmendmentForm,
    AsOfForm,
    CommentForm,
    ConfirmTextForm,
    DraftDecisionForm,
    DraftForm,
    EndorseForm,
    HandOverForm,
    InitiativeFilterForm,
    InviteForm,
    MatrixForm,
    StateFilterForm,
    VerifyReceiptForm,
    WithdrawForm,
)
from initiatives.models import Correction, DatePrecision, Endorsement, Event, Initiative, Sponsorship
from members.accreditation import delegate_required
from members.models import Accreditation, MemberState, state_url
from members.reauthentication import fresh_authentication_required, typed_before_reauthentication
from members.regions import group_by_region

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)


@require_safe
@public_page
def initiative_list(request: HttpRequest) -> HttpResponse:
    form = InitiativeFilterForm(request.GET or None)
    initiatives = Initiative.objects.published().for_listing()
    if form.is_valid():
        initiatives = form.filter(initiatives)
    return render(request, "initiatives/initiative_list.html", {"form": form, "initiatives": initiatives})


@require_safe
@public_page
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    version = caching.version(request)  # before any data: a fragment is never older than its key
    as_of = AsOfForm(request.GET or None)
    day = as_of.day()
    initiative = get_object_or_404(Initiative.objects.published().for_page(), slug=slug)
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "initiative": initiative,
            "as_of": as_of,
            "day": day,
            # The page as at a day is never cached in parts: each day would be a copy in the cache.
            "cache_version": version if day is None and not as_of.errors else None,
            "register": coverage.InitiativeRegister(initiative, day),
            "delegate_action": None if day else _delegate_action(request, initiative),
            "machine_assisted": initiative.is_machine_assisted(get_language()),
        },
    )


def _delegate_action(request: HttpRequest, initiative: Initiative) -> dict[str, Any] | None:
    """What the signed-in delegate may do here: endorse for their state, or withdraw its endorsement."""
    if not request.user.is_authenticated:
        return None
    delegate = Accreditation.objects.active().select_related("member_state").filter(user=request.user).first()
    if delegate is None:
        return None
    state = delegate.member_state
    if Endorsement.objects.in_force().filter(initiative=initiative, member_state=state).exists():
        return {"state": state, "url": reverse("initiatives:withdraw", args=[initiative.slug]), "kind": "withdraw"}
    if initiative.phase == Initiative.Phase.OPEN:  # type: ignore[attr-defined]  # the rule of open_for_endorsement()
        return {"state": state, "url": reverse("initiatives:endorse", args=[initiative.slug]), "kind": "endorse"}
    return None


@require_safe
@public_page
def state_list(request: HttpRequest) -> HttpResponse:
    form = StateFilterForm(request.GET or None)
    states = form.filter(MemberState.objects.for_listing())
    return render(
        request,
        "initiatives/state_list.html",
        {"form": form, "states": states, "states_by_region": group_by_region(states)},
    )


@require_safe
@public_page
def state_matrix(request: HttpRequest) -> HttpResponse:
    """Every state against every initiative, as at a day, by regional group (or of one group)."""
    form = MatrixForm(request.GET or None)
    day, group = form.chosen()
    table = matrix.matrix(day, group=group)
    names = {row.state.pk: row.name for row in table.rows}
    return render(
        request,
        "initiatives/matrix.html",
        {
            "form": form,
            "day": day,
            "group": group,
            "matrix": table,
            "columns": len(table.initiatives) + 2,
            "rows_by_region": group_by_region(
                table.rows, key=lambda row: row.state, name=lambda state: names[state.pk]
            ),
        },
    )


@require_safe
@public_page
def open_data(request: HttpRequest) -> HttpResponse:
    """What the register publishes, each file's fields, how precise its dates are, its sources and licence."""
    return render(
        request,
        "initiatives/open_data.html",
        {
            "tables": datapackage.guide_tables(),
            "licence": datapackage.LICENCE,
            "precisions": DatePrecision.choices,
            "sources": datapackage.sources(),
        },
    )


STATE_CODE = re.compile("[A-Za-z]{3}")


@require_safe
@public_page
def state_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not STATE_CODE.fullmatch(code):
        raise Http404  # what no state's code can be (an accent, a space) would redirect to itself
    if code != code.lower():
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(state_url(code, get_language()) + (f"?{query}" if query else ""))
    state = get_object_or_404(MemberState, code=code.upper())
    as_of = AsOfForm(request.GET or None)
    day = as_of.day()
    rows = list(Endorsement.objects.filter(member_state=state).as_at(day).for_state_page())
    in_force = [row for row in rows if row.is_in_force]  # type: ignore[attr-defined]
    history: dict[Initiative, list[Endorsement]] = {}
    for row in sorted(rows, key=lambda row: (row.initiative.launched_on, row.initiative.slug, row.endorsed_on)):
        history.setdefault(row.initiative, []).append(row)
    return render(
        request,
        "initiatives/state_detail.html",
        {
            "state": state,
            "as_of": as_of,
            "day": day,
            "in_force": in_force,
            "statements": [row for row in in_force if row.statement],
            "history": history,
            "led": Initiative.objects.published().filter(lead_states=state).order_by("launched_on"),
            "events": state.co_chaired_events.order_by("date"),
        },
    )


@require_safe
@public_page
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "initiatives/event_list.html", {"events": Event.objects.for_listing()})


@require_safe
@public_page
def correction_list(request: HttpRequest) -> HttpResponse:
    return render(request, "initiatives/corrections.html", {"corrections": Correction.objects.for_listing()})


@require_safe
def transparency_log(request: HttpRequest) -> HttpResponse:
    """What the log is, for non-specialists, with its latest checkpoint (never a cached copy)."""
    checkpoint = transparency.latest_checkpoint()
    return render(
        request,
        "initiatives/transparency.html",
        {
            "checkpoint": checkpoint,
            "root": base64.b64encode(bytes(checkpoint.root_hash)).decode("ascii"),
            "verifier_key": transparency.note_verifier_key(),
            "site_url": settings.SITE_URL,
        },
    )


@require_safe
@public_page
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    endorsement = get_object_or_404(
        Endorsement.objects.select_related("initiative", "member_state"), reference=reference.upper()
    )
    if reference != endorsement.reference:
        return redirect(endorsement, permanent=True)
    return render(request, "initiatives/receipt.html", {"endorsement": endorsement})


@require_safe
def certificate(request: HttpRequest, reference: str) -> HttpResponse:
    """The endorsement's certificate as an A4 PDF, in the page's language."""
    endorsement = get_object_or_404(
        Endorsement.objects.select_related("initiative", "member_state"), reference=reference.upper()
    )
    if reference != endorsement.reference:
        return redirect("initiatives:certificate", reference=endorsement.reference, permanent=True)
    document = certificates.certificate(endorsement, get_language())
    pdf = document.cached()
    if pdf is None:
        # Only a render costs CPU: a certificate already in the cache is never refused.
        # allauth's public consume() never limits a GET; its internal one does when asked to.
        if not ratelimit.consume(request, app="allauth.account", action="certificate", limit_get=True):
            refusal = _("Too many certificate requests came from your network. Try again in a minute.")
            response = _certificate_refused(request, endorsement, refusal, HTTPStatus.TOO_MANY_REQUESTS)
            response["Retry-After"] = "60"
            return response
        try:
            pdf = document.render()
        except certificates.CertificatesUnavailable:
            logger.exception("WeasyPrint cannot load: certificates cannot be rendered")
            refusal = _(
                "Certificates cannot be generated on this server at the moment. The endorsement's page is available."
            )
            return _certificate_refused(request, endorsement, refusal, HTTPStatus.SERVICE_UNAVAILABLE)
    # Shown in the browser, saved under a name that says what it is (letters, digits and hyphens only).
    disposition = f'inline; filename="{document.filename}"'
    return HttpResponse(pdf, content_type="application/pdf", headers={"Content-Disposition": disposition})


def _certificate_refused(request: HttpRequest, endorsement: Endorsement, refusal: str, status: int) -> HttpResponse:
    context = {"endorsement": endorsement, "refusal": refusal}
    return render(request, "initiatives/certificate_refused.html", context, status=status)


@login_required
@delegate_required
@fresh_authentication_required(keep=("statement",))
@require_http_methods(["GET", "POST"])
def endorse(request: HttpRequest, slug: str, *, delegate: Accreditation) -> HttpResponse:
    typed = typed_before_reauthentication(request)
    form = EndorseForm(posted(request), initial=typed)
    refusal = changed = None
    if request.method == "POST" and form.is_valid():
        # The write reads only the columns it needs; a refusal's page reads the whole row below.
        signing = published_for_signing(slug)
        if signing is None:
            raise Http404
        statement = form.cleaned_data["statement"]
        try:
            endorsement = endorse_initiative(
                initiative=signing,
                delegate=delegate,
                statement=statement,
                text_version=form.cleaned_data["text_version"],
            )
        except TextChanged as refused:
            # The form again, on the new text, with the statement kept: the delegate confirms again.
            form, changed = EndorseForm(initial={**typed, "statement": statement}), str(refused)
        except EndorsementRefused as refused:
            refusal = str(refused)
        else:
            messages.success(request, _("Your state's endorsement is recorded. This is its receipt."))
            return redirect(endorsement)
    initiative = get_object_or_404(Initiative.objects.published(), slug=slug)
    form.initial.setdefault("text_version", initiative.text_version)  # the version this page shows
    if refusal is None:
        try:
            check_can_endorse(initiative=initiative, delegate=delegate)
        except EndorsementRefused as refused:
            refusal = str(refused)
    context = {"initiative": initiative, "delegate": delegate, "form": form, "typed_before": bool(typed)}
    status = 409 if refusal or changed else 200
    return render(
        request, "initiatives/endorse.html", {**context, "refusal": refusal, "changed": changed}, status=status
    )


@login_required
@delegate_required
@fresh_authentication_required(keep=("reason",))
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, slug: str, *, delegate: Accreditation) -> HttpResponse:
    initiative = get_object_or_404(Initiative.objects.published(), slug=slug)
    current = Endorsement.objects.in_force().filter(initiative=initiative, member_state=delegate.member_state).first()
    typed = typed_before_reauthentication(request)
    form = WithdrawForm(posted(request), initial=typed)
    context = {
        "initiative": initiative,
        "delegate": delegate,
        "form": form,
        "current": current,
        "typed_before": bool(typed),
    }
    if current is None:
        refusal = _("Your state has no endorsement of this initiative in force.")
        return render(request, "initiatives/withdraw.html", {**context, "refusal": refusal}, status=409)
    if request.method == "POST" and form.is_valid():
        try:
            endorsement = withdraw_endorsement(
                initiative=initiative, delegate=delegate, reason=form.cleaned_data["reason"]
            )
        except EndorsementRefused as refusal:
            return render(request, "initiatives/withdraw.html", {**context, "refusal": str(refusal)}, status=409)
        messages.success(request, _("Your state's endorsement is withdrawn. The register keeps its history."))
        return redirect(endorsement)
    return render(request, "initiatives/withdraw.html", context)


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_safe
@public_page
def embed(request: HttpRequest, slug: str) -> HttpResponse:
    """A counter other sites may frame: the only pages without frame protection."""
    initiative = get_object_or_404(Initiative.objects.published().for_listing(), slug=slug)
    return render(request, "initiatives/embed.html", {"initiative": initiative})


@require_http_methods(["GET", "POST"])
def verify_receipt(request: HttpRequest) -> HttpResponse:
    """Check a signed receipt pasted by anyone; it reads and writes nothing in the register.

    With `?reference=` (a certificate's QR code), the page shows the register's current record of
    that endorsement, with its signed receipt in the form, checked."""
    form = VerifyReceiptForm(posted(request))
    result = None
    record: Endorsement | None = None
    reference = request.GET.get("reference", "").strip().upper()[:40] if request.method == "GET" else ""
    status = HTTPStatus.BAD_REQUEST if form.is_bound and not form.is_valid() else HTTPStatus.OK
    if reference:
        record = Endorsement.objects.select_related("initiative", "member_state").filter(reference=reference).first()
        if record is None:
            status = HTTPStatus.NOT_FOUND
        else:
            signed = json.dumps(receipts.signed_receipt(record), ensure_ascii=False, indent=2)
            form = VerifyReceiptForm({"receipt": signed})
    if form.is_bound and form.is_valid():
        result = receipts.verify_with_published_keys(form.cleaned_data["receipt"])
    context = {
        "form": form,
        "result": result,
        "reference": reference,
        "record": record,
        "public_key": receipts.public_key_pem(),
        "key_id": receipts.key_id(),
    }
    return render(request, "initiatives/verify_receipt.html", context, status=status)


@require_safe
@public_page
def initiative_versions(request: HttpRequest, slug: str) -> HttpResponse:
    """Every version of the text states endorse, with what changed from one to the next."""
    initiative = get_object_or_404(Initiative.objects.published(), slug=slug)
    return render(
        request,
        "initiatives/initiative_versions.html",
        {"initiative": initiative, "versions": texts.versions(initiative, get_language())},
    )


# --- Drafts and their coalitions, in the delegate space ------------------------------------------


@login_required
@delegate_required
@require_safe
def draft_list(request: HttpRequest, *, delegate: Accreditation) -> HttpResponse:
    """The drafts the delegate's state leads or co-sponsors, and its invitations to answer."""
    drafts = list(Initiative.objects.drafts_visible_to(delegate.member_state).select_related("theme").order_by("-pk"))
    invited = Sponsorship.Status.INVITED
    taking_part = [draft for draft in drafts if draft.own_status != invited]
    return render(
        request,
        "initiatives/drafts/list.html",
        {
            "delegate": delegate,
            "invitations": [draft for draft in drafts if draft.own_status == invited],
            "to_confirm": [
                draft for draft in taking_part if draft.submitted_at and draft.own_confirmed != draft.submitted_version
            ],
            "drafts": taking_part,
        },
    )


@login_required
@delegate_required
@fresh_authentication_required(keep=("title", "summary", "commitment"))
@require_http_methods(["GET", "POST"])
def draft_propose(request: HttpRequest, *, delegate: Accreditation) -> HttpResponse:
    typed = typed_before_reauthentication(request)
    form = DraftForm(posted(request), initial={"language": get_language(), **typed})
    if request.method == "POST" and form.is_valid():
        try:
            draft = coalitions.propose_draft(
                delegate=delegate, **{name: value for name, value in form.cleaned_data.items() if name != "authority"}
            )
        except coalitions.DraftRefused as refusal:
            form.add_error(refusal.field, str(refusal))
        else:
            messages.success(
                request, _("Your draft is saved. Only your state and the secretariat can read it; invite co-sponsors.")
            )
            return redirect("initiatives:draft", draft.pk)
    return render(
        request, "initiatives/drafts/propose.html", {"delegate": delegate, "form": form, "typed_before": bool(typed)}
    )


def _draft_page(
    request: HttpRequest,
    access: coalitions.DraftAccess,
    delegate: Accreditation,
    comment_form: CommentForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "initiatives/drafts/detail.html",
        {
            "delegate": delegate,
            "access": access,
            "texts": texts.written(access.draft),
            "discussion": coalitions.discussion(access.draft),
            "comment_form": comment_form or CommentForm(),
        },
    )


@login_required
@delegate_required
@require_safe
def draft_detail(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    return _draft_page(request, coalitions.draft_access(delegate=delegate, pk=pk), delegate)


@login_required
@delegate_required
@require_POST
def draft_comment(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    access = coalitions.draft_access(delegate=delegate, pk=pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            coalitions.comment_on_draft(draft=access.draft, delegate=delegate, text=form.cleaned_data["text"])
        except coalitions.DraftRefused as refusal:
            return _draft_refusal(request, {"delegate": delegate, "access": access, "action": "comment"}, str(refusal))
        messages.success(request, _("Your comment is added to the draft."))
        return redirect(reverse("initiatives:draft", args=[pk]) + "#comments-title")
    return _draft_page(request, access, delegate, form)


@login_required
@delegate_required
@require_safe
def draft_versions(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    """Every version of the draft and what each accepted amendment changed, for the states taking part."""
    access = coalitions.draft_access(delegate=delegate, pk=pk)
    return render(
        request,
        "initiatives/drafts/versions.html",
        {"delegate": delegate, "access": access, "versions": texts.draft_versions(access.draft)},
    )


@login_required
@delegate_required
@fresh_authentication_required(keep=("passage", "replacement", "explanation"))
@require_http_methods(["GET", "POST"])
def draft_amend(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    access = coalitions.draft_access(delegate=delegate, pk=pk)
    typed = typed_before_reauthentication(request)
    form = AmendmentForm(posted(request), initial=typed, languages=access.draft.written_in())
    context = {"delegate": delegate, "access": access, "form": form, "typed_before": bool(typed)}
    if not access.may_amend:
        refusal = (
            _("The lead state has submitted this text to the secretariat: it is no longer amended.")
            if access.is_submitted
            else _("Only the states that lead or co-sponsor this draft take part in agreeing its text.")
        )
        return _draft_refusal(request, {**context, "action": "amend"}, refusal)
    if request.method == "POST" and form.is_valid():
        try:
            coalitions.propose_amendment(
                draft=access.draft,
                delegate=delegate,
                **{name: value for name, value in form.cleaned_data.items() if name != "authority"},
            )
        except coalitions.DraftRefused as refusal:
            form.add_error(refusal.field, str(refusal))
        else:
            messages.success(request, _("Your amendment is proposed; the lead state accepts or rejects it."))
            return redirect(reverse("initiatives:draft", args=[pk]) + "#amendments-title")
    return render(request, "initiatives/drafts/amend.html", {**context, "texts": texts.written(access.draft)})


@login_required
@delegate_required
@fresh_authentication_required(keep=("reason",))
@require_http_methods(["GET", "POST"])
def amendment_accept(request: HttpRequest, pk: int, amendment: int, *, delegate: Accreditation) -> HttpResponse:
    return _decide_amendment(request, pk, amendment, delegate, accept=True)


@login_required
@delegate_required
@fresh_authentication_required(keep=("reason",))
@require_http_methods(["GET", "POST"])
def amendment_reject(request: HttpRequest, pk: int, amendment: int, *, delegate: Accreditation) -> HttpResponse:
    return _decide_amendment(request, pk, amendment, delegate, accept=False)


def _decide_amendment(
    request: HttpRequest, pk: int, amendment_pk: int, delegate: Accreditation, *, accept: bool
) -> HttpResponse:
    access, amendment = coalitions.amendment_access(delegate=delegate, pk=pk, amendment_pk=amendment_pk)
    typed = typed_before_reauthentication(request)
    form = AmendmentDecisionForm(posted(request), initial=typed)
    context = {
        "delegate": delegate,
        "access": access,
        "amendment": amendment,
        "accept": accept,
        "form": form,
        "typed_before": bool(typed),
    }
    if not access.is_lead:
        refusal = _("Only the delegates of the lead state decide on amendments.")
    elif amendment.status != amendment.Status.PROPOSED:
        refusal = _("This amendment has already been decided.")
    else:
        refusal = ""
    if refusal:
        return render(request, "initiatives/drafts/amendment.html", {**context, "refusal": refusal}, status=409)
    if request.method == "POST" and form.is_valid():
        write = coalitions.accept_amendment if accept else coalitions.reject_amendment
        try:
            write(amendment=amendment, delegate=delegate, reason=form.cleaned_data["reason"])
        except coalitions.DraftRefused as refusal:
            return render(
                request, "initiatives/drafts/amendment.html", {**context, "refusal": str(refusal)}, status=409
            )
        done = (
            _("The amendment is accepted: the draft has a new version.") if accept else _("The amendment is rejected.")
        )
        messages.success(request, done)
        return redirect(reverse("initiatives:draft", args=[pk]) + "#amendments-title")
    return render(request, "initiatives/drafts/amendment.html", context)


@login_required
@delegate_required
@fresh_authentication_required()
@require_http_methods(["GET", "POST"])
def draft_submit(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    return _decide(request, pk, delegate, action="submit")


@login_required
@delegate_required
@fresh_authentication_required()
@require_http_methods(["GET", "POST"])
def draft_confirm(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    return _decide(request, pk, delegate, action="confirm")


@login_required
@delegate_required
@fresh_authentication_required()
@require_http_methods(["GET", "POST"])
def draft_invite(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    access = coalitions.draft_access(delegate=delegate, pk=pk)
    taking_part = [row.member_state_id for row in access.sponsorships if row.status in Sponsorship.TAKING_PART]
    form = InviteForm(posted(request), inviting=taking_part)
    context = {"delegate": delegate, "access": access, "form": form, "action": "invite"}
    if not access.may_invite:
        return _draft_refusal(request, context, _("Only the delegates of the lead state invite co-sponsors."))
    if request.method == "POST" and form.is_valid():
        state = form.cleaned_data["member_state"]
        try:
            _row, told = coalitions.invite_state(draft=access.draft, delegate=delegate, member_state=state)
        except coalitions.DraftRefused as refusal:
            form.add_error(refusal.field, str(refusal))
        else:
            if told:
                done = _("%(state)s is invited; its delegates are told by email.")
            else:
                done = _("%(state)s is invited. It has no accredited delegate yet: tell its mission.")
            messages.success(request, done % {"state": state.name})
            return redirect("initiatives:draft", pk)
    return render(request, "initiatives/drafts/decision.html", context)


@login_required
@delegate_required
@fresh_authentication_required()
@require_http_methods(["GET", "POST"])
def draft_accept(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    return _decide(request, pk, delegate, action="accept")


@login_required
@delegate_required
@fresh_authentication_required()
@require_http_methods(["GET", "POST"])
def draft_decline(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    return _decide(request, pk, delegate, action="decline")


@login_required
@delegate_required
@fresh_authentication_required()
@require_http_methods(["GET", "POST"])
def draft_leave(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    return _decide(request, pk, delegate, action="leave")


@dataclass(frozen=True)
class Decision:
    """A state's decision about a draft: who may take it, the write, and what the delegate is told."""

    allowed: Callable[[coalitions.DraftAccess], bool]
    write: Callable[..., Sponsorship | Initiative]
    refused: StrOrPromise
    done: StrOrPromise  # with the state's name as %(state)s
    still_reads: bool  # whether the state reads the draft afterwards
    form: type[forms.Form] = DraftDecisionForm  # a commitment to the text: the endorsing statement


NO_INVITATION = gettext_lazy("Your state has no invitation to this draft waiting for an answer.")
DECISIONS = {
    "accept": Decision(
        lambda access: access.may_answer,
        coalitions.accept_invitation,
        NO_INVITATION,
        gettext_lazy("%(state)s co-sponsors this draft."),
        still_reads=True,
    ),
    "decline": Decision(
        lambda access: access.may_answer,
        coalitions.decline_invitation,
        NO_INVITATION,
        gettext_lazy("%(state)s declined the invitation."),
        still_reads=False,
    ),
    "leave": Decision(
        lambda access: access.may_leave,
        coalitions.leave_draft,
        gettext_lazy("Only a co-sponsor leaves a draft; the lead state hands the lead over first."),
        gettext_lazy("%(state)s left the draft."),
        still_reads=False,
    ),
    "submit": Decision(
        lambda access: access.may_submit,
        coalitions.submit_draft,
        gettext_lazy("Only the delegates of the lead state submit the draft, once."),
        gettext_lazy("%(state)s submitted the text to the secretariat; the co-sponsors are asked to confirm it."),
        still_reads=True,
        form=ConfirmTextForm,
    ),
    "confirm": Decision(
        lambda access: access.may_confirm,
        coalitions.confirm_text,
        gettext_lazy("Only a co-sponsor confirms the submitted text, once the lead state has submitted it."),
        gettext_lazy("%(state)s confirmed the submitted text; it will be listed as a sponsor when it opens."),
        still_reads=True,
        form=ConfirmTextForm,
    ),
}


def _decide(request: HttpRequest, pk: int, delegate: Accreditation, *, action: str) -> HttpResponse:
    access = coalitions.draft_access(delegate=delegate, pk=pk)
    decision = DECISIONS[action]
    form = decision.form(posted(request))
    context = {
        "delegate": delegate,
        "access": access,
        "form": form,
        "action": action,
        "texts": texts.written(access.draft),
    }
    if not decision.allowed(access):
        return _draft_refusal(request, context, str(decision.refused))
    if request.method == "POST" and form.is_valid():
        try:
            decision.write(draft=access.draft, delegate=delegate)
        except coalitions.DraftRefused as refusal:
            return _draft_refusal(request, context, str(refusal))
        messages.success(request, str(decision.done) % {"state": delegate.member_state.name})
        return redirect("initiatives:draft", pk) if decision.still_reads else redirect("initiatives:drafts")
    return render(request, "initiatives/drafts/decision.html", context)


@login_required
@delegate_required
@fresh_authentication_required()
@require_http_methods(["GET", "POST"])
def draft_hand_over(request: HttpRequest, pk: int, *, delegate: Accreditation) -> HttpResponse:
    access = coalitions.draft_access(delegate=delegate, pk=pk)
    form = HandOverForm(posted(request), successors=[row.member_state_id for row in access.successors])
    context = {"delegate": delegate, "access": access, "form": form, "action": "hand_over"}
    if not access.may_hand_over:
        if not access.is_lead:
            refusal = _("Only the delegates of the lead state hand over the lead.")
        elif access.is_submitted:
            refusal = str(coalitions.HANDED_OVER_TOO_LATE)
        else:
            refusal = _("No state has accepted to co-sponsor this draft yet: the lead passes only to a co-sponsor.")
        return _draft_refusal(request, context, refusal)
    if request.method == "POST" and form.is_valid():
        state = form.cleaned_data["member_state"]
        try:
            coalitions.hand_over_lead(draft=access.draft, delegate=delegate, to_state=state)
        except coalitions.DraftRefused as refusal:
            return _draft_refusal(request, context, str(refusal))
        messages.success(request, _("%(state)s now leads this draft.") % {"state": state.name})
        return redirect("initiatives:draft", pk)
    return render(request, "initiatives/drafts/decision.html", context)


def _draft_refusal(request: HttpRequest, context: dict[str, Any], refusal: str) -> HttpResponse:
    return render(request, "initiatives/drafts/decision.html", {**context, "refusal": refusal}, status=409)
