"""The privacy work the task worker does every day (settings.DAILY_TASKS)."""

from django.tasks import task

from outbox.schedule import again_tomorrow

from . import retention


@task()
def forget_old_records():
    """Delete what is past its retention, then queue tomorrow's run."""
    removed = retention.forget_old_records()
    again_tomorrow(forget_old_records)
    return removed
