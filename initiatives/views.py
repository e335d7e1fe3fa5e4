from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from initiatives.forms import InitiativeFilterForm
from initiatives.models import Endorsement, Event, Initiative
from members.models import MemberState
from members.regions import group_by_region


@require_safe
def initiative_list(request: HttpRequest) -> HttpResponse:
    form = InitiativeFilterForm(request.GET or None)
    initiatives = Initiative.objects.published().for_listing()
    if form.is_valid():
        initiatives = form.filter(initiatives)
    return render(request, "initiatives/initiative_list.html", {"form": form, "initiatives": initiatives})


@require_safe
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative.objects.published().for_detail(), slug=slug)
    rows = list(Endorsement.objects.filter(initiative=initiative).for_initiative_page())
    in_force = [row for row in rows if row.withdrawn_on is None]
    withdrawn = sorted((row for row in rows if row.withdrawn_on is not None), key=lambda row: row.endorsed_on)
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "initiative": initiative,
            "endorsements_by_region": group_by_region(in_force, key=lambda row: row.member_state),
            "endorsement_count": len(in_force),
            "withdrawn": withdrawn,
            "figures": initiative.reported_figures.all(),
        },
    )


@require_safe
def state_list(request: HttpRequest) -> HttpResponse:
    states = list(MemberState.objects.for_listing())
    return render(request, "initiatives/state_list.html", {"states_by_region": group_by_region(states)})


@require_safe
def state_detail(request: HttpRequest, code: str) -> HttpResponse:
    if code != code.lower():
        return HttpResponsePermanentRedirect(request.path.replace(f"/{code}/", f"/{code.lower()}/"))
    state = get_object_or_404(MemberState, code=code.upper())
    rows = list(Endorsement.objects.filter(member_state=state).for_state_page())
    history: dict[Initiative, list[Endorsement]] = {}
    for row in sorted(rows, key=lambda row: (row.initiative.launched_on, row.initiative.slug, row.endorsed_on)):
        history.setdefault(row.initiative, []).append(row)
    return render(
        request,
        "initiatives/state_detail.html",
        {
            "state": state,
            "in_force": [row for row in rows if row.withdrawn_on is None],
            "history": history,
            "led": Initiative.objects.published().filter(lead_states=state).order_by("launched_on"),
            "events": state.co_chaired_events.order_by("date"),
        },
    )


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "initiatives/event_list.html", {"events": Event.objects.for_listing()})


@require_safe
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    endorsement = get_object_or_404(
        Endorsement.objects.select_related("initiative", "member_state"), reference=reference.upper()
    )
    if reference != endorsement.reference:
        return redirect(endorsement, permanent=True)
    return render(request, "initiatives/receipt.html", {"endorsement": endorsement})
