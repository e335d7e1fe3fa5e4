"""Every change to an initiative's texts and lifecycle goes through this module, whoever makes it:
the admin, the reference data, a command. Forms only collect the change and show the refusals.

The rules: a change to the commitment of an open initiative is declared material (a new text
version, which later endorsements endorse) or editorial (the same version); a material change
says the same in every language; an edit made on a stale copy is refused, never saved over
another's; an initiative is published (open or closed) only with its title, summary and
commitment in every language; an initiative some state has endorsed is never unpublished; and
closing an initiative closes its signing window that day.

A draft a state proposed (`coalitions`) belongs to its states until its lead submits it: nobody
else changes its texts or makes a new version of it, and it opens only once submitted, with a
signing window open that day; the texts the states submitted stay as they agreed them, and the
secretariat adds the other languages. Opening it publishes its coalition
(`coalitions.publish_coalition`), on every path that opens it.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, get_language_info, gettext_lazy, pgettext
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from alliance import caching
from initiatives import texts, transparency
from initiatives.models import Initiative
from members.models import User


class PublishingRefused(Exception):
    """The change breaks a rule of publishing; `field` names the input it concerns, if one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _language_list(codes: list[str]) -> str:
    """The languages' names, as a list inside a sentence of the active language."""
    names = [str(get_language_info(code)["name_translated"]) for code in codes]
    if get_language() != "en":  # Django's names are capitalised; mid-sentence, only English does so
        names = [name.lower() for name in names]
    return pgettext("separator of a list", ", ").join(names)


def check_initiative_change(
    *,
    initiative: Initiative,
    changed: Collection[str],
    material: bool | None,
    seen_revision: int | None,
    by_coalition: bool = False,
) -> Initiative | None:
    """Refuse, with the rule it breaks, saving `initiative` as changed (its `changed` fields, by
    their form names) against the stored row, which it returns (locked; None for a new one).
    `by_coalition`: the change is a step of its states (`coalitions`), not the secretariat's."""
    stored = Initiative.objects.select_for_update().filter(pk=initiative.pk).first() if initiative.pk else None
    if stored is not None and stored.status == Initiative.Status.DRAFT and not by_coalition:
        _check_states_draft(stored=stored, initiative=initiative, changed=changed, material=material)
    if stored is not None and seen_revision is not None and stored.revision != seen_revision:
        raise PublishingRefused(_stale_edit(stored))
    if stored is not None and stored.status != Initiative.Status.DRAFT and initiative.slug != stored.slug:
        raise PublishingRefused(
            _("A published initiative keeps its address: links, feeds and the transparency log name it by it."),
            field="slug",
        )
    commitment_changed = texts.commitment_changed(list(changed))
    if stored is not None and stored.status == Initiative.Status.OPEN and commitment_changed and material is None:
        raise PublishingRefused(_("Say whether this change to the commitment is material."), field="material_change")
    unchanged = texts.commitment_unchanged_in(list(changed))
    if material and len(unchanged) == len(texts.languages()):
        raise PublishingRefused(
            _(
                "The commitment has not changed, so there is no new text version: change the "
                "commitment in every language, or answer “Editorial”."
            ),
            field="material_change",
        )
    if material and unchanged:
        raise PublishingRefused(
            _(
                "A new text version must say the same in every language. Commitment still unchanged "
                "in: %(languages)s. Change it in those languages too, or mark the change as editorial."
            )
            % {"languages": _language_list(unchanged)},
            field="material_change",
        )
    if initiative.status != Initiative.Status.DRAFT and (missing := initiative.missing_to_open()):
        raise PublishingRefused(
            _("An initiative is published only once these texts exist: %(missing)s.") % {"missing": ", ".join(missing)},
            field="status",
        )
    if (
        stored is not None
        and stored.status != Initiative.Status.DRAFT
        and initiative.status == Initiative.Status.DRAFT
        and stored.endorsements.exists()
    ):
        raise PublishingRefused(
            _(
                "States have endorsed this initiative: it stays published, with its receipts. "
                "Close it instead, to end endorsements."
            ),
            field="status",
        )
    return stored


NOT_SUBMITTED = gettext_lazy(
    "A state proposed this draft and its lead state has not submitted it to the secretariat: "
    "it cannot be published yet."
)


def check_not_published_before_submission(*, initiative: Initiative) -> None:
    """Refuse publishing a state's draft its lead has not submitted, whatever else is wrong with
    the change (a form shows this first, beside its other errors)."""
    if initiative.pk is None or initiative.status == Initiative.Status.DRAFT:
        return
    from initiatives.coalitions import is_states_draft  # coalitions writes through this module

    stored = Initiative.objects.filter(pk=initiative.pk).values_list("status", "submitted_at").first()
    if stored and stored[0] == Initiative.Status.DRAFT and stored[1] is None and is_states_draft(initiative):
        raise PublishingRefused(str(NOT_SUBMITTED), field="status")


