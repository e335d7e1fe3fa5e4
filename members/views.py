from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from alliance.forms import posted
from initiatives.models import Endorsement, Initiative, Sponsorship
from members.accreditation import (
    AccreditationRefused,
    renewable_accreditation,
    request_accreditation,
    request_renewal,
)
from members.forms import AccreditationRequestForm, MandateForm
from members.middleware import staff_only
from members.models import Accreditation, AuthenticatedHttpRequest


@login_required
@require_safe
def delegate_space(request: AuthenticatedHttpRequest) -> HttpResponse:
    accreditation = Accreditation.objects.held_by(request.user).first()
    renewal = None
    if accreditation is not None and accreditation.status == Accreditation.Status.APPROVED:
        renewal = Accreditation.objects.pending().filter(renews=accreditation).first()
    context = {"accreditation": accreditation, "renewal": renewal, "mfa_enabled": is_mfa_enabled(request.user)}
    if accreditation is not None and accreditation.is_active():
        state = accreditation.member_state
        rows = list(Endorsement.objects.filter(member_state=state).for_state_page())
        endorsed = {row.initiative_id for row in rows if row.withdrawn_on is None}
        context |= {
            "endorsements": rows,
            "to_endorse": [i for i in Initiative.objects.open_for_endorsement() if i.pk not in endorsed],
            "invitations": list(
                Initiative.objects.drafts_visible_to(state)
                .filter(own_status=Sponsorship.Status.INVITED)
                .order_by("-pk")
            ),
        }
    return render(request, "members/delegate_space.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def accreditation_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccreditationRequestForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_accreditation(
                user=request.user,
                member_state=form.cleaned_data["member_state"],
                position=form.cleaned_data["position"],
                evidence=form.cleaned_data["evidence"],
                evidence_type=form.evidence_type,
                language=get_language(),
            )
        except AccreditationRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("members:delegate")
        messages.success(
            request, _("Your request is sent to the secretariat. You will be told of its decision by email.")
        )
        return redirect("members:delegate")
    return render(request, "members/accreditation_request.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def accreditation_renewal(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The same request as a first one, for the state of the accreditation the delegate holds."""
    try:
        held = renewable_accreditation(request.user)
    except AccreditationRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("members:delegate")
    form = MandateForm(posted(request), request.FILES or None, initial={"position": held.position})
    if request.method == "POST" and form.is_valid():
        try:
            request_renewal(
                accreditation=held,
                position=form.cleaned_data["position"],
                evidence=form.cleaned_data["evidence"],
                evidence_type=form.evidence_type,
                language=get_language(),
            )
        except AccreditationRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("members:delegate")
        messages.success(
            request,
            _(
                "Your renewal request is sent to the secretariat. Your accreditation keeps working until its end;"
                " you will be told of the decision by email."
            ),
        )
        return redirect("members:delegate")
    return render(request, "members/accreditation_request.html", {"form": form, "renewing": held})


@staff_only
@login_required
@permission_required("members.view_accreditation", raise_exception=True)
@require_safe
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, to the secretariat only (with its second factor); it has no public URL."""
    accreditation = get_object_or_404(Accreditation, pk=pk)
    response = FileResponse(accreditation.evidence.open("rb"), content_type=accreditation.evidence_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{accreditation.pk}"'
    response["Cache-Control"] = "private, no-store"
    return response
