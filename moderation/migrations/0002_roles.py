"""Create the Moderators and Curators groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from moderation.roles import ROLES, ensure_role


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; these groups need
    # them now, on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    for name in ROLES:
        ensure_role(name, apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("discussions", "0002_comment_revisions_and_statuses"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
