"""The rules of publishing hold on every path, not only in the admin: here, called as the reference
data, a command or any future path would call `initiatives.publishing`."""

import datetime

import pytest
from django.utils import timezone

from initiatives.endorsing import EndorsementRefused, record_endorsement
from initiatives.models import Initiative
from initiatives.publishing import PublishingRefused, save_initiative
from members.models import MemberState
from tests.factories import UserFactory


def test_a_draft_is_not_published_as_closed_with_missing_translations(register):
    initiative = Initiative.objects.get(slug="climate-and-security")
    Initiative.objects.filter(pk=initiative.pk).update(status=Initiative.Status.DRAFT, title_ar="")
    initiative.refresh_from_db()
    initiative.status = Initiative.Status.CLOSED
    with pytest.raises(PublishingRefused, match=r"published only once these texts exist: title \[ar\]"):
        save_initiative(initiative=initiative)
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.DRAFT


def test_an_initiative_states_endorsed_is_never_unpublished(register, anonymous):
    initiative = Initiative.objects.get(slug="paris-call")
    initiative.status = Initiative.Status.DRAFT
    with pytest.raises(PublishingRefused, match="stays published"):
        save_initiative(initiative=initiative)
    assert Initiative.objects.get(slug="paris-call").status == Initiative.Status.OPEN
    assert anonymous.get("/en/initiatives/paris-call/").status_code == 200


def test_an_initiative_nobody_endorsed_may_go_back_to_draft(register):
    initiative = Initiative.objects.get(slug="climate-and-security")
    initiative.status = Initiative.Status.DRAFT
    save_initiative(initiative=initiative)
    assert Initiative.objects.get(slug="climate-and-security").status == Initiative.Status.DRAFT


def test_closing_ends_the_signing_window_that_day_and_back_dated_records_still_fit(register):
    initiative = Initiative.objects.get(slug="climate-and-security")
    initiative.status = Initiative.Status.CLOSED
    save_initiative(initiative=initiative)
    initiative.refresh_from_db()
    today = timezone.localdate()
    assert initiative.signing_closes_on == today
    staff = UserFactory(is_staff=True)
    record = {"initiative": initiative, "recorded_by": staff, "source_note": "Note verbale", "announce": False}
    during = initiative.signing_opens_on + datetime.timedelta(days=1)
    assert record_endorsement(member_state=MemberState.objects.get(code="NOR"), endorsed_on=during, **record)
    with pytest.raises(EndorsementRefused, match="not open for endorsement"):
        record_endorsement(member_state=MemberState.objects.get(code="CHL"), endorsed_on=today, **record)


def test_a_stale_copy_is_never_saved_over_anothers_edit(register):
    first = Initiative.objects.get(slug="climate-and-security")
    second = Initiative.objects.get(slug="climate-and-security")
    seen = first.revision
    first.title_fr = "Initiative climat et sécurité (révisée)"
    save_initiative(initiative=first, changed=["title_fr"], seen_revision=seen)
    second.title_fr = "Autre titre"
    with pytest.raises(PublishingRefused, match="while you were editing it"):
        save_initiative(initiative=second, changed=["title_fr"], seen_revision=seen)
    assert Initiative.objects.get(slug="climate-and-security").title_fr == "Initiative climat et sécurité (révisée)"
