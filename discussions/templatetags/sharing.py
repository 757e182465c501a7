from django import template

from .. import cards

register = template.Library()


@register.simple_tag(takes_context=True)
def update_share(context, update):
    """What a Season 2 update's page says when it is shared (a discussions.cards.Share).

    A tag, not a presenter's property: the update's page is news's, and news
    may not import discussions, whose card it names.
    """
    return cards.update_share(context["request"], update)
