"""Texts saved from the admin before its forms normalised line breaks hold CRLF; the forms now submit
LF, so an untouched CRLF text would count as edited (and its machine translations as reviewed)."""

from django.conf import settings
from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace

TEXTS = ("title", "summary", "body", "commitment", "launch_place")


def to_lf(apps, schema_editor):
    Initiative = apps.get_model("initiatives", "Initiative")
    columns = [*TEXTS] + [
        f"{field}_{code.replace('-', '_')}" for field in TEXTS for code, _name in settings.LANGUAGES
    ]
    Initiative.objects.update(**{column: Replace(column, Value("\r\n"), Value("\n")) for column in columns})


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0005_open_initiative_has_every_text")]

    operations = [migrations.RunPython(to_lf, migrations.RunPython.noop)]