def _check_states_draft(
    *, stored: Initiative, initiative: Initiative, changed: Collection[str], material: bool | None
) -> None:
    """The secretariat's side of a state's draft (see the module's docstring)."""
    from initiatives.coalitions import DRAFT_TEXTS, is_states_draft  # coalitions writes through this module

    if not is_states_draft(stored):
        return
    submitted = stored.submitted_at is not None
    texts_changed = [name for name in changed if name in texts.TRANSLATED or _base(name) in texts.TRANSLATED]
    if not submitted and initiative.status != Initiative.Status.DRAFT:
        raise PublishingRefused(str(NOT_SUBMITTED), field="status")
    if not submitted and texts_changed:
        raise PublishingRefused(
            _(
                "A state proposed this draft and its states are still agreeing its text: it changes only "
                "by their amendments until the lead state submits it."
            ),
            field=texts_changed[0],
        )
    if material or initiative.text_version != stored.text_version:
        raise PublishingRefused(
            _("A new version of a state's draft comes only from its states' amendments."), field="material_change"
        )
    submitted_columns = {
        build_localized_fieldname(field, code) for field in DRAFT_TEXTS for code in stored.submitted_in
    }
    agreed = [name for name in texts_changed if name in submitted_columns]
    if agreed:
        raise PublishingRefused(
            _(
                "The states taking part confirmed this text as their lead submitted it: complete the "
                "other languages, and leave the submitted ones as they are."
            ),
            field=agreed[0],
        )
    if initiative.status == Initiative.Status.DRAFT:
        return
    if initiative.status != Initiative.Status.OPEN:
        raise PublishingRefused(_("A state's draft is published by opening it for endorsement."), field="status")
    today = timezone.localdate()
    if initiative.signing_closes_on is not None and initiative.signing_closes_on < today:
        raise PublishingRefused(
            _("A state's draft opens for endorsement: its signing window cannot have closed already."),
            field="signing_closes_on",
        )
    if initiative.signing_opens_on is None or initiative.signing_opens_on > today:
        raise PublishingRefused(
            _(
                "A state's draft opens on the first day of its signing window: its co-sponsors' confirmations "
                "become endorsements dated that day. Open it on that day, with the window opening then."
            ),
            field="signing_opens_on",
        )


def _base(name: str) -> str:
    """The translated field a form field names ("commitment" for "commitment_zh_hans")."""
    for field in texts.TRANSLATED:
        if name == field or name.startswith(f"{field}_"):
            return field
    return name


@transaction.atomic
def save_initiative(
    *,
    initiative: Initiative,
    changed: Collection[str] = (),
    material: bool | None = None,
    seen_revision: int | None = None,
    by_a_person: bool = True,
    by_coalition: bool = False,
    by: User | None = None,
) -> Initiative:
    """Save a new or changed initiative under the rules above.

    `changed` names the fields edited ("title_fr", …); edited `by_a_person`, a text counts as
    reviewed in its language (the reference data sets its own statuses). `material` answers
    whether a change to the commitment makes a new text version; `seen_revision` is the revision
    the editor started from; `by_coalition`, the change is a step of a state's draft's coalition
    (`coalitions`); `by`, the secretariat's member who makes the change, if one.
    """
    stored = check_initiative_change(
        initiative=initiative,
        changed=changed,
        material=material,
        seen_revision=seen_revision,
        by_coalition=by_coalition,
    )
    if by_a_person:
        texts.mark_edited(initiative, list(changed))
    if material:
        initiative.text_version += 1
    today = timezone.localdate()
    if initiative.status == Initiative.Status.CLOSED and (
        initiative.signing_closes_on is None or initiative.signing_closes_on > today
    ):
        initiative.signing_closes_on = today  # a back-dated record later follows the window as it was
    opens_states_draft = (
        stored is not None
        and stored.status == Initiative.Status.DRAFT
        and initiative.status == Initiative.Status.OPEN
        and stored.submitted_at is not None
    )
    if opens_states_draft and initiative.signing_opens_on is not None:
        initiative.launched_on = initiative.signing_opens_on  # until then, the day it was proposed to open
    if initiative.pk:
        initiative.revision += 1
    initiative.save()
    caching.register_changed()
    # The transparency log records each public change of status, each new text version, and each
    # change of a published initiative's signing window (which decides what may be recorded).
    was_published = stored is not None and stored.status != Initiative.Status.DRAFT
    if (stored is None or stored.status != initiative.status) and (
        was_published or initiative.status != Initiative.Status.DRAFT
    ):
        transparency.log_initiative(initiative=initiative, kind=initiative.status)
    if opens_states_draft:
        from initiatives.coalitions import publish_coalition  # coalitions writes through this module

        publish_coalition(initiative=initiative, recorded_by=by)
    if material and initiative.status != Initiative.Status.DRAFT:
        transparency.log_initiative(initiative=initiative, kind="text_version")
    window = (initiative.signing_opens_on, initiative.signing_closes_on)
    if (
        stored is not None
        and was_published
        and stored.status == initiative.status
        and (stored.signing_opens_on, stored.signing_closes_on) != window
    ):
        transparency.log_initiative(initiative=initiative, kind="window")  # it decides which records fit
    return initiative


def _stale_edit(stored: Initiative) -> str:
    latest = stored.history.latest()  # type: ignore[attr-defined]
    changed = latest.diff_against(latest.prev_record).changed_fields if latest.prev_record else []
    # Named as the form labels them ("summary [en]"). Left out: the revision, which is how a stale
    # edit is noticed, and each translated text's base field, a copy of its default-language column.
    labels = [Initiative.text_label(name) for name in changed if name != "revision" and name not in texts.TRANSLATED]
    return _(
        "%(who)s saved this initiative at %(when)s while you were editing it (changed: %(fields)s). "
        "Nothing of yours was saved: reload the page to see their version, then make your changes again."
    ) % {
        "who": latest.history_user or _("someone"),
        "when": latest.history_date.strftime("%Y-%m-%d %H:%M UTC"),
        "fields": ", ".join(labels) or "–",
    }
