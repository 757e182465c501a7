"""What news tells the apps above it, which it may not import (docs/architecture.md)."""

import secrets

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from .models import SeasonUpdate, UpdateEffect

# Sent inside publish_update's transaction with `update`, once it is
# published (now or at a later time); notifications mails the followers.
update_published = Signal()

VERSION_KEY = "news:version"


def news_version():
    """A token that changes whenever an update or its effects are written.

    An update that goes public at its scheduled time writes nothing: readers
    of this token check again now and then as well.
    """
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), None)
        version = cache.get(VERSION_KEY) or secrets.token_hex(8)
    return version


def _new_version():
    cache.set(VERSION_KEY, secrets.token_hex(8), None)


@receiver(post_save, sender=SeasonUpdate, dispatch_uid="news.update_saved")
@receiver(post_delete, sender=SeasonUpdate, dispatch_uid="news.update_deleted")
@receiver(post_save, sender=UpdateEffect, dispatch_uid="news.effect_saved")
@receiver(post_delete, sender=UpdateEffect, dispatch_uid="news.effect_deleted")
def news_written(sender, **kwargs):
    # Now, and again on commit, as discussions.caching does for content.
    _new_version()
    transaction.on_commit(_new_version)
