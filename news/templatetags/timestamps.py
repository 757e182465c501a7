import datetime

from django import template

register = template.Library()


@register.filter
def machine_time(value):
    """Write a datetime as a valid `<time datetime>` value, e.g. 2025-01-31T09:05:00Z.

    Django's "c" format keeps microseconds, and HTML allows at most three
    digits of a second; whole seconds in UTC say the same instant in a form
    every reader parses.
    """
    if not isinstance(value, datetime.datetime):
        return ""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
