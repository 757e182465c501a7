"""What accounts does when Django reports on log-ins."""

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from .limits import count_failed_log_in


@receiver(user_login_failed, dispatch_uid="accounts.count_failed_log_in")
def count_failure_against_the_address(sender, credentials, request=None, **kwargs):
    # Every failed log-in, the site's and the admin's, counts against its address.
    count_failed_log_in(request)
