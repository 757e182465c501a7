from django import template

register = template.Library()


@register.inclusion_tag("includes/_tally.html")
def tally_bar(tally, compact=False):
    """Render a concern's tally as counts, percentages and a bar."""
    return {"tally": tally, "compact": compact}


@register.inclusion_tag("includes/_comment.html", takes_context=True)
def comment_thread(context, thread):
    """Render a thread (a discussions.pages.Thread): its comment, or placeholder, and replies.

    What the visitor may do with each comment is the page's to say.
    """
    page = context["page"]
    return {
        "thread": thread,
        "comment": thread.comment,
        "controls": page.controls(thread.comment),
        "concern": page.concern,
        "here": page.here,
        "reply_options": page.reply_options,
        "csrf_token": context.get("csrf_token"),
        # Anonymous readers can neither reply nor act: no empty slots for either.
        "bare": page.bare,
        # Replies render through this tag again and need the page too.
        "page": page,
    }


@register.inclusion_tag("includes/_sparkline.html")
def sparkline_of(card):
    """Render a fear's small % justified line for the home page (a pages.FearCard)."""
    return {"points": card.sparkline, "concern": card.concern}
