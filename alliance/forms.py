"""What every form view of the register shares."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST, even an empty one: an empty POST is then a form with its errors
    (a box left unticked, a field left out), never a blank new form that says nothing."""
    return request.POST if request.method == "POST" else None
