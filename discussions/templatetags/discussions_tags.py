from django import template

from discussions.forms import FRESH_REPLY

register = template.Library()


@register.inclusion_tag("includes/_tally.html")
def tally_bar(tally, compact=False):
    """Render a concern's tally as counts, percentages and a bar."""
    return {"tally": tally, "compact": compact}


@register.inclusion_tag("includes/_comment.html", takes_context=True)
def comment_thread(context, comment, depth=0):
    """Render a comment, or its placeholder, with its replies nested below it."""
    user = context["user"]
    signed_in = user.is_authenticated
    own = signed_in and comment.author_id == user.pk
    may_act = comment.is_visible and signed_in and not context.get("suspension")
    return {
        "comment": comment,
        "depth": depth,
        "child_depth": depth + 1,
        "concern": context["concern"],
        "user": user,
        "suspension": context.get("suspension"),
        "csrf_token": context.get("csrf_token"),
        "can_reply": may_act,
        "reply_options": FRESH_REPLY,
        "can_edit": may_act and comment.is_editable_by(user),
        "can_delete": own and comment.is_deletable_by(user),
        "can_report": may_act and not own,
        "can_mark_helpful": may_act and not own,
        "marked_helpful": comment.pk in context.get("helpful_marked", ()),
        "here": context["request"].get_full_path(),
        # Nested replies render through this tag again and need these too.
        "request": context["request"],
        "helpful_marked": context.get("helpful_marked", ()),
    }


@register.inclusion_tag("includes/_opinion_chart.html")
def opinion_chart(chart):
    """Render the opinion-over-time chart with its data table."""
    return {"chart": chart}


@register.inclusion_tag("includes/_sparkline.html")
def sparkline_of(concern):
    """Render a concern's small % justified line for the home page."""
    return {"points": concern.sparkline, "concern": concern}
