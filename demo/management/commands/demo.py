import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.data import (
    DemoDataPresent,
    DemoNameTaken,
    create_demo_data,
    demo_data_present,
    remove_demo_data,
)


class Command(BaseCommand):
    help = (
        "Fill a local database with demo data: fans with months of votes, comment "
        "threads in both stances, Season 2 news linked to the fears, and moderation "
        "in the log, plus a demo moderator and curator. Seeds first; safe to run "
        "again (nothing is added twice). --remove deletes every demo row and "
        "nothing else. Refused where DEMO_DATA_ALLOWED is off, as in production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--remove", action="store_true", help="Delete the demo data instead of adding it."
        )
        parser.add_argument(
            "--password",
            help="Password for every demo account (default: a new random one, shown once).",
        )

    def handle(self, remove, password, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "Demo data is refused under these settings (DEMO_DATA_ALLOWED is off, "
                f"as in production: {settings.SETTINGS_MODULE})."
            )
        if remove:
            self._remove()
            return
        call_command("seed", stdout=self.stdout, stderr=self.stderr)
        if demo_data_present():
            self.stdout.write(
                "Demo data already present; nothing changed. Its password was shown when "
                "it was made: `manage.py demo --remove`, then `manage.py demo`, for a new one."
            )
            return
        # Random unless chosen: a fixed, published password would open the demo
        # moderator's admin to anyone wherever the demo is reachable.
        password = password or f"demo-{secrets.token_urlsafe(9)}"
        try:
            summary = create_demo_data(password)
        except DemoDataPresent:
            raise CommandError("Demo data appeared meanwhile; nothing changed.") from None
        except DemoNameTaken as taken:
            raise CommandError(
                f"Real accounts already use demo names ({taken}); nothing changed."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data added: "
                + ", ".join(f"{n} {what}" for what, n in summary.counts.items())
                + "."
            )
        )
        self.stdout.write(
            f"\nSign in at /accounts/login/ as any demo account with the password "
            f"{summary.password}\n"
            f"  fans:      {', '.join(summary.fans)}\n"
            f"  moderator: {summary.moderator} (/admin/: review queue, suspensions)\n"
            f"  curator:   {summary.curator} (/admin/: Season 2 updates)\n"
            "The password is not stored anywhere you can read it back; note it now.\n"
            "Remove every demo row with `manage.py demo --remove`."
        )

    def _remove(self):
        counts = remove_demo_data()
        kept = counts.pop("demo comments kept for real replies")
        removed = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Demo data removed: {removed or 'none found'}."))
        if kept:
            self.stdout.write(
                f"{kept} demo comments stay as [deleted] because real replies hang below "
                "them; their demo authors can no longer sign in."
            )
