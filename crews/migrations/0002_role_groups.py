"""Create the four role groups. Their model permissions are synced after every migrate (crews.apps)."""

from django.db import migrations

ROLES = ("dispatcher", "crew_leader", "worker", "manager")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("crews", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
