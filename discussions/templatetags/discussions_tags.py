from django import template

from opinion.models import UpdateImpact

from ..pages import results_visible_to

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


@register.inclusion_tag("includes/_impact_of.html", takes_context=True)
def impact_of(context, effect):
    """Render what an update did to opinion on one concern, if this visitor may see results.

    For news pages (the news app may not read discussions' figures itself).
    """
    visible, impacts = _figures_of(effect.update, context["request"].user)
    shown = effect.concern_id in visible
    return {"impact": impacts.get(effect.pk) if shown else None, "results_visible": shown}


def _figures_of(update, user):
    """(concern pks whose results the visitor may see, {effect pk: impact}) for an update's
    effects, read once for the page and kept on the update.
    """
    if not hasattr(update, "_figures"):
        effects = list(update.effects.all())
        impacts = {
            impact.effect_id: impact for impact in UpdateImpact.objects.filter(effect__in=effects)
        }
        for effect in effects:
            if effect.pk in impacts:
                impacts[effect.pk].effect = effect
        visible = results_visible_to(user, [effect.concern for effect in effects])
        update._figures = (visible, impacts)
    return update._figures
