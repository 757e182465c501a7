"""Create the Moderators and Curators groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS = "Moderators"
CURATORS = "Curators"

# (app_label, model, actions)
MODERATOR_PERMISSIONS = [
    ("discussions", "comment", ["view", "change"]),
    ("discussions", "commentrevision", ["view"]),
    ("moderation", "report", ["view"]),
    ("moderation", "reportedcomment", ["view", "change"]),
    ("moderation", "suspension", ["view", "add", "change"]),
    ("moderation", "moderationevent", ["view"]),
    # Read-only on everything else, so decisions are made with context.
    ("discussions", "article", ["view"]),
    ("discussions", "concern", ["view"]),
    ("discussions", "seasonupdate", ["view"]),
    ("discussions", "updateeffect", ["view"]),
    ("discussions", "vote", ["view"]),
    ("discussions", "voteevent", ["view"]),
    ("accounts", "user", ["view"]),
]
CURATOR_PERMISSIONS = [
    ("discussions", "article", ["view", "add", "change", "delete"]),
    ("discussions", "concern", ["view", "add", "change", "delete"]),
    ("discussions", "seasonupdate", ["view", "add", "change", "delete"]),
    ("discussions", "updateeffect", ["view", "add", "change", "delete"]),
]


def _permissions(apps, spec):
    Permission = apps.get_model("auth", "Permission")
    wanted = []
    for app_label, model, actions in spec:
        for action in actions:
            wanted.append(
                Permission.objects.get(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename=f"{action}_{model}",
                )
            )
    return wanted


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; these groups need
    # them now, on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, spec in [(MODERATORS, MODERATOR_PERMISSIONS), (CURATORS, CURATOR_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(apps, spec))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[MODERATORS, CURATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("discussions", "0002_comment_revisions_and_statuses"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
