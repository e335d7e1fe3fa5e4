"""Secretariat admins manage users (DESIGN.md, "Who may do what"), their second factors and
signed-in sessions included: they may remove a lost second factor and sign a session out."""

from django.db import migrations

from members.grants import ADMINS, grant_to_groups

GRANTS = [
    ("mfa", "view_authenticator"),
    ("mfa", "delete_authenticator"),
    ("usersessions", "view_usersession"),
    ("usersessions", "delete_usersession"),  # the admin's "sign out" action needs it
]


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_other_names_help_text"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("usersessions", "0001_initial"),
    ]

    operations = [grant_to_groups([ADMINS], GRANTS)]
