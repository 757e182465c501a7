from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.roles import CURATORS, MODERATORS, ensure_role

ROLES = {"moderator": MODERATORS, "curator": CURATORS}


class Command(BaseCommand):
    help = (
        "Give an existing account a staff role: 'moderator' (comments, reports, "
        "suspensions) or 'curator' (articles, concerns, Season 2 updates). "
        "Use --revoke to take it away."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLES))
        parser.add_argument("--revoke", action="store_true", help="Remove the role instead.")

    @transaction.atomic
    def handle(self, username, role, revoke, **options):
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(
                f"No account named {username!r}. A role is given to an existing account: "
                "sign up at /accounts/signup/ as that person first (locally, `manage.py demo` "
                "also makes demo fans), then run this again. A superuser, from "
                "`manage.py createsuperuser`, needs no role."
            )
        group = ensure_role(ROLES[role], Group, Permission)
        if revoke:
            user.groups.remove(group)
            if not user.is_superuser and not user.groups.exists():
                user.is_staff = False
            user.save(update_fields=["is_staff"])
            self.stdout.write(self.style.SUCCESS(f"{user} is no longer a {role}."))
            return
        user.groups.add(group)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        self.stdout.write(self.style.SUCCESS(f"{user} is now a {role} and can use /admin/."))
