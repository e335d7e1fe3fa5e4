"""Secretariat admins see the register's background work and may try a failed task again
(DESIGN.md, "Who may do what": retry failed deliveries). Editors do not see it."""

from django.db import migrations

from members.grants import ADMINS, grant_to_groups

GRANTS = ["view_dbtaskresult", "change_dbtaskresult"]


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0011_accreditation_renewal_and_reminders"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [grant_to_groups([ADMINS], [("django_tasks_database", codename) for codename in GRANTS])]
