"""The staff roles: which permissions Moderators and Curators hold.

Used by the data migration that creates the groups, and by anything that
must make sure a group exists (the grant_role command, tests after a flush).
"""

MODERATORS = "Moderators"
CURATORS = "Curators"

# group: [(app_label, model, actions)]
ROLES = {
    MODERATORS: [
        ("discussions", "comment", ["view", "change"]),
        ("discussions", "commentrevision", ["view"]),
        ("moderation", "report", ["view"]),
        ("moderation", "reportedcomment", ["view", "change"]),
        ("moderation", "suspension", ["view", "add", "change"]),
        ("moderation", "moderationevent", ["view"]),
        # Read-only on everything else, so decisions are made with context.
        ("discussions", "article", ["view"]),
        ("discussions", "concern", ["view"]),
        ("news", "seasonupdate", ["view"]),
        ("news", "updateeffect", ["view"]),
        ("opinion", "vote", ["view"]),
        ("opinion", "voteevent", ["view"]),
        ("accounts", "user", ["view"]),
    ],
    CURATORS: [
        ("discussions", "article", ["view", "add", "change", "delete"]),
        ("discussions", "concern", ["view", "add", "change", "delete"]),
        ("news", "seasonupdate", ["view", "add", "change", "delete"]),
        ("news", "updateeffect", ["view", "add", "change", "delete"]),
    ],
}


def ensure_role(name, group_model, permission_model):
    """Create the group if needed and give it exactly its role's permissions."""
    group, _ = group_model.objects.get_or_create(name=name)
    permissions = [
        permission_model.objects.get(
            content_type__app_label=app_label,
            content_type__model=model,
            codename=f"{action}_{model}",
        )
        for app_label, model, actions in ROLES[name]
        for action in actions
    ]
    group.permissions.set(permissions)
    return group
