"""How long the site keeps what it records about fans' connections.

Client addresses are stored only by the log-in throttle (django-axes: failed
attempts, lockouts and the log of log-ins); queued mail (addresses and text)
stays in the task table after it is sent; an open report keeps a keyed digest
of its address (moderation.models.address_digest). All are kept RECORDS_RETENTION
(90 days) at most: `forget_old_records`, run daily by the task worker, deletes
what is older. Sign-up limits count addresses in the cache, which forgets
them after a day by itself.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from moderation.models import Report


@transaction.atomic
def forget_old_records(now=None):
    """Delete address records and finished tasks older than the retention; return counts."""
    cutoff = (now or timezone.now()) - settings.RECORDS_RETENTION
    removed = {}
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        _total, _by_model = model.objects.filter(attempt_time__lt=cutoff).delete()
        removed[model._meta.label] = _total
    finished = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
    removed[DBTaskResult._meta.label] = finished.delete()[0]
    # A report nobody decided keeps its address digest no longer than an address.
    removed["moderation.Report.address_digest"] = (
        Report.objects.filter(created_at__lt=cutoff)
        .exclude(address_digest="")
        .update(address_digest="")
    )
    return removed
