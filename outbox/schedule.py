"""Work the worker does every day, with nothing but the queue itself.

The database queue runs a task once, at or after its `run_after`; it has no
schedule. So each daily task, when it runs, queues its own next run
(`again_tomorrow`), and `manage.py schedule_tasks`, run before the worker
starts, queues the first run of any daily task that has none waiting, so a
chain broken by a crash or a fresh database starts again.
"""

import datetime

from django.conf import settings
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult


def next_run(now=None):
    """The next DAILY_TASKS_HOUR o'clock in TIME_ZONE, strictly after now."""
    now = timezone.localtime(now)
    at = now.replace(hour=settings.DAILY_TASKS_HOUR, minute=0, second=0, microsecond=0)
    if at <= now:
        at = timezone.make_aware(
            datetime.datetime.combine(at.date() + datetime.timedelta(days=1), at.time())
        )
    return at


def is_waiting(task):
    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()


def again_tomorrow(task):
    """Queue the task's next daily run, unless one is waiting already; return whether queued."""
    if is_waiting(task):
        return False
    task.using(run_after=next_run()).enqueue()
    return True


def schedule_daily_tasks():
    """Queue each of DAILY_TASKS that has no run waiting; return those queued."""
    return [path for path in settings.DAILY_TASKS if again_tomorrow(import_string(path))]
