from __future__ import annotations

from http import HTTPStatus

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.validators import slug_re
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from alliance.forms import posted
from initiatives.models import Initiative
from initiatives.views import STATE_CODE
from members.models import MemberState
from subscriptions import subscribing
from subscriptions.forms import FollowForm
from subscriptions.models import Subscription


def _days() -> dict[str, int]:
    """How long a confirmation link works, for the pages that say so."""
    return {"days": settings.SUBSCRIPTION_CONFIRM_DAYS}


def _followed(query: QueryDict) -> tuple[Initiative | None, MemberState | None]:
    """What the follow page is for: `?initiative=<slug>`, `?state=<code>`, or (neither) everything."""
    slug, code = query.get("initiative", ""), query.get("state", "")
    if (slug and code) or (slug and not slug_re.fullmatch(slug)) or (code and not STATE_CODE.fullmatch(code)):
        raise Http404
    initiative = get_object_or_404(Initiative.objects.published(), slug=slug) if slug else None
    state = get_object_or_404(MemberState, code=code.upper()) if code else None
    return initiative, state


@never_cache
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    initiative, state = _followed(request.GET)
    form = FollowForm(posted(request))
    status = HTTPStatus.OK
    if request.method == "POST":
        if not ratelimit.consume(request, action="subscribe"):  # per network address
            form.add_error(None, _("Too many subscription requests came from your network. Try again in an hour."))
            status = HTTPStatus.TOO_MANY_REQUESTS
        elif form.is_valid():
            email = form.cleaned_data["email"]
            # Past its limit, an address is sent nothing more, and the answer stays the same.
            if ratelimit.consume(request, action="subscribe_address", key=email):
                subscribing.follow(
                    email=email,
                    initiative=initiative,
                    member_state=state,
                    frequency=Subscription.Frequency(form.cleaned_data["frequency"]),
                    language=get_language(),
                )
            return redirect("subscriptions:requested")
        else:
            status = HTTPStatus.BAD_REQUEST
    context = {"form": form, "initiative": initiative, "state": state, **_days()}
    return render(request, "subscriptions/follow.html", context, status=status)


@require_safe
def requested(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/requested.html", _days())


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation link lands here (a mail scanner's GET changes nothing); the button confirms."""
    subscription = (
        Subscription.objects.confirmable().select_related("initiative", "member_state").filter(token=token).first()
    )
    if subscription is None:
        return render(request, "subscriptions/link_not_valid.html", _days(), status=HTTPStatus.NOT_FOUND)
    if request.method == "POST":
        subscribing.confirm(token=token)
        messages.success(
            request,
            _("Your subscription is confirmed: you follow %(target)s by email.")
            % {"target": subscription.target_name()},
        )
        return redirect(subscription.target_url())
    return render(request, "subscriptions/confirm.html", {"subscription": subscription})


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a token. This view only ever unsubscribes.
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every email: a GET shows a button, a POST (the button or the mail client) unsubscribes."""
    if request.method == "POST":
        subscribing.unsubscribe(token=token)  # the same answer when it was already done
        return render(request, "subscriptions/unsubscribed.html")
    subscription = Subscription.objects.select_related("initiative", "member_state").filter(token=token).first()
    if subscription is None:
        return render(request, "subscriptions/link_not_valid.html", _days(), status=HTTPStatus.NOT_FOUND)
    return render(request, "subscriptions/unsubscribe.html", {"subscription": subscription})
