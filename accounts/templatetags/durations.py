from django import template

register = template.Library()


@register.filter
def minutes(duration):
    """A timedelta in whole minutes, so pages state the limits as the settings set them."""
    return int(duration.total_seconds() // 60)
