import datetime
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members.models import Accreditation, MemberState, User

DEMO_EVIDENCE = b"%PDF-1.4\n% Demo evidence for a local run of the Alliance register; not a real document.\n%%EOF\n"


class Command(BaseCommand):
    help = "Create (or reset) the demo accounts of a local run and print their passwords. DEBUG only."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts exist only in a local run with DEBUG on.")
        admin, admin_password = self._account("admin@example.org", staff=True)
        delegate, delegate_password = self._account("delegate.france@example.org", staff=False)
        if not Accreditation.objects.current().filter(user=delegate).exists():
            Accreditation.objects.create(
                user=delegate,
                member_state=MemberState.objects.get(code="FRA"),
                position="Demo delegate (local run only)",
                evidence=ContentFile(DEMO_EVIDENCE, name="demo-evidence.pdf"),
                evidence_type="application/pdf",
                status=Accreditation.Status.APPROVED,
                valid_until=timezone.localdate() + datetime.timedelta(days=365),
                decided_by=admin,
                decided_at=timezone.now(),
            )
        self.stdout.write("Demo accounts (local run only; the passwords change at every start):")
        self.stdout.write(f"  secretariat admin:            {admin.email}  {admin_password}")
        self.stdout.write(f"  approved delegate of France:  {delegate.email}  {delegate_password}")
        self.stdout.write("  Both set up two-factor authentication at first sign-in (the admin and endorsing need it).")

    def _account(self, email: str, *, staff: bool) -> tuple[User, str]:
        user, _created = User.objects.get_or_create(email=email)
        password = secrets.token_urlsafe(12)
        user.is_staff = user.is_superuser = staff
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
        return user, password
