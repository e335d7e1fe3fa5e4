"""The secretariat keeps the programme of work in the admin (DESIGN.md, "Who may do what": programme
of work, secretariat editors and admins), and reads each change's history."""

from django.db import migrations

from members.grants import ADMINS, EDITORS, grant_to_groups

GRANTS = [
    "view_meeting",
    "add_meeting",
    "change_meeting",
    "delete_meeting",
    "view_agendaitem",
    "add_agendaitem",
    "change_agendaitem",
    "delete_agendaitem",
    "view_historicalmeeting",
    "view_historicalagendaitem",
]


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0001_meetings_and_agendas"),
        ("members", "0012_secretariat_admins_background_tasks"),
    ]

    operations = [grant_to_groups([EDITORS, ADMINS], [("programme", codename) for codename in GRANTS])]
