from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from privacy.deletion import LastSuperuser, delete_account


class Command(BaseCommand):
    help = (
        "Delete a fan's account, as they can themselves at /accounts/delete/: their "
        "votes leave the tallies (the chart's past stays), their comments stay as "
        "[deleted account] (a top-level one with no replies is erased), their follows "
        "and notifications go, their reports stay without their name. Asks first "
        "unless --noinput."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Delete without asking.",
        )

    def handle(self, username, interactive, **options):
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}; nothing was deleted.")
        if interactive:
            answer = input(f"Delete the account {user} for good? Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Not deleted.")
        try:
            counts = delete_account(user)
        except LastSuperuser as refusal:
            raise CommandError(str(refusal)) from None
        done = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Deleted the account {user.username}: {done}."))
