from django import template

register = template.Library()


@register.inclusion_tag("includes/_tally.html")
def tally_bar(tally, compact=False):
    """Render a concern's tally as counts, percentages and a bar."""
    return {"tally": tally, "compact": compact}


@register.inclusion_tag("includes/_effect_badge.html")
def effect_badge(effect):
    """Render an update's effect on a concern as a coloured badge."""
    return {"effect": effect}


@register.inclusion_tag("includes/_comment.html", takes_context=True)
def comment_thread(context, comment, depth=0):
    """Render a comment with its replies nested below it."""
    return {
        "comment": comment,
        "depth": depth,
        "child_depth": depth + 1,
        "concern": context["concern"],
        "user": context["user"],
        "csrf_token": context.get("csrf_token"),
    }
