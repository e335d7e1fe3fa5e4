"""The secretariat reads drafts' comments and amendments and their history in the admin (DESIGN.md,
"Who may do what": read a draft, secretariat yes); nobody changes them there: they are written through
initiatives.coalitions only."""

from django.db import migrations

from members.grants import ADMINS, EDITORS, grant_to_groups

GRANTS = ["view_amendment", "view_historicalamendment", "view_draftcomment", "view_historicaldraftcomment"]


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0018_coalition_texts"),
        ("members", "0012_secretariat_admins_background_tasks"),
    ]

    operations = [grant_to_groups([EDITORS, ADMINS], [("initiatives", codename) for codename in GRANTS])]
