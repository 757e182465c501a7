"""Muting: a fan's choice not to hear from another fan.

A muted fan's comments collapse for the muter and their replies notify the
muter no more; nothing changes for anyone else, and the muted fan is not told.
Moderators can be muted like anyone, but what moderation does (hiding a
comment, a suspension) is not a fan speaking, and still reaches the muter.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import Mute


class CannotMuteYourself(PermissionDenied):
    """A fan tried to mute themselves; nothing was done."""

    def __init__(self):
        super().__init__(_("You can't mute yourself."))


def _forget_mutes(muter):
    # The ids are read once per request (User.muted_ids); the next read sees this change.
    muter.__dict__.pop("muted_ids", None)


def mute(muter, muted):
    """Mute `muted` for `muter`; return whether they were not muted already.

    Muting twice (two tabs, a double click) leaves one mute. Raises
    CannotMuteYourself.
    """
    if muter.pk == muted.pk:
        raise CannotMuteYourself
    with transaction.atomic():
        _mute, made = Mute.objects.get_or_create(muter=muter, muted=muted)
    _forget_mutes(muter)
    return made


def unmute(muter, muted):
    """Hear from `muted` again; return whether they were muted."""
    with transaction.atomic():
        removed, _by_model = Mute.objects.filter(muter=muter, muted=muted).delete()
    _forget_mutes(muter)
    return bool(removed)
