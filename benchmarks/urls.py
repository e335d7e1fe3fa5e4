from django.http import HttpRequest, HttpResponse
from django.urls import path

from alliance.urls import handler500  # noqa: F401 - the root URLconf names the error handler
from alliance.urls import urlpatterns as site


def baseline(request: HttpRequest) -> HttpResponse:
    """The cheapest Django response: routing and middleware, no template, no database."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/baseline", baseline), *site]
