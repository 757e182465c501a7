"""Settings that would let a few accounts from one address hold any comment are refused.

One address may open RATE_LIMITS["signup"] accounts a day. Their reports
count once together while the accounts are under ESTABLISHED_ACCOUNT_AGE
(ReportQuerySet.weight), so a threshold above one day's sign-ups means sock
puppets must be opened over more than a day and aged a week before they can
hold a comment. Were it that many or fewer, one day's accounts, once a week
old, could hold any comment for review between them. `manage.py check`
(which `migrate` and `runserver` run) fails instead.
"""

import math
import re

from django.conf import settings
from django.core.checks import Error, Tags, register

# django-ratelimit's rates: "count/period" or "count/<n>period", period one of s, m, h, d.
RATE = re.compile(r"(\d+)/(\d*)([smhd])")
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DAY = 86400


def per_day(rate):
    """The most acts a django-ratelimit rate lets through in one day; None without a limit."""
    match = RATE.fullmatch(rate) if isinstance(rate, str) else None
    if match is None:
        return None
    count, times, period = match.groups()
    seconds = int(times or 1) * PERIOD_SECONDS[period]
    return int(count) * math.ceil(DAY / seconds)


@register(Tags.security)
def auto_hide_threshold_above_signup_limit(app_configs, **kwargs):
    threshold = settings.MODERATION_AUTO_HIDE_REPORTS
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        return [
            Error(
                f"MODERATION_AUTO_HIDE_REPORTS must be a whole number of at least 1, "
                f"not {threshold!r}.",
                id="moderation.E001",
            )
        ]
    rate = settings.RATE_LIMITS.get("signup")
    signups = per_day(rate)
    if signups is None:
        return [
            Error(
                f'RATE_LIMITS["signup"] is {rate!r}, not a rate such as "3/d": with no limit '
                f"on sign-ups per address, a few accounts can hold any comment for review.",
                hint='Give sign-ups a limit per address, such as "3/d".',
                id="moderation.E002",
            )
        ]
    if threshold <= signups:
        return [
            Error(
                f"MODERATION_AUTO_HIDE_REPORTS is {threshold}, but one address may open "
                f'{signups} accounts a day (RATE_LIMITS["signup"] = {rate!r}): together they '
                f"could hold any comment for review.",
                hint=f"Set MODERATION_AUTO_HIDE_REPORTS to {signups + 1} or more.",
                id="moderation.E003",
            )
        ]
    return []
