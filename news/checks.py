"""A display time zone that does not exist is refused at start, not on a curator's page."""

import zoneinfo

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def check_display_time_zone(app_configs, **kwargs):
    try:
        zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return [
            Error(
                f"DISPLAY_TIME_ZONE {settings.DISPLAY_TIME_ZONE!r} is not a time zone.",
                hint='Use an IANA name such as "Asia/Seoul" or "UTC".',
                id="news.E001",
            )
        ]
    return []
