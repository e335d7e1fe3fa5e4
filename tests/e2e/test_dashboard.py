"""A secretariat editor signs in with a second factor, opens the dashboard and follows a figure to
the list where it is dealt with."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import Page, expect

from initiatives.models import Initiative, Sponsorship
from members.models import MemberState
from tests.e2e.steps import PASSWORD, current_totp, sign_in
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_secretariat_editor_follows_the_drafts_figure_to_its_list(live_register, page: Page):
    base = live_register.url
    draft = InitiativeFactory(slug="ocean-commons", title="Ocean commons", status=Initiative.Status.DRAFT)
    Sponsorship.objects.create(
        initiative=draft,
        member_state=MemberState.objects.get(code="FRA"),
        role=Sponsorship.Role.LEAD,
        status=Sponsorship.Status.ACCEPTED,
        decided_at=timezone.now(),
        decided_by=UserFactory(email="proposer@mission.example"),
    )
    editor = UserFactory(email="editor@secretariat.example", password=PASSWORD, is_staff=True)
    # The browser tests empty every table, the groups that migrations made included: the editors'
    # group is made again with the permissions of theirs this page needs (members/migrations/0004).
    editors, _created = Group.objects.get_or_create(name="Secretariat editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="initiatives", codename__in=["view_initiative", "change_initiative"]
        )
    )
    editor.groups.add(editors)
    EmailAddress.objects.create(user=editor, email=editor.email, primary=True, verified=True)
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)
    sign_in(page, base, editor.email, PASSWORD)
    page.get_by_label("Code").fill(current_totp(secret))
    page.get_by_role("button", name="Sign In").click()

    page.goto(f"{base}/en/admin/")
    expect(page.get_by_role("heading", name="What waits for the secretariat")).to_be_visible()
    figures = page.get_by_role("table", name="Each figure opens the list where it is dealt with.")
    drafts = figures.get_by_role("row", name="Drafts proposed by states")
    expect(drafts.get_by_role("cell", name="1", exact=True)).to_be_visible()
    expect(figures.get_by_role("link", name="Pending accreditations")).to_have_count(0)  # admins decide those

    drafts.get_by_role("link", name="Drafts proposed by states").click()
    expect(page).to_have_url(f"{base}/en/admin/initiatives/initiative/?status__exact=draft")
    expect(page.get_by_role("link", name="Ocean commons")).to_be_visible()
