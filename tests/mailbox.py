"""Mail in tests goes through the task queue, as on the site: run the worker, then read."""

from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

WORKER = "django_tasks_db.management.commands.db_worker"
# What the worker calls to hand a message to the mail backend: patched to fail a send.
SEND = "django.core.mail.EmailMessage.send"


def run_worker():
    """Run every task that is due, as `manage.py db_worker --batch` would, then return."""
    # The worker closes stale connections between tasks; inside a test's
    # transaction that would throw the test's own work away.
    with mock.patch(f"{WORKER}.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def outbox():
    """The test outbox once the worker has sent what is queued."""
    run_worker()
    return mail.outbox


def time_passes():
    """Make every waiting task due now, as if its run_after had come."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
