"""A fan's public profile: the display name, bio and vote choice they edit in their settings."""

from django.db import transaction

# What a fan edits of their own profile; ProfileForm offers these fields.
PROFILE_FIELDS = ("display_name", "bio", "votes_public")


def edit_profile(fan, **changes):
    """Save what changed of the fan's profile fields; return the names of those changed.

    Only the changed fields are written, by name: a new display name shows on
    every comment the fan wrote, and discussions drops its cached pages when
    it sees that field saved (the content declared in accounts.apps). Raises Suspended, having
    changed nothing: a suspended fan publishes nothing new, a profile included.
    """
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {sorted(unknown)}")
    with transaction.atomic():
        fan.lock()
        fan.refuse_if_suspended()
        changed = [name for name, value in changes.items() if getattr(fan, name) != value]
        for name in changed:
            setattr(fan, name, changes[name])
        if changed:
            fan.save(update_fields=changed)
    return changed
