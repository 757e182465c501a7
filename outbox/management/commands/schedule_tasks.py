from django.core.management.base import BaseCommand

from outbox.schedule import schedule_daily_tasks


class Command(BaseCommand):
    help = (
        "Queue the first run of every daily task (DAILY_TASKS) that has none waiting. "
        "Safe to repeat; run it before starting the task worker."
    )

    def handle(self, *args, **options):
        queued = schedule_daily_tasks()
        for path in queued:
            self.stdout.write(f"Queued {path}")
        if not queued:
            self.stdout.write("Every daily task already has a run waiting.")
