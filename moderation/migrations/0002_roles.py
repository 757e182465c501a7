"""Create the Moderators and Curators groups with their permissions.

The roles are written out as they stood when this migration was made, so
a later change to accounts.roles never rewrites what this step did.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# group: [(app_label, model, actions)], frozen.
ROLES = {
    "Moderators": [
        ("discussions", "comment", ["view", "change"]),
        ("discussions", "commentrevision", ["view"]),
        ("moderation", "report", ["view"]),
        ("moderation", "reportedcomment", ["view", "change"]),
        ("moderation", "suspension", ["view", "add", "change"]),
        ("moderation", "moderationevent", ["view"]),
        ("discussions", "article", ["view"]),
        ("discussions", "concern", ["view"]),
        ("discussions", "seasonupdate", ["view"]),
        ("discussions", "updateeffect", ["view"]),
        ("discussions", "vote", ["view"]),
        ("discussions", "voteevent", ["view"]),
        ("accounts", "user", ["view"]),
    ],
    "Curators": [
        ("discussions", "article", ["view", "add", "change", "delete"]),
        ("discussions", "concern", ["view", "add", "change", "delete"]),
        ("discussions", "seasonupdate", ["view", "add", "change", "delete"]),
        ("discussions", "updateeffect", ["view", "add", "change", "delete"]),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; these groups need
    # them now, on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [
                Permission.objects.get(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename=f"{action}_{model}",
                )
                for app_label, model, actions in grants
                for action in actions
            ]
        )


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
