"""Publishing Season 2 updates.

Publication is a time, not an event: an update published with a later time is
scheduled and goes public by itself when that time passes (every public query
asks `published_at <= now`). On-site notifications are made when each fan
next looks (notifications.delivery); mail is queued for that time
(notifications.tasks.mail_when_public), and what the update did to opinion
is worked out again (opinion.impacts.measure_update), both called by name.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from notifications.tasks import mail_when_public
from opinion.impacts import measure_update

from .models import SeasonUpdate, UpdateStatus


class MayNotPublish(PermissionDenied):
    """The curator lacks the right to change updates; nothing was published."""


def _check_may_publish(curator):
    if curator is not None and not curator.has_perm("news.change_seasonupdate"):
        raise MayNotPublish(f"{curator} may not publish updates.")


@transaction.atomic
def publish_update(update, curator=None, at=None):
    """Publish the update at `at`, or now; a later time schedules it.

    Without `at`, an update that is public already is left as it is, so
    publishing twice never moves its date. Returns whether anything changed.
    `curator` is whoever acts, checked against the right to change updates;
    None is the site itself (commands, the demo).
    """
    _check_may_publish(curator)
    current = SeasonUpdate.objects.select_for_update().get(pk=update.pk)
    if at is None and current.is_public:
        return False
    when = at or timezone.now()
    if current.status == UpdateStatus.PUBLISHED and current.published_at == when:
        return False
    current.status, current.published_at = UpdateStatus.PUBLISHED, when
    current.save(update_fields=["status", "published_at", "updated_at"])
    mail_when_public(current)
    measure_update(current)
    update.status, update.published_at = current.status, current.published_at
    update.updated_at = current.updated_at
    return True


@transaction.atomic
def unpublish_update(update, curator=None, at=None):
    """Take the update back to a draft: it leaves the public pages at once.

    `at` is the time the draft keeps as a plan (the curator's form may change
    it in the same save); None clears it. Returns whether it was published.
    """
    _check_may_publish(curator)
    current = SeasonUpdate.objects.select_for_update().get(pk=update.pk)
    was_published = current.status == UpdateStatus.PUBLISHED
    current.status, current.published_at = UpdateStatus.DRAFT, at
    current.save(update_fields=["status", "published_at", "updated_at"])
    # Its figures go: there is no moment to compare around.
    measure_update(current)
    update.status, update.published_at = current.status, current.published_at
    update.updated_at = current.updated_at
    return was_published
