"""The secretariat's import of historical lists into the register, and its CSV export, in the admin.

EndorsementAdmin routes `import/` to `import_view` and offers `export_csv` as an action.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections import Counter
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alliance.csv_files import csv_response
from initiatives.importing import ImportFileError, PreviewRow, commit, preview, read_rows
from initiatives.models import Endorsement
from members.models import User

TEMPLATE = "admin/initiatives/endorsement/import.html"
SESSION_PREFIX = "initiatives.endorsement_import."
MAX_UPLOAD_SIZE = 2 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")
OUTCOME_LABELS = {
    "create": _("To create"),
    "present": _("Already in the register"),
    "error": _("Error"),
}
EXPORT_COLUMNS = (
    "reference",
    "initiative",
    "state_code",
    "state_name",
    "regional_group",
    "endorsed_on",
    "date_precision",
    "channel",
    "text_version",
    "statement",
    "source_url",
    "source_note",
    "withdrawn_on",
    "withdrawal_reason",
)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("List of endorsements"),
        help_text=_("A .csv or .xlsx file of at most 2 MB."),
        widget=forms.FileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in EXTENSIONS:
            raise ValidationError(_("Choose a .csv or .xlsx file."), code="extension")
        if (upload.size or 0) > MAX_UPLOAD_SIZE:
            raise ValidationError(_("The file is larger than 2 MB: split it into smaller files."), code="size")
        return upload


class ConfirmImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


def import_view(model_admin: admin.ModelAdmin[Endorsement], request: HttpRequest) -> HttpResponse:
    """Upload a list and preview it (GET, POST with a file); record it (POST with the preview's token).

    Nothing is written before the confirmation, and the confirmation previews the file again,
    since the register may have changed in between.
    """
    user = request.user
    if not isinstance(user, User) or not user.has_perm("initiatives.add_endorsement"):
        raise PermissionDenied
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "POST" and "token" in request.POST:
        return _confirm(model_admin, request, user)

    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            rows = preview(read_rows(data, upload.name))
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            token = _keep_upload(request, upload.name, data)
            return _render(model_admin, request, ImportForm(), rows=rows, filename=upload.name, token=token)
    return _render(model_admin, request, form)


def _confirm(model_admin: admin.ModelAdmin[Endorsement], request: HttpRequest, user: User) -> HttpResponse:
    confirm = ConfirmImportForm(request.POST)
    upload = _kept_upload(request, confirm.cleaned_data["token"]) if confirm.is_valid() else None
    if upload is None:
        model_admin.message_user(request, _("This preview has expired: upload the file again."), messages.WARNING)
        return redirect(request.path)
    filename, data = upload
    # Read again: the register may have changed since the preview. Only the lines to create are written.
    rows = preview(read_rows(data, filename))
    try:
        created = commit(rows, recorded_by=user)
    except ImportFileError as error:
        model_admin.message_user(request, str(error), messages.ERROR)
        return redirect(request.path)
    finally:
        _forget_uploads(request)
    model_admin.message_user(
        request,
        ngettext(
            "%(count)s endorsement was imported.",
            "%(count)s endorsements were imported.",
            created,
        )
        % {"count": created},
        messages.SUCCESS,
    )
    opts = model_admin.model._meta
    return redirect(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=model_admin.admin_site.name)
    )


def _keep_upload(request: HttpRequest, filename: str, data: bytes) -> str:
    """Keep the previewed file in the session until it is confirmed; returns its token."""
    _forget_uploads(request)
    token = secrets.token_urlsafe(16)
    request.session[SESSION_PREFIX + token] = {"filename": filename, "data": base64.b64encode(data).decode("ascii")}
    return token


def _kept_upload(request: HttpRequest, token: str) -> tuple[str, bytes] | None:
    kept = request.session.get(SESSION_PREFIX + token)
    if not isinstance(kept, dict):
        return None
    try:
        return str(kept["filename"]), base64.b64decode(kept["data"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        return None


def _forget_uploads(request: HttpRequest) -> None:
    for key in [key for key in request.session.keys() if key.startswith(SESSION_PREFIX)]:
        del request.session[key]


def _render(
    model_admin: admin.ModelAdmin[Endorsement],
    request: HttpRequest,
    form: ImportForm,
    *,
    rows: list[PreviewRow] | None = None,
    filename: str = "",
    token: str = "",
) -> HttpResponse:
    outcomes = Counter(row.outcome for row in rows or [])
    context: dict[str, Any] = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import endorsements"),
        "form": form,
        "previewed": rows is not None,
        "rows": [(row, OUTCOME_LABELS[row.outcome]) for row in rows or []],
        "filename": filename,
        "to_create": outcomes["create"],
        "present": outcomes["present"],
        "errors": outcomes["error"],
        "confirm_form": ConfirmImportForm(initial={"token": token}) if token and outcomes["create"] else None,
    }
    return TemplateResponse(request, TEMPLATE, context)


def export_csv(queryset: QuerySet[Endorsement]) -> HttpResponse:
    """The rows as a CSV file a spreadsheet opens as UTF-8, in the queryset's order."""
    return csv_response(
        filename=f"endorsements-{timezone.localdate().isoformat()}.csv",
        columns=EXPORT_COLUMNS,
        rows=(
            (
                endorsement.reference,
                endorsement.initiative.slug,
                endorsement.member_state.code,
                endorsement.member_state.name,
                endorsement.member_state.regional_group,
                endorsement.endorsed_on,
                endorsement.date_precision,
                endorsement.channel,
                endorsement.text_version,
                endorsement.statement,
                endorsement.source_url,
                endorsement.source_note,
                endorsement.withdrawn_on,
                endorsement.withdrawal_reason,
            )
            for endorsement in queryset.select_related("initiative", "member_state")
        ),
        byte_order_mark=True,
    )
